/* main.c - wires the stages together and is the only place that prints errors or exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate/hist.h"
#include "aggregate/summary.h"
#include "base/atomic_file.h"
#include "base/bigmem.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "filter/filter.h"
#include "filter/filter_query.h"
#include "query/cgroups.h"
#include "query/query.h"
#include "render/output.h"
#include "render/term.h"
#include "render/term_cut.h"
#include "views/run.h"
#include "views/views.h"
#include "views/watch.h"
#include "config.h"

/*
 * Messages in the user's language: LANGUAGE, LC_ALL, LC_MESSAGES and LANG as gettext
 * reads them (C, POSIX or a missing catalog give English). TCPSTATE_LOCALEDIR points a
 * test at the catalogs of a build tree (po/LANG/LC_MESSAGES); secure_getenv, so never
 * set-uid.
 */
static void i18n_setup(void)
{
	const char *dir = secure_getenv("TCPSTATE_LOCALEDIR");

	setlocale(LC_ALL, "");
	bindtextdomain(I18N_DOMAIN, dir && *dir ? dir : TCPSTATE_LOCALEDIR);
	textdomain(I18N_DOMAIN);
}

/* One entry per view; each lives in its own file. */
static const struct {
	enum view view;
	int (*run)(const struct run_ctx *ctx);
	bool needs_filter;
	bool repeats_itself; /* handles -c itself: not wrapped in watch_run */
	bool live_notes;     /* runs until stopped: notes go to stderr when they happen */
} views[] = {
    {VIEW_LIST, view_list, true},
    {VIEW_KILL, view_kill, true},
    {VIEW_DOCTOR, view_doctor, true},
    {VIEW_EXPLAIN, view_explain, false},
    {VIEW_DIAGRAM, view_diagram, true},
    {VIEW_SUMMARY, view_summary, true},
    {VIEW_HIST, view_hist, true},
    {VIEW_EVENTS, view_events, true, .live_notes = true},
    {VIEW_LIST_COLUMNS, view_list_columns, false},
    {VIEW_COMPLETE, view_complete, false},
    {VIEW_LAB, view_lab, true, true}, /* --lab wraps the view in opts.view */
};

/*
 * One line on stderr. Messages quote the user's arguments and names from /proc: escape
 * them as the listing does, so `-N $'\e]0;X\a'` or a bidi override cannot drive the
 * terminal or reorder the line.
 */
static void print_line(const char *prefix, const char *msg)
{
	size_t len = strlen(msg);
	char *esc = malloc(4 * len + 1);

	if (esc)
		escape_name(msg, esc, 4 * len + 1);
	fprintf(stderr, "tcpstate: %s%s\n", prefix, esc ? esc : _("out of memory"));
	free(esc);
}

/* A note, as soon as it is made (-E) or after the output. */
static void print_note(const char *note)
{
	print_line(_("note: "), note);
}

static void print_msgs(const struct msgs *m)
{
	for (int i = 0; i < m->n_notes && !m->live; i++)
		print_note(m->notes[i]);
}

/*
 * A descriptor 0-2 the caller closed would be reused by the first socket or file we open,
 * and the listing or the error messages written into it (`-c >&-` wrote into the timerfd,
 * `--record F 2>&-` would write errors into F): hold them with /dev/null. Returns false
 * when stdout itself was closed, since nothing we print could go anywhere.
 */
static bool std_fds_open(void)
{
	bool out_open = fcntl(STDOUT_FILENO, F_GETFD) >= 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
	return out_open;
}

/* Flush stdout and turn a failed write into exit 1 with one line, unless it was reported
 * already (a view that failed because stdout did). Exit 1 whatever the view said:
 * --doctor's 3 ("found something") would hide that nobody could read what it found. */
static int finish_output(int status, bool reported, bool pipe_ok)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno ? errno : EIO;
		if (pipe_ok)
			return status; /* -c | head: the reader had enough (EPIPE) */
		if (!reported)
			fprintf(stderr, _("tcpstate: cannot write the output: %s\n"),
				strerror(e));
		return status == 2 ? 2 : 1;
	}
	return status;
}

/* The entry of views[] for a view, or NULL. */
static int find_view(enum view v)
{
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (views[i].view == v)
			return (int)i;
	return -1;
}

