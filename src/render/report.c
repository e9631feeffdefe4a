/* report.c - --doctor's findings and -K's results as text, JSON and JSON lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "render/colfmt.h"
#include "render/fmt_json.h"
#include "render/report.h"
#include "render/textwrap.h"

/* A -K row's cells and the column header above the result word. */
#define KILL_RESULT_HEADER "Result"
#define KILL_CELL_MAX 1024

int report_doctor_text(FILE *out, const struct report_doctor *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct report_finding *f = &d->v[i];
		const char *msg = f->message ? f->message : "";
		char *line = NULL, lead[64];
		/* KIND stays English; the rest is translated, and on a terminal wrapped
		 * under a hanging indent by textwrap, which also breaks between CJK
		 * characters */
		if (f->netns &&
		    asprintf(&line, _("in network namespace %s: %s"), f->netns, msg) < 0)
			return -ENOMEM;
		snprintf(lead, sizeof(lead), "%s: ", f->kind);
		if (d->width > 0)
			textwrap_write(out, lead, (int)strlen(lead), line ? line : msg,
				       d->width);
		else
			fprintf(out, "%s%s\n", lead, line ? line : msg);
		free(line);
	}
	if (!d->n && !d->quiet_ok)
		fprintf(out,
			ngettext("no problems found in %zu socket\n",
				 "no problems found in %zu sockets\n", d->sockets),
			d->sockets);
	return ferror(out) ? -EIO : 0;
}

static void put_finding(FILE *out, const struct report_finding *f)
{
	fputs("{\"kind\":", out);
	fmt_json_string(out, f->kind);
	fputs(",\"netns\":", out);
	fmt_json_string(out, f->netns);
	fputs(",\"message\":", out);
	fmt_json_string(out, f->message);
	putc('}', out);
}

int report_doctor_json(FILE *out, const struct report_doctor *d, bool lines)
{
	if (!lines)
		fprintf(out, "{\"version\":%d,\"doctor\":{\"sockets\":%zu,\"findings\":[",
			FMT_JSON_VERSION, d->sockets);
	for (size_t i = 0; i < d->n; i++) {
		if (!lines)
			fputs(i ? ",\n" : "\n", out);
		put_finding(out, &d->v[i]);
		if (lines)
			putc('\n', out);
	}
	if (!lines)
		fputs(d->n ? "\n]}}\n" : "]}}\n", out);
	return ferror(out) ? -EIO : 0;
}

const char *report_kill_result(const struct report_kill *k, size_t i)
{
	if (k->dry_run)
		return N_("would destroy");
	return k->errs[i] ? N_("not destroyed") : N_("destroyed");
}

/* The cells of one row: the result, the chosen columns, and why it failed. */
static int row_cells(const struct report_kill *k, size_t i, char **cells)
{
	const struct column_list *cols = k->cols;
	char buf[KILL_CELL_MAX];

	cells[0] = strdup(_(report_kill_result(k, i))); /* JSON: English */
	for (int c = 0; c < cols->n; c++) {
		colfmt_cell(cols->v[c], &k->set->v[i], k->cc, buf, sizeof(buf));
		cells[c + 1] = strdup(buf);
	}
	cells[cols->n + 1] = strdup(k->why[i] ? _(k->why[i]) : ""); /* JSON: English */
	for (int c = 0; c < cols->n + 2; c++)
		if (!cells[c])
			return -ENOMEM;
	return 0;
}

/* Print the rows, aligned like the listing: Result, the columns, then the reason. */
static void print_rows(FILE *out, const struct report_kill *k, char **cells,
		       const size_t *width)
{
	const struct column_list *cols = k->cols;
	size_t ncells = (size_t)cols->n + 2;

	for (size_t r = k->header ? 0 : 1; r <= k->set->n; r++) {
		char **row = cells + r * ncells;
		fprintf(out, "%-*s", (int)width[0], row[0]);
		for (int c = 0; c < cols->n; c++) {
			bool last = c == cols->n - 1 && !row[ncells - 1][0];
			int w = last && !cols->v[c]->right ? 0 : (int)width[c + 1];
			fprintf(out, cols->v[c]->right ? " %*s" : " %-*s", w, row[c + 1]);
		}
		if (row[ncells - 1][0])
			fprintf(out, "  %s", row[ncells - 1]);
		fputc('\n', out);
	}
}

int report_kill_text(FILE *out, const struct report_kill *k)
{
	const struct column_list *cols = k->cols;
	size_t ncells = (size_t)cols->n + 2, n = k->set->n;
	char **cells = calloc((n + 1) * ncells, sizeof(*cells));
	size_t width[COLUMNS_MAX + 2] = {0};
	int err = 0;

	if (!cells)
		return -ENOMEM;
	cells[0] = strdup(KILL_RESULT_HEADER);
	for (int c = 0; c < cols->n; c++)
		cells[c + 1] = strdup(cols->v[c]->header);
	cells[ncells - 1] = strdup("");
	for (size_t i = 0; i < n && err == 0; i++)
		err = row_cells(k, i, cells + (i + 1) * ncells);
	for (size_t i = 0; i < (n + 1) * ncells && err == 0; i++) {
		if (!cells[i]) {
			err = -ENOMEM;
			break;
		}
		size_t w = strlen(cells[i]);
		if (w > width[i % ncells])
			width[i % ncells] = w;
	}
	if (err == 0)
		print_rows(out, k, cells, width);
	for (size_t i = 0; i < (n + 1) * ncells; i++)
		free(cells[i]);
	free(cells);
	if (err == 0 && ferror(out))
		err = -EIO;
	return err;
}

int report_kill_json(FILE *out, const struct report_kill *k, bool lines)
{
	if (!lines)
		fprintf(out, "{\"version\":%d,\"kill\":{\"dry_run\":%s,\"sockets\":[",
			FMT_JSON_VERSION, k->dry_run ? "true" : "false");
	for (size_t i = 0; i < k->set->n; i++) {
		if (!lines)
			fputs(i ? ",\n" : "\n", out);
		putc('{', out);
		fmt_json_sock_fields(out, &k->set->v[i], k->cols, k->cc);
		fputs(k->cols->n ? ",\"result\":" : "\"result\":", out);
		fmt_json_string(out, report_kill_result(k, i));
		fputs(",\"error\":", out);
		fmt_json_string(out, k->why[i]);
		putc('}', out);
		if (lines)
			putc('\n', out);
	}
	if (!lines)
		fputs(k->set->n ? "\n]}}\n" : "]}}\n", out);
	return ferror(out) ? -EIO : 0;
}
