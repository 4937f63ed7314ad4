// SPDX-License-Identifier: GPL-2.0
/*
 * squatters.c - the daemon's scans (see daemon/squatters.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/squatters.h"
#include "format/format.h"
#include "scan/record.h"
#include "scan/track.h"
#include "scan/worker.h"

struct gp_squatters {
	struct gp_scan_worker *w;
	struct gp_scan_track *track;
	bool running;			/* a request is with the thread */
	bool pending, pending_close, pending_all, pending_ctl;
};

bool gp_squatters_idle(const struct gp_squatters *q)
{
	return !q->running && !q->pending;
}

struct gp_squatters *gp_squatters_start(char *err, size_t errlen)
{
	struct gp_squatters *q = calloc(1, sizeof(*q));

	if (!q || !(q->track = gp_scan_track_new())) {
		snprintf(err, errlen, "out of memory");
		free(q);
		return NULL;
	}
	q->w = gp_scan_worker_start(err, errlen);
	if (!q->w) {
		gp_scan_track_free(q->track);
		free(q);
		return NULL;
	}
	return q;
}

void gp_squatters_stop(struct gp_squatters *q)
{
	if (!q)
		return;
	gp_scan_worker_stop(q->w);
	gp_scan_track_free(q->track);
	free(q);
}

int gp_squatters_fd(const struct gp_squatters *q)
{
	return gp_scan_worker_fd(q->w);
}

void gp_squatters_request(struct gp_squatters *q, const struct gp_config *cfg,
			  bool close, bool all, bool for_ctl)
{
	static struct gp_scan_request r;	/* 256 KiB of rules: not on the stack */

	memcpy(r.rules, cfg->rules, sizeof(r.rules));
	r.exempt = cfg->exempt;
	r.close = close || (q->pending && q->pending_close);
	r.all = all || (q->pending && q->pending_all);
	r.client = for_ctl || (q->pending && q->pending_ctl) ? 1 : -1;
	if (gp_scan_worker_request(q->w, &r)) {
		q->pending = false;
		q->running = true;
		return;
	}
	/* One is running: start this one after it. */
	q->pending_close = r.close;
	q->pending_all = r.all;
	q->pending_ctl = r.client >= 0;
	q->pending = true;
}

bool gp_squatters_ports_added(const __u32 *prev, const __u32 *next)
{
	size_t i;

	for (i = 0; i < GP_NR_PORTS; i++)
		if (GP_RULE_AUDIT(next[i]) & ~GP_RULE_AUDIT(prev[i]))
			return true;
	return false;
}

struct pass {
	gp_squat_emit_fn emit;
	void *ctx;
	bool all;
	FILE *json, *text;
	size_t reported, gone, closed, open;
	char buf[GP_FORMAT_BUF_SIZE];
};

static void report(struct pass *p, const struct gp_scan_sock *s, __u8 verdict)
{
	static struct gp_scan_event e;
	char line[768];
	int n;

	gp_scan_event_fill(&e, s, verdict);
	p->emit(p->ctx, &e.rec);
	if (p->json && (n = gp_format_json(&e.rec, p->buf, sizeof(p->buf))) > 0)
		fwrite(p->buf, 1, (size_t)n, p->json);
	if (p->text && (n = gp_format_text(&e.rec, p->buf, sizeof(p->buf))) > 0)
		fwrite(p->buf, 1, (size_t)n, p->text);
	gp_scan_close_line(s, line, sizeof(line));
	if (line[0] && s->close != GP_CLOSE_EXEMPT)
		fprintf(stderr, "%s\n", line);
	if (verdict == GP_VERDICT_GONE)
		p->gone++;
	else if (verdict == GP_VERDICT_CLOSED)
		p->closed++;
	else if (verdict == GP_VERDICT_OPEN)
		p->open++;
	else
		p->reported++;
}

static void on_sock(void *ctx, const struct gp_scan_sock *s,
		    enum gp_scan_seen seen)
{
	struct pass *p = ctx;

	/* A known socket again only when asked, or when this scan did
	 * something to it (closed it, or failed to). */
	if (seen == GP_SEEN_KNOWN && !p->all && s->close != GP_CLOSE_DONE &&
	    s->close != GP_CLOSE_FAILED)
		return;
	report(p, s, gp_scan_verdict(s));
}

static void on_gone(void *ctx, const struct gp_scan_sock *s)
{
	report(ctx, s, GP_VERDICT_GONE);
}

bool gp_squatters_take(struct gp_squatters *q, const struct gp_config *cfg,
		       gp_squat_emit_fn emit, void *ctx, struct gp_status *st,
		       struct gp_squat_answer *a)
{
	static struct gp_scan_request req;
	static struct pass p;
	struct gp_scan_result r;
	char err[256];
	bool ok;

	memset(a, 0, sizeof(*a));
	if (!gp_scan_worker_take(q->w, &r, &req, &ok, err, sizeof(err)))
		return false;
	q->running = false;
	a->for_ctl = req.client >= 0;
	if (!ok) {
		st->scan_failures++;
		snprintf(a->summary, sizeof(a->summary),
			 "ghostport: scan failed: %s", err);
		fprintf(stderr, "%s\n", a->summary);
	} else {
		memset(&p, 0, sizeof(p));
		p.emit = emit;
		p.ctx = ctx;
		p.all = req.all;
		if (a->for_ctl) {
			p.json = open_memstream(&a->json, &a->json_len);
			p.text = open_memstream(&a->text, &a->text_len);
		}
		/* Gone is judged against the rules in force now. */
		gp_scan_track_update(q->track, &r, cfg->rules, on_sock, on_gone,
				     &p);
		if (p.json)
			fclose(p.json);
		if (p.text)
			fclose(p.text);
		st->scans++;
		st->scan_last_ms = r.total_ns / 1000000;
		st->scan_tracked = gp_scan_track_count(q->track);
		gp_scan_summary_line(&r, p.reported, p.gone, p.closed, p.open,
				     a->summary, sizeof(a->summary));
		fprintf(stderr, "%s\n", a->summary);
		gp_scan_free(&r);
	}
	if (q->pending)
		gp_squatters_request(q, cfg, q->pending_close, q->pending_all,
				     q->pending_ctl);
	return true;
}

void gp_squat_answer_free(struct gp_squat_answer *a)
{
	free(a->json);
	free(a->text);
	a->json = a->text = NULL;
}
