/* view_kill.c - -K: destroy the sockets the filter selects (SOCK_DESTROY), or list them
 * (--dry-run). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/columns.h"
#include "query/diag_destroy.h"
#include "query/netns.h"
#include "query/nlsock.h"
#include "render/colfmt.h"
#include "views/run.h"
#include "views/views.h"

/* A row's result: what happened to the socket, and the column header above it. */
#define KILL_RESULT_HEADER "Result"
#define KILL_CELL_MAX 1024

static const char *result_word(int err, bool dry_run)
{
	if (dry_run)
		return "would destroy";
	return err ? "not destroyed" : "destroyed";
}

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
				 "cannot return to the original network namespace: %s",
				 strerror(-back));
	return 0;
}

/* The cells of one row: the result, the chosen columns, and why it failed. */
static int row_cells(const struct sock_rec *s, int err, const struct run_ctx *ctx,
		     const struct column_list *cols, const struct col_ctx *cc,
		     char **cells)
{
	char buf[KILL_CELL_MAX];

	cells[0] = strdup(result_word(err, ctx->opts->dry_run));
	for (int c = 0; c < cols->n; c++) {
		colfmt_cell(cols->v[c], s, cc, buf, sizeof(buf));
		cells[c + 1] = strdup(buf);
	}
	cells[cols->n + 1] = strdup(err ? diag_destroy_strerror(err) : "");
	for (int c = 0; c < cols->n + 2; c++)
		if (!cells[c])
			return -ENOMEM;
	return 0;
}

/* Print the report, aligned like the listing: Result, the columns, then the reason. */
static int print_report(const struct run_ctx *ctx, const struct sock_set *set,
			const int *errs, const struct column_list *cols,
			const struct col_ctx *cc)
{
	size_t ncells = (size_t)cols->n + 2;
	char **cells = calloc((set->n + 1) * ncells, sizeof(*cells));
	size_t width[COLUMNS_MAX + 2] = {0};
	int err = 0;

	if (!cells)
		return -ENOMEM;
	cells[0] = strdup(KILL_RESULT_HEADER);
	for (int c = 0; c < cols->n; c++)
		cells[c + 1] = strdup(cols->v[c]->header);
	cells[ncells - 1] = strdup("");
	for (size_t i = 0; i < set->n && err == 0; i++)
		err = row_cells(&set->v[i], errs[i], ctx, cols, cc,
				cells + (i + 1) * ncells);
	for (size_t i = 0; i < (set->n + 1) * ncells && err == 0; i++) {
		if (!cells[i]) {
			err = -ENOMEM;
			break;
		}
		size_t w = strlen(cells[i]);
		if (w > width[i % ncells])
			width[i % ncells] = w;
	}
	for (size_t r = ctx->opts->no_header ? 1 : 0; r <= set->n && err == 0; r++) {
		char **row = cells + r * ncells;
		fprintf(ctx->out, "%-*s", (int)width[0], row[0]);
		for (int c = 0; c < cols->n; c++) {
			bool last = c == cols->n - 1 && !row[ncells - 1][0];
			int w = last && !cols->v[c]->right ? 0 : (int)width[c + 1];
			fprintf(ctx->out, cols->v[c]->right ? " %*s" : " %-*s", w,
				row[c + 1]);
		}
		if (row[ncells - 1][0])
			fprintf(ctx->out, "  %s", row[ncells - 1]);
		fputc('\n', ctx->out);
	}
	for (size_t i = 0; i < (set->n + 1) * ncells; i++)
		free(cells[i]);
	free(cells);
	if (err == 0 && ferror(ctx->out))
		err = -EIO;
	return err;
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
			 "could not destroy %zu of %zu socket%s: %s%s%s", failed, set->n,
			 set->n == 1 ? "" : "s", diag_destroy_strerror(first),
			 why[0] ? ": " : "", why);
}

int view_kill(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct column_list cols;
	struct collect c;
	const char *bad = NULL;
	char why[NLSOCK_EXT_MSG_MAX] = "";
	int *errs, err;

	if (!ctx->filter)
		return run_error(
		    ctx, -EINVAL,
		    "refusing to destroy every socket: '--kill' needs a filter "
		    "(for example --dport 8080 or 'state close-wait')");
	err = column_list_build(o->columns, run_column_groups(o), &cols, &bad);
	if (err < 0)
		return run_error(ctx, -EINVAL, "unknown column '%s' (see --list-columns)",
				 bad ? bad : "?");
	struct query q = *ctx->query;
	q.needs = column_list_needs(&cols);
	err = collect_sockets(&q, ctx->cstate, &c);
	if (err < 0) {
		collect_done(&c);
		return err;
	}
	if (!c.socks.n) {
		run_note(ctx, "no socket matches the filter: nothing to destroy");
		collect_done(&c);
		return 0;
	}
	errs = calloc(c.socks.n, sizeof(*errs));
	if (!errs) {
		collect_done(&c);
		return run_error(ctx, -ENOMEM, "out of memory");
	}
	if (!o->dry_run)
		err = destroy_all(ctx, &c.socks, errs, why, sizeof(why));
	struct col_ctx cc = {.procs = c.procs,
			     .resolve = o->resolve,
			     .multi_netns = o->all_netns,
			     .netns = ctx->cstate->netns,
			     .cgroups = ctx->cstate->cgroups};
	if (err == 0)
		err = print_report(ctx, &c.socks, errs, &cols, &cc);
	if (err == -ENOMEM || err == -EIO)
		err =
		    run_error(ctx, err, "%s",
			      err == -EIO ? "cannot write the output" : "out of memory");
	if (err == 0)
		err = report_failures(ctx, &c.socks, errs, why);
	free(errs);
	collect_done(&c);
	return err;
}
