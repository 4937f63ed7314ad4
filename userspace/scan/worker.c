// SPDX-License-Identifier: GPL-2.0
/*
 * scan_worker.c - the scan thread (see scan_worker.h).  One request at a
 * time: a mutex-protected slot in, a result slot out, an eventfd to wake
 * the loop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include <cap-ng.h>

#include "scan/worker.h"

struct gp_scan_worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int efd;
	bool stop, busy, have_req, have_res, res_ok;
	struct gp_scan_request req;
	struct gp_scan_result res;
	char err[256];
};

/* Keep what a scan needs in this thread only (capabilities are per
 * thread); the main thread drops its own later. */
static void keep_scan_caps(void)
{
	if (geteuid() != 0)
		return;
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			  CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE,
			  CAP_DAC_READ_SEARCH, -1) ||
	    capng_apply(CAPNG_SELECT_CAPS))
		fprintf(stderr,
			"ghostport: warning: scan thread could not narrow its capabilities\n");
}

static void *worker(void *p)
{
	struct gp_scan_worker *w = p;
	static __thread struct gp_scan_request q;
	static __thread struct gp_scan_close_policy cp;

	keep_scan_caps();
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct gp_scan_opts o = { 0 };
		struct gp_scan_result r;
		char err[256] = "";
		__u64 one = 1;
		int ret;

		while (!w->stop && !w->have_req)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		q = w->req;
		w->have_req = false;
		pthread_mutex_unlock(&w->mu);

		o.rules = q.rules;
		if (q.close) {
			cp.rules = q.rules;
			cp.exempt = &q.exempt;
			o.close = gp_scan_close_unless_exempt;
			o.close_ctx = &cp;
		}
		ret = gp_scan_run(&o, &r, err, sizeof(err));

		pthread_mutex_lock(&w->mu);
		w->res = r;
		w->res_ok = !ret;
		snprintf(w->err, sizeof(w->err), "%s", err);
		w->have_res = true;
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow with one result */
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct gp_scan_worker *gp_scan_worker_start(char *err, size_t errlen)
{
	struct gp_scan_worker *w = calloc(1, sizeof(*w));
	int e = 0;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0 || (e = pthread_create(&w->thread, NULL, worker, w))) {
		snprintf(err, errlen, "scan thread: %s",
			 strerror(w->efd < 0 ? errno : e));
		if (w->efd >= 0)
			close(w->efd);
		free(w);
		return NULL;
	}
	return w;
}

int gp_scan_worker_fd(const struct gp_scan_worker *w)
{
	return w->efd;
}

bool gp_scan_worker_request(struct gp_scan_worker *w,
			    const struct gp_scan_request *q)
{
	bool ok;

	pthread_mutex_lock(&w->mu);
	ok = !w->busy;
	if (ok) {
		w->req = *q;
		w->have_req = w->busy = true;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return ok;
}

bool gp_scan_worker_take(struct gp_scan_worker *w, struct gp_scan_result *r,
			 struct gp_scan_request *q, bool *ok, char *err,
			 size_t errlen)
{
	__u64 v;
	bool got;

	if (read(w->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return false;
	pthread_mutex_lock(&w->mu);
	got = w->have_res;
	if (got) {
		*r = w->res;
		*q = w->req;
		*ok = w->res_ok;
		snprintf(err, errlen, "%s", w->err);
		w->have_res = w->busy = false;
		memset(&w->res, 0, sizeof(w->res));
	}
	pthread_mutex_unlock(&w->mu);
	return got;
}

void gp_scan_worker_stop(struct gp_scan_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	if (w->have_res)
		gp_scan_free(&w->res);
	close(w->efd);
	free(w);
}

/* ---- the close decision --------------------------------------------- */

/* Is the cgroup v2 path (or one of its ancestors) an exempt cgroup? */
static bool cgroup_exempt(const struct gp_exemptions *x, const char *path)
{
	static const char *const roots[] = { "/sys/fs/cgroup/unified",
					     "/sys/fs/cgroup", NULL };
	char full[PATH_MAX];
	struct statfs sfs;
	const char *root = NULL;
	size_t i, len;
	int k;

	if (!x->n_cgroups || path[0] != '/')
		return false;
	for (k = 0; roots[k] && !root; k++)
		if (!statfs(roots[k], &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC)
			root = roots[k];
	if (!root)
		return false;
	snprintf(full, sizeof(full), "%s%s", root, path);
	len = strlen(full);
	for (;;) {
		struct stat st;

		if (!stat(full, &st))
			for (i = 0; i < x->n_cgroups; i++)
				if (x->cgroups[i] == (__u64)st.st_ino)
					return true;
		/* Up one level, not above the mount. */
		while (len > strlen(root) && full[len - 1] != '/')
			len--;
		if (len <= strlen(root) + 1)
			return false;
		full[--len] = '\0';
	}
}

static bool holder_exempt(const struct gp_exemptions *x,
			  const struct gp_scan_holder *h)
{
	size_t i;

	for (i = 0; i < x->n_uids; i++)
		if (x->uids[i] == h->uid)
			return true;
	for (i = 0; i < x->n_gids; i++)
		if (x->gids[i] == h->gid)
			return true;
	for (i = 0; h->exe_known && i < x->n_exes; i++)
		if (x->exes[i].ino == h->exe_ino && x->exes[i].dev == h->exe_dev)
			return true;
	return cgroup_exempt(x, h->cgroup);
}

int gp_scan_close_unless_exempt(void *ctx, const struct gp_scan_sock *s)
{
	const struct gp_scan_close_policy *cp = ctx;
	const struct gp_exemptions *x = cp->exempt;
	__u16 p = s->protocol == IPPROTO_MPTCP ? IPPROTO_TCP : s->protocol;
	size_t i;

	if (!(GP_RULE_DENY(cp->rules[s->port]) & gp_proto_bit(p, 0)))
		return GP_CLOSE_NOT_ASKED;
	for (i = 0; x && i < s->n_holders; i++)
		if (holder_exempt(x, &s->holders[i]))
			return GP_CLOSE_EXEMPT;
	return GP_CLOSE_DONE;
}