/*
 * On a terminal, human output is cut at its width rather than wrapped, whatever the view,
 * and every cut line ends with a marker; -W turns cutting off (JSON, CSV and OpenMetrics
 * are never cut). -c cuts its frames itself: it moves the
 * cursor, which a line-by-line cut cannot follow.
 */
static FILE *open_output(const struct opts *o, const struct term *term)
{
	if (term->tty && term->width > 0 && output_format_human(o->format) &&
	    o->continuous <= 0 && !o->wide) {
		FILE *cut = term_cut_open(stdout, STDOUT_FILENO, term->width,
					  term_cut_marker(term->utf8));
		if (cut)
			return cut;
	}
	return stdout;
}

/*
 * Print what a view left behind and turn its return into an exit status. A view that
 * failed because stdout did (> /dev/full) gets one line naming the write's errno, not a
 * bare "Input/output error" plus finish_output's. *ret_reported says a write error was
 * already reported.
 */
static int report(int ret, int werr, const struct opts *o, const struct msgs *msgs,
		  const struct collect_state *cstate, bool *ret_reported)
{
	const struct diag_stats *stats = &cstate->stats;
	int status = ret;

	print_msgs(msgs);
	if (ret == -EPIPE && !msgs->error) {
		/* -c or -E into `| head`: the reader went away, which ends an endless
		 * view as SIGPIPE ends a one-shot one, quietly */
		*ret_reported = true;
		status = 0;
	} else if (ret < 0) {
		bool out_failed = fflush(stdout) != 0 || ferror(stdout);
		if (msgs->error || !out_failed)
			print_line("", msgs->error ? msgs->error : strerror(-ret));
		else
			fprintf(stderr, _("tcpstate: cannot write the output: %s\n"),
				strerror(werr ? werr : EIO));
		*ret_reported = out_failed;
		status = ret == -EINVAL ? 2 : 1;
	}
	if (o->stats)
		fprintf(stderr,
			"tcpstate: stats: bytes=%llu messages=%llu sockets=%llu recvs=%u "
			"restarts=%u procs=%llu\n",
			(unsigned long long)stats->bytes, (unsigned long long)stats->msgs,
			(unsigned long long)stats->socks, stats->recvs, stats->restarts,
			(unsigned long long)cstate->procs_read);
	/* the cgroup map is walked lazily: a line only when it was */
	if (o->stats && cstate->cgroups && cgmap_stats(cstate->cgroups).walks)
		fprintf(stderr, "tcpstate: stats: cgroup walks=%u cgroups=%u\n",
			cgmap_stats(cstate->cgroups).walks,
			cgmap_stats(cstate->cgroups).entries);
	return status;
}

/* Why --output FILE cannot be written, for "cannot write 'FILE': why". */
static const char *output_error(int err)
{
	return err == -EINVAL ? _("not a regular file") : strerror(-err);
}

/* "cannot write 'FILE': why", the name escaped as every message quotes it. */
static void write_error(const char *file, int err)
{
	char *msg;

	if (asprintf(&msg, _("cannot write '%s': %s"), file, output_error(err)) < 0)
		msg = NULL;
	print_line("", msg ? msg : _("cannot write the output file"));
	free(msg);
}

/*
 * --output FILE: the view writes into a temporary file next to FILE, and only a view that
 * succeeded replaces FILE (rename), so a reader sees the old output or the new, never a
 * part and never an error's half. Not a terminal: no cut, colour only when asked.
 */
static int open_file_output(const struct opts *o, struct term *term,
			    struct atomic_file *af, FILE **ret_out)
{
	int r = atomic_file_open(o->output, 0644, af);

	if (r < 0)
		return r;
	*ret_out = atomic_file_stream(af);
	if (!*ret_out) {
		r = -errno;
		atomic_file_abort(af);
		return r;
	}
	term->tty = false;
	term->width = term->height = 0;
	term->color = o->color == COLOR_ALWAYS;
	return 0;
}

/* Where the view writes: --output's temporary file, or stdout (cut at a terminal's
 * width). Returns 0 or a negative errno (--output's file cannot be made). */
