/* view_kill.c - -K: destroy the sockets the filter selects (SOCK_DESTROY), or list them
 * (--dry-run). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter.h"
#include "model/columns.h"
#include "query/diag_destroy.h"
#include "query/netns.h"
#include "render/output.h"
#include "views/run.h"
#include "views/views.h"

/* Destroy the sockets of one namespace (the one this thread is in) that want[i] selects.
 */
static void destroy_here(const struct sock_set *set, const bool *want, int *errs)
{
	struct diag_destroyer *d;
	int err = diag_destroyer_open(&d);

	for (size_t i = 0; i < set->n; i++) {
		if (!want[i])
			continue;
		errs[i] = err < 0 ? err : diag_destroy(d, &set->v[i]);
	}
	diag_destroyer_close(d);
}

/* Visit every namespace the dump walked; a socket is destroyed from inside its own. */
static int destroy_all(const struct run_ctx *ctx, const struct sock_set *set, int *errs)
{
	const struct netns_list *l = ctx->msgs->netns;
	bool *want = calloc(set->n + 1, sizeof(*want));

	if (!want)
		return -ENOMEM;
	if (!l) {
		for (size_t i = 0; i < set->n; i++)
			want[i] = true;
		destroy_here(set, want, errs);
		free(want);
		return 0;
	}
	for (size_t k = 0; k < l->n; k++) {
		bool any = false;
		int saved, err;
		/* Untagged sockets come from -N, which walks exactly one namespace. */
		for (size_t i = 0; i < set->n; i++) {
			want[i] = set->v[i].netns == l->v[k].ino || !set->v[i].netns;
			any = any || want[i];
		}
		if (!any)
			continue;
		err = netns_enter(&l->v[k], &saved);
		if (err < 0) {
			for (size_t i = 0; i < set->n; i++)
				if (want[i])
					errs[i] = err;
			continue;
		}
		destroy_here(set, want, errs);
		err = netns_return(saved);
		if (err < 0) {
			free(want);
			return run_error(
			    ctx, err,
			    "cannot return to the original network namespace: %s",
			    strerror(-err));
		}
	}
	free(want);
	return 0;
}

/* The error for main.c: how many failed, and why the first one did. */
static int report_failures(const struct run_ctx *ctx, const struct sock_set *set,
			   const int *errs)
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
			 "could not destroy %zu of %zu socket%s: %s", failed, set->n,
			 set->n == 1 ? "" : "s", diag_destroy_strerror(first));
}

int view_kill(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct column_list cols;
	struct collect c;
	const char *bad = NULL;
	int *errs, err;

	struct output out;
	output_init(&out, ctx->out, o, ctx->term);
	if (!output_has(&out, OUTPUT_KILL))
		return run_error(ctx, -EINVAL, "'--format %s' has no form for --kill",
				 format_name(out.format));
	if (!ctx->filter)
		return run_error(
		    ctx, -EINVAL,
		    "refusing to destroy every socket: '--kill' needs a filter "
		    "(for example --dport 8080 or 'state close-wait')");
	err = column_list_build(o, o->all_netns, &cols, &bad);
	if (err == -EEXIST)
		return run_error(ctx, -EINVAL, "column '%s' is given twice in --columns",
				 bad);
	if (err < 0)
		return run_error(ctx, -EINVAL, "unknown column '%s' (see --list-columns)",
				 bad ? bad : "?");
	err = collect_sockets(ctx, column_list_needs(&cols), &c);
	if (err < 0) {
		collect_done(&c);
		return err;
	}
	/* An owner term cannot be decided for a socket whose owner we could not look up:
	 * "not process x" would select it. Destroying on a guess is not an option. */
	if (filter_needs_procs(ctx->filter) && (c.pstats.failed || c.pstats.denied)) {
		collect_done(&c);
		return run_error(
		    ctx, c.pstats.failed ? -c.pstats.fail_errno : -EACCES,
		    "refusing to destroy: the filter names owners, but %u process%s could "
		    "not be examined (%s), so which sockets they own is unknown",
		    c.pstats.failed + c.pstats.denied,
		    c.pstats.failed + c.pstats.denied == 1 ? "" : "es",
		    c.pstats.failed ? strerror(c.pstats.fail_errno)
				    : "permission denied");
	}
	if (!c.socks.n) {
		run_note(ctx, "no socket matches the filter: nothing to destroy");
		struct report_kill none = {&c.socks, NULL,  NULL, o->dry_run,
					   false,    &cols, NULL};
		/* JSON stays a document, with no sockets in it */
		err = output_format_human(out.format) ? 0 : output_kill(&out, &none);
		collect_done(&c);
		return err;
	}
	errs = calloc(c.socks.n, sizeof(*errs));
	if (!errs) {
		collect_done(&c);
		return run_error(ctx, -ENOMEM, "out of memory");
	}
	if (!o->dry_run)
		err = destroy_all(ctx, &c.socks, errs);
	struct col_ctx cc = {.procs = c.procs,
			     .resolve = o->resolve,
			     .multi_netns = o->all_netns,
			     .netns = ctx->msgs->netns};
	const char **why = calloc(c.socks.n, sizeof(*why));
	if (!why)
		err = -ENOMEM;
	for (size_t i = 0; why && i < c.socks.n; i++)
		why[i] = errs[i] ? diag_destroy_strerror(errs[i]) : NULL;
	if (err == 0) {
		struct report_kill r = {.set = &c.socks,
					.errs = errs,
					.why = why,
					.dry_run = o->dry_run,
					.header = !o->no_header,
					.cols = &cols,
					.cc = &cc};
		err = output_kill(&out, &r);
	}
	free(why);
	if (err == -ENOMEM)
		err = run_error(ctx, err, "out of memory");
	if (err == 0)
		err = report_failures(ctx, &c.socks, errs);
	free(errs);
	collect_done(&c);
	return err;
}
