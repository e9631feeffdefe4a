/* view_kill.c - -K: destroy the sockets the filter selects (SOCK_DESTROY), or list them
 * (--dry-run). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "model/columns.h"
#include "query/diag_destroy.h"
#include "query/netns.h"
#include "query/nlsock.h"
#include "render/colfmt.h"
#include "render/output.h"
#include "views/run.h"
#include "views/views.h"

/* The sockets to destroy and what became of each. */
struct destroy {
	const struct sock_set *set;
	int *errs;
	char *why; /* the kernel's words for the failure of set->v[why_at] ("" if none) */
	size_t why_sz;
	size_t why_at; /* the lowest index that failed so far */
};

/*
 * Inside one namespace (e NULL: the current one), destroy its sockets: those tagged with
 * it, or every socket when untagged (-N walks exactly one namespace, and without -N there
 * is only this one). A namespace that could not be entered fails its sockets with that
 * error.
 */
static int destroy_visit(const struct netns_ent *e, int err, void *data)
{
	struct destroy *k = data;
	const struct sock_set *set = k->set;
	struct diag_destroyer *d = NULL;
	bool opened = false;

	for (size_t i = 0; i < set->n; i++) {
		if (e && set->v[i].netns && set->v[i].netns != e->ino)
			continue;
		if (err == 0 && !opened) {
			err = diag_destroyer_open(&d);
			opened = true;
		}
		k->errs[i] = err < 0 ? err : diag_destroy(d, &set->v[i]);
		if (k->errs[i] < 0 && i < k->why_at) {
			k->why_at = i;
			snprintf(k->why, k->why_sz, "%s",
				 err < 0 ? "" : diag_destroyer_error_text(d));
		}
	}
	diag_destroyer_close(d);
	return 0;
}

/* Visit every namespace the dump walked; a socket is destroyed from inside its own. */
static int destroy_all(const struct run_ctx *ctx, const struct sock_set *set, int *errs,
		       char *why, size_t why_sz)
{
	struct destroy k = {set, errs, why, why_sz, SIZE_MAX};
	int back;

	netns_for_each(ctx->cstate->netns, destroy_visit, &k, &back);
	if (back < 0)
		return run_error(ctx, back,
				 _("cannot return to the original network namespace: %s"),
				 strerror(-back));
	return 0;
}

/* The error for main.c: how many failed, and why the first one did (with the kernel's
 * own words when it sent some). */
static int report_failures(const struct run_ctx *ctx, const struct sock_set *set,
			   const int *errs, const char *why)
{
	size_t failed = 0;
	int first = 0;

	for (size_t i = 0; i < set->n; i++) {
		if (errs[i] < 0) {
			failed++;
			first = first ? first : errs[i];
		}
	}
	if (!failed)
		return 0;
	/* -EINVAL would read as a usage error (exit 2): a refused destroy is a runtime
	 * one. */
	return run_error(ctx, first == -EINVAL ? -EPROTO : first,
			 ngettext("could not destroy %zu of %zu socket: %s%s%s",
				  "could not destroy %zu of %zu sockets: %s%s%s", set->n),
			 failed, set->n, diag_destroy_strerror(first), why[0] ? ": " : "",
			 why);
}

int view_kill(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct column_list cols;
	struct collect c;
	const char *bad = NULL;
	char why[NLSOCK_EXT_MSG_MAX] = "";
	int *errs, err;

	struct output out;
	output_init(&out, ctx->out, o, ctx->term);
	if (!output_has(&out, OUTPUT_KILL))
		return run_error(ctx, -EINVAL, _("'--format %s' has no form for --kill"),
				 format_name(out.format));
	if (!ctx->filter)
		return run_error(
		    ctx, -EINVAL,
		    _("refusing to destroy every socket: '--kill' needs a filter "
		      "(for example --dport 8080 or 'state close-wait')"));
	err = column_list_build(o->columns, run_column_groups(o), &cols, &bad);
	if (err == -EEXIST)
		return run_error(ctx, -EINVAL,
				 _("column '%s' is given twice in --columns"), bad);
	if (err < 0)
		return run_error(ctx, -EINVAL,
				 _("unknown column '%s' (see --list-columns)"),
				 bad ? bad : "?");
	struct query q = *ctx->query;
	q.needs = column_list_needs(&cols);
	err = collect_sockets(&q, ctx->cstate, &c);
	if (err < 0) {
		collect_done(&c);
		return err;
	}
	/* An owner term cannot be decided for a socket whose owner we could not look up:
	 * "not process x" would select it. Destroying on a guess is not an option. */
	if (ctx->query->filter.needs_procs && (c.pstats.failed || c.pstats.denied)) {
		collect_done(&c);
		return run_error(
		    ctx, c.pstats.failed ? -c.pstats.fail_errno : -EACCES,
		    ngettext(
			"refusing to destroy: the filter names owners, but %u process "
			"could not be examined (%s), so which sockets it owns is unknown",
			"refusing to destroy: the filter names owners, but %u processes "
			"could not be examined (%s), so which sockets they own is unknown",
			c.pstats.failed + c.pstats.denied),
		    c.pstats.failed + c.pstats.denied,
		    c.pstats.failed ? strerror(c.pstats.fail_errno)
				    : _("permission denied"));
	}
	if (!c.socks.n) {
		run_note(ctx, _("no socket matches the filter: nothing to destroy"));
		struct report_kill none = {
		    .set = &c.socks, .dry_run = o->dry_run, .cols = &cols};
		/* JSON stays a document, with no sockets in it */
		err = output_format_human(out.format) ? 0 : output_kill(&out, &none);
		collect_done(&c);
		return err;
	}
	errs = calloc(c.socks.n, sizeof(*errs));
	if (!errs) {
		collect_done(&c);
		return run_error(ctx, -ENOMEM, _("out of memory"));
	}
	if (!o->dry_run)
		err = destroy_all(ctx, &c.socks, errs, why, sizeof(why));
	struct col_ctx cc = {.procs = c.procs,
			     .resolve = o->resolve,
			     .multi_netns = o->all_netns,
			     .netns = ctx->cstate->netns,
			     .cgroups = ctx->cstate->cgroups};
	const char **reasons = calloc(c.socks.n, sizeof(*reasons));
	if (!reasons)
		err = -ENOMEM;
	for (size_t i = 0; reasons && i < c.socks.n; i++)
		reasons[i] = errs[i] ? diag_destroy_strerror(errs[i]) : NULL;
	if (err == 0) {
		struct report_kill r = {.set = &c.socks,
					.errs = errs,
					.why = reasons,
					.dry_run = o->dry_run,
					.header = !o->no_header,
					.cols = &cols,
					.cc = &cc};
		err = output_kill(&out, &r);
	}
	free(reasons);
	if (err == -ENOMEM)
		err = run_error(ctx, err, _("out of memory"));
	if (err == 0)
		err = report_failures(ctx, &c.socks, errs, why);
	free(errs);
	collect_done(&c);
	return err;
}