static int setup_output(const struct opts *o, struct term *term, struct atomic_file *af,
			FILE **ret_out)
{
	if (o->output)
		return open_file_output(o, term, af, ret_out);
	*ret_out = open_output(o, term);
	return 0;
}

/* Replace --output's file after the view ran (status 0, or 3 from --doctor), or throw the
 * temporary file away. Returns the exit status. */
static int close_file_output(const struct opts *o, struct atomic_file *af, int status)
{
	int r;

	if (status != 0 && status != 3) {
		atomic_file_abort(af);
		return status;
	}
	r = atomic_file_commit(af);
	if (r < 0) {
		write_error(o->output, r);
		return 1;
	}
	return status;
}

int main(int argc, const char **argv)
{
	static char outbuf[1 << 16];
	struct msgs msgs = {0};
	struct collect_state cstate = {.msgs = &msgs};
	struct filter *filter = NULL;
	struct query query;
	void *bytecode = NULL;
	struct atomic_file af = {0};
	struct opts o = {0};
	struct term term;
	char *err_text = NULL;
	int ret, v, status = 0;
	bool reported = false;

	bigmem_init();
	if (!std_fds_open()) {
		fprintf(stderr, _("tcpstate: cannot write the output: %s\n"),
			strerror(EBADF));
		return 1;
	}
	i18n_setup();
	/* `tcpstate | head -1`: die quietly of SIGPIPE like every filter-friendly tool.
	 */
	signal(SIGPIPE, SIG_DFL);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	ret = cli_parse(argc, argv, &o, &err_text);
	if (ret == 0 && (v = find_view(o.lab ? VIEW_LAB : o.view)) >= 0 &&
	    views[v].needs_filter)
		ret = filter_build(&o, &filter, &err_text);
	/* The cgroup map reads nothing until a column, key or filter asks for an ID. */
	if (ret == 0)
		ret = cgmap_new(&cstate.cgroups);
	if (ret == 0 && filter_needs_cgroups(filter))
		ret = filter_bind_cgroups(filter, cstate.cgroups, &err_text);
	if (ret != 0) {
		if (ret < 0) {
			print_line("", err_text ? err_text : strerror(-ret));
			status = 2;
		}
		goto out;
	}
	if (v < 0) {
		fprintf(stderr, _("tcpstate: this view is not implemented\n"));
		status = 1;
		goto out;
	}
	if (views[v].live_notes)
		msgs.live = print_note;
	term_probe(o.color, &term);
	/* Human output in a locale that is not UTF-8 is ASCII; JSON, CSV and OpenMetrics
	 * do not depend on the locale. */
	escape_set_ascii(!term.utf8 && output_format_human(o.format));

	/* -c and -E never end by themselves: a reader that goes away (`| head`) ends them
	 * with EPIPE, and they stop quietly with status 0 instead of dying of SIGPIPE. */
	if (o.continuous > 0 || o.view == VIEW_EVENTS)
		signal(SIGPIPE, SIG_IGN);
	FILE *out = stdout;
	if ((ret = setup_output(&o, &term, &af, &out)) < 0) {
		write_error(o.output, ret);
		status = 1;
		goto out;
	}
	struct run_ctx ctx = {.opts = &o,
			      .filter = filter,
			      .query = &query,
			      .term = &term,
			      .out = out,
			      .msgs = &msgs,
			      .cstate = &cstate};
	query_from_opts(&o, &query);
	ret = filter_query(filter, &query.filter, &bytecode);
	if (ret < 0)
		msgs_error(&msgs, ret, _("cannot compile the filter for the kernel: %s"),
			   strerror(-ret));
	else
		ret = o.continuous > 0 && !views[v].repeats_itself
			  ? watch_run(&ctx, views[v].run)
			  : views[v].run(&ctx);
	int werr = errno; /* a failed write's errno, before anything else changes it */
	if (out != stdout && !o.output)
		fclose(out); /* unbuffered: everything is in stdout already */
	status = report(ret, werr, &o, &msgs, &cstate, &reported);
	if (o.output)
		status = close_file_output(&o, &af, status);
out:
	status = finish_output(status, reported, ret == -EPIPE && !msgs.error);
	filter_free(filter);
	free(bytecode);
	collect_state_done(&cstate);
	msgs_done(&msgs);
	free(err_text);
	cli_done(&o);
	return status;
}
