/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tls.h - OpenSSL client setup for tls:// outputs (RFC 5425).
 */
#ifndef GP_OUTPUT_TLS_H
#define GP_OUTPUT_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "output/output.h"

/* TLS >= 1.2, peer verification against env->tls_ca (a file or a hashed
 * directory) or the system store, optional client certificate and key. */
SSL_CTX *gp_tls_ctx_new(const struct gp_output_env *env, char *err,
			size_t errlen);

/* An SSL on a connected non-blocking fd, checking that the certificate is
 * for host (a DNS name, or an IP address matched against its IP SANs).
 * Writes use send(MSG_NOSIGNAL): a collector that hangs up must not kill
 * ghostport with SIGPIPE. */
SSL *gp_tls_new(SSL_CTX *ctx, int fd, const char *host, char *err,
		size_t errlen);

/* Ciphertext bytes the kernel took for ssl's socket so far. */
uint64_t gp_tls_sent(SSL *ssl);

/* The reason of the last failure on ssl (verification result first). */
void gp_tls_error(SSL *ssl, int ret, char *err, size_t errlen);

#endif /* GP_OUTPUT_TLS_H */
