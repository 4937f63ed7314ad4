// SPDX-License-Identifier: GPL-2.0
/*
 * tls.c - OpenSSL client contexts and connections (output/tls.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "output/tls.h"

static void ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e ? buf : "unknown error");
	ERR_clear_error();
}

SSL_CTX *gp_tls_ctx_new(const struct gp_output_env *env, char *err,
			size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	struct stat st;

	if (!ctx) {
		ssl_err(err, errlen, "TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* Partial writes: a frame goes out over several ticks when the
	 * socket is full, from the same (but reused) buffer. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (env && env->tls_ca) {
		bool dir = !stat(env->tls_ca, &st) && S_ISDIR(st.st_mode);

		if (!SSL_CTX_load_verify_locations(ctx, dir ? NULL : env->tls_ca,
						   dir ? env->tls_ca : NULL)) {
			ssl_err(err, errlen, env->tls_ca);
			goto fail;
		}
	} else if (!SSL_CTX_set_default_verify_paths(ctx)) {
		ssl_err(err, errlen, "system CA store");
		goto fail;
	}
	if (env && (env->tls_cert || env->tls_key)) {
		const char *cert = env->tls_cert, *key = env->tls_key;

		if (!cert || !key) {
			snprintf(err, errlen,
				 "a client certificate needs both --tls-cert and --tls-key");
			goto fail;
		}
		if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
			ssl_err(err, errlen, cert);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
			ssl_err(err, errlen, key);
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			ssl_err(err, errlen, "client key does not match certificate");
			goto fail;
		}
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* ---- a socket BIO that never raises SIGPIPE ---------------------------- */

/* The BIO's data: its socket, and the ciphertext bytes the kernel took
 * (compared with SIOCOUTQ: how much of it the peer acknowledged). */
struct bio_sock {
	int fd;
	uint64_t sent;
};

static int bio_write(BIO *b, const char *buf, int len)
{
	struct bio_sock *bs = BIO_get_data(b);
	int fd = bs->fd;
	ssize_t n = send(fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n > 0)
		bs->sent += (uint64_t)n;
	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static int bio_read(BIO *b, char *buf, int len)
{
	int fd = ((struct bio_sock *)BIO_get_data(b))->fd;
	ssize_t n = recv(fd, buf, (size_t)len, MSG_DONTWAIT);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_read(b);
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b; (void)num; (void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_destroy(BIO *b)
{
	OPENSSL_free(BIO_get_data(b));
	BIO_set_data(b, NULL);
	return 1;
}

static BIO_METHOD *bio_method(void)
{
	static BIO_METHOD *m;

	if (!m) {
		m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
				 "ghostport nosigpipe socket");
		if (!m)
			return NULL;
		BIO_meth_set_write(m, bio_write);
		BIO_meth_set_read(m, bio_read);
		BIO_meth_set_ctrl(m, bio_ctrl);
		BIO_meth_set_destroy(m, bio_destroy);
	}
	return m;
}

SSL *gp_tls_new(SSL_CTX *ctx, int fd, const char *host, char *err,
		size_t errlen)
{
	BIO_METHOD *m = bio_method();
	unsigned char ip[16];
	SSL *ssl = SSL_new(ctx);
	BIO *bio;
	struct bio_sock *fdp;

	if (!ssl || !m) {
		ssl_err(err, errlen, "TLS session");
		SSL_free(ssl);
		return NULL;
	}
	bio = BIO_new(m);
	fdp = OPENSSL_malloc(sizeof(*fdp));
	if (!bio || !fdp) {
		ssl_err(err, errlen, "TLS BIO");
		BIO_free(bio);
		OPENSSL_free(fdp);
		SSL_free(ssl);
		return NULL;
	}
	fdp->fd = fd;
	fdp->sent = 0;
	BIO_set_data(bio, fdp);
	BIO_set_init(bio, 1);
	SSL_set_bio(ssl, bio, bio);

	if (inet_pton(AF_INET, host, ip) == 1 ||
	    inet_pton(AF_INET6, host, ip) == 1) {
		/* An address: match the IP SANs, and send no SNI (RFC 6066
		 * forbids literal addresses there). */
		if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host))
			goto fail;
	} else {
		if (!SSL_set1_host(ssl, host) ||
		    !SSL_set_tlsext_host_name(ssl, host))
			goto fail;
	}
	SSL_set_connect_state(ssl);
	return ssl;
fail:
	ssl_err(err, errlen, "TLS peer name");
	SSL_free(ssl);
	return NULL;
}

uint64_t gp_tls_sent(SSL *ssl)
{
	BIO *b = SSL_get_wbio(ssl);
	struct bio_sock *bs = b ? BIO_get_data(b) : NULL;

	return bs ? bs->sent : 0;
}

void gp_tls_error(SSL *ssl, int ret, char *err, size_t errlen)
{
	long v = SSL_get_verify_result(ssl);
	int e = SSL_get_error(ssl, ret);

	if (v != X509_V_OK) {
		snprintf(err, errlen, "certificate verification failed: %s",
			 X509_verify_cert_error_string(v));
		ERR_clear_error();
	} else if (e == SSL_ERROR_SSL) {
		ssl_err(err, errlen, "TLS");
	} else if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL &&
						  !errno)) {
		snprintf(err, errlen, "connection closed by the collector");
		ERR_clear_error();
	} else {
		snprintf(err, errlen, "TLS: %s", strerror(errno ? errno : EIO));
		ERR_clear_error();
	}
}
