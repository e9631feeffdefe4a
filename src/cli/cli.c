/* cli.c - popt option tables; fills struct opts and nothing else. */
#include <errno.h>
#include <math.h>
#include <popt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "cli/cli.h"

/* Option values that need converting go through poptGetNextOpt's return value. */
enum {
	OPT_IPV4 = 1000,
	OPT_IPV6,
	OPT_FORMAT,
	OPT_JSON,
	OPT_COLOR,
	OPT_EVENTS_SOURCE,
	OPT_OWNERS_SOURCE,
	OPT_CONTINUOUS,
	OPT_INTERVAL,
	OPT_SUMMARY,
	OPT_HIST,
	OPT_EVENTS,
	OPT_DIAGRAM,
	OPT_DOCTOR,
	OPT_KILL,
	OPT_EXPLAIN,
	OPT_LIST_COLUMNS,
	OPT_COMPLETE,
	OPT_THRESHOLD,
	OPT_TOP,
	OPT_COUNT,
	OPT_VERSION,
	OPT_HELP,
	OPT_USAGE,
};

/* -n and -t only exist for muscle memory: they store into a scratch int. */
static int ignored_flag;

/* Converted arguments; cli_parse is called once per process. */
static const char *arg_events_source, *arg_owners_source;
static const char *arg_format, *arg_color, *arg_continuous, *arg_interval, *arg_hist;
/* --threshold values, kept in opts->thresholds (popt made them; cli_done frees them). */
static const char **bound_thresholds;
static int *bound_n_thresholds;
static const char *arg_explain, *arg_complete, *arg_threshold, *arg_top, *arg_count;

static struct poptOption select_opts[] = {
    {"all", 'a', POPT_ARG_NONE, NULL, 0,
     "every state, including LISTEN and bound-only (CLOSED) sockets", NULL},
    {"listening", 'l', POPT_ARG_NONE, NULL, 0, "only LISTEN sockets", NULL},
    {"ipv4", '4', POPT_ARG_NONE, NULL, OPT_IPV4, "only IPv4 sockets", NULL},
    {"ipv6", '6', POPT_ARG_NONE, NULL, OPT_IPV6, "only IPv6 sockets", NULL},
    {"numeric", 'n', POPT_ARG_NONE, &ignored_flag, 0,
     "numeric addresses and ports (the default)", NULL},
    {"tcp", 't', POPT_ARG_NONE, &ignored_flag, 0,
     "TCP sockets (the default; there is no other)", NULL},
    {"resolve", 'r', POPT_ARG_NONE, NULL, 0, "resolve host and service names", NULL},
    {"netns", 'N', POPT_ARG_STRING, NULL, 0,
     "the network namespace of TARGET: a name in /run/netns, a path, or a PID", "TARGET"},
    {"all-netns", '\0', POPT_ARG_NONE, NULL, 0,
     "every network namespace on the host, with a Netns column", NULL},
    POPT_TABLEEND};

static struct poptOption filter_opts[] = {
    {"state", '\0', POPT_ARG_STRING, NULL, 0,
     "only these states or groups (comma-separated, any spelling)", "LIST"},
    {"exclude", '\0', POPT_ARG_STRING, NULL, 0, "leave out these states or groups",
     "LIST"},
    {"port", '\0', POPT_ARG_STRING, NULL, 0,
     "local or remote port matches SPEC: 80, 80,443, 8000-8100, >1024 or a service",
     "SPEC"},
    {"sport", '\0', POPT_ARG_STRING, NULL, 0, "local port matches SPEC", "SPEC"},
    {"dport", '\0', POPT_ARG_STRING, NULL, 0, "remote port matches SPEC", "SPEC"},
    {"src", '\0', POPT_ARG_STRING, NULL, 0, "local address in ADDR[/PREFIX][:PORT]",
     "ADDR"},
    {"dst", '\0', POPT_ARG_STRING, NULL, 0, "remote address in ADDR[/PREFIX][:PORT]",
     "ADDR"},
    {"pid", '\0', POPT_ARG_STRING, NULL, 0, "sockets held by process PID", "PID"},
    {"process", '\0', POPT_ARG_STRING, NULL, 0,
     "sockets held by processes named NAME (a glob such as 'nginx*' too)", "NAME"},
    {"user", '\0', POPT_ARG_STRING, NULL, 0, "sockets owned by user NAME or UID", "USER"},
    POPT_TABLEEND};

static struct poptOption output_opts[] = {
    {"processes", 'p', POPT_ARG_NONE, NULL, 0, "show the PID/Program name of every owner",
     NULL},
    {"owners-source", '\0', POPT_ARG_STRING, &arg_owners_source, OPT_OWNERS_SOURCE,
     "where -p finds owners: auto, bpf or proc (default auto)", "SOURCE"},
    {"extended", 'e', POPT_ARG_NONE, NULL, 0, "show user, uid, inode and socket cookie",
     NULL},
    {"timers", 'o', POPT_ARG_NONE, NULL, 0, "show the running timer and its time left",
     NULL},
    {"info", 'i', POPT_ARG_NONE, NULL, 0,
     "show TCP internals (rtt, cwnd, retransmits...)", NULL},
    {"memory", 'm', POPT_ARG_NONE, NULL, 0, "show socket memory: buffers and drops",
     NULL},
    {"no-header", 'H', POPT_ARG_NONE, NULL, 0, "do not print the header line", NULL},
    {"format", '\0', POPT_ARG_STRING, &arg_format, OPT_FORMAT,
     "output format: table, json, jsonl, csv or openmetrics", "FORMAT"},
    {"json", 'j', POPT_ARG_NONE, NULL, OPT_JSON, "the same as --format json", NULL},
    {"sort", '\0', POPT_ARG_STRING, NULL, 0, "sort the listing by keys (-KEY descending)",
     "KEYS"},
    {"columns", '\0', POPT_ARG_STRING, NULL, 0,
     "columns to show (a leading + adds to the defaults)", "LIST"},
    {"list-columns", '\0', POPT_ARG_NONE, NULL, OPT_LIST_COLUMNS,
     "list the available columns and exit", NULL},
    {"color", '\0', POPT_ARG_STRING, &arg_color, OPT_COLOR,
     "colour states: auto, always or never (default auto)", "WHEN"},
    POPT_TABLEEND};

static struct poptOption view_opts[] = {
    {"summary", 's', POPT_ARG_NONE, NULL, OPT_SUMMARY,
     "count sockets in each of the 11 states", NULL},
    {"hist", '\0', POPT_ARG_STRING, &arg_hist, OPT_HIST,
     "count sockets grouped by one or two keys", "KEY[,KEY2]"},
    {"top", '\0', POPT_ARG_STRING, &arg_top, OPT_TOP,
     "show at most N histogram rows (default: fit the terminal)", "N"},
    {"continuous", 'c', POPT_ARG_STRING, &arg_continuous, OPT_CONTINUOUS,
     "repeat the view every SECONDS (default 1)", "[SECONDS]"},
    {"events", 'E', POPT_ARG_NONE, NULL, OPT_EVENTS,
     "stream NEW, OLD -> NEW and GONE events live", NULL},
    {"interval", '\0', POPT_ARG_STRING, &arg_interval, OPT_INTERVAL,
     "polling interval for --events (default 0.1)", "SECONDS"},
    {"events-source", '\0', POPT_ARG_STRING, &arg_events_source, OPT_EVENTS_SOURCE,
     "where --events come from: auto, bpf or poll (default auto)", "SOURCE"},
    {"count", '\0', POPT_ARG_STRING, &arg_count, OPT_COUNT,
     "stop after N frames (-c) or N events (-E)", "N"},
    {"diagram", '\0', POPT_ARG_NONE, NULL, OPT_DIAGRAM,
     "draw the TCP state machine with live counts", NULL},
    {"doctor", '\0', POPT_ARG_NONE, NULL, OPT_DOCTOR,
     "look for trouble (leaks, floods, full queues); exit 3 when found", NULL},
    {"threshold", '\0', POPT_ARG_STRING, &arg_threshold, OPT_THRESHOLD,
     "set a --doctor threshold, e.g. close_wait_age=30 (repeatable)", "KEY=VALUE"},
    {"kill", 'K', POPT_ARG_NONE, NULL, OPT_KILL,
     "destroy the sockets that match the filter (needs CAP_NET_ADMIN)", NULL},
    {"dry-run", '\0', POPT_ARG_NONE, NULL, 0, "with --kill: only show what would go",
     NULL},
    {"explain", '\0', POPT_ARG_STRING, &arg_explain, OPT_EXPLAIN,
     "explain the states, one state, 'handshake' or 'close'", "[TOPIC]"},
    POPT_TABLEEND};

static struct poptOption debug_opts[] = {
    {"record", '\0', POPT_ARG_STRING, NULL, 0,
     "also save the raw netlink dump to FILE (for a bug report)", "FILE"},
    {"replay", '\0', POPT_ARG_STRING, NULL, 0,
     "read a dump saved with --record instead of asking the kernel", "FILE"},
    {"stats", '\0', POPT_ARG_NONE, NULL, 0,
     "print netlink byte, message and socket counters on stderr", NULL},
    {"complete", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, &arg_complete,
     OPT_COMPLETE, "print completion candidates for WHAT", "WHAT"},
    POPT_TABLEEND};

static struct poptOption help_opts[] = {
    {"help", 'h', POPT_ARG_NONE, NULL, OPT_HELP, "show this help and exit", NULL},
    {"usage", '\0', POPT_ARG_NONE, NULL, OPT_USAGE, "show a short usage message and exit",
     NULL},
    {"version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION, "print the version and exit",
     NULL},
    POPT_TABLEEND};

static struct poptOption main_opts[] = {
    {NULL, '\0', POPT_ARG_INCLUDE_TABLE, select_opts, 0, "Selection:", NULL},
    {NULL, '\0', POPT_ARG_INCLUDE_TABLE, filter_opts, 0,
     "Filters (also as an expression after the options, see FILTERS in tcpstate(8)):",
     NULL},
    {NULL, '\0', POPT_ARG_INCLUDE_TABLE, output_opts, 0, "Output:", NULL},
    {NULL, '\0', POPT_ARG_INCLUDE_TABLE, view_opts, 0, "Views:", NULL},
    {NULL, '\0', POPT_ARG_INCLUDE_TABLE, debug_opts, 0, "Debugging:", NULL},
    {NULL, '\0', POPT_ARG_INCLUDE_TABLE, help_opts, 0, "Help:", NULL},
    POPT_TABLEEND};

/* Where each long option stores its value when popt needs no conversion. */
static const struct {
	const char *name;
	size_t offset;
} direct[] = {
#define D(n, f)                                                                          \
	{                                                                                \
		n, __builtin_offsetof(struct opts, f)                                    \
	}
    D("all", all),
    D("listening", listening),
    D("resolve", resolve),
    D("netns", netns),
    D("all-netns", all_netns),
    D("state", f_state),
    D("exclude", f_exclude),
    D("port", f_port),
    D("sport", f_sport),
    D("dport", f_dport),
    D("src", f_src),
    D("dst", f_dst),
    D("pid", f_pid),
    D("process", f_process),
    D("user", f_user),
    D("processes", processes),
    D("extended", extended),
    D("timers", timers),
    D("info", info),
    D("memory", memory),
    D("no-header", no_header),
    D("sort", sort),
    D("columns", columns),
    D("dry-run", dry_run),
    D("record", record),
    D("replay", replay),
    D("stats", stats),
#undef D
};

/* popt wants addresses in its tables; ours live in the caller's struct opts. */
static void bind_tables(struct opts *o)
{
	struct poptOption *tables[] = {select_opts, filter_opts, output_opts, view_opts,
				       debug_opts};

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (struct poptOption *p = tables[t]; p->longName || p->shortName; p++) {
			for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
				if (strcmp(direct[i].name, p->longName) != 0)
					continue;
				p->arg = (char *)o + direct[i].offset;
			}
		}
	}
}

static const struct {
	const char *name;
	enum out_format fmt;
} formats[] = {
    {"table", FMT_TABLE},
    {"json", FMT_JSON},
    {"jsonl", FMT_JSONL},
    {"csv", FMT_CSV},
    {"openmetrics", FMT_OPENMETRICS},
};

static const struct {
	const char *name;
	enum color_mode mode;
} colors[] = {{"auto", COLOR_AUTO}, {"always", COLOR_ALWAYS}, {"never", COLOR_NEVER}};

static const struct {
	const char *name;
	enum events_source src;
} events_sources[] = {{"auto", EVSRC_AUTO}, {"bpf", EVSRC_BPF}, {"poll", EVSRC_POLL}};

static const struct {
	const char *name;
	enum owners_source src;
} owners_sources[] = {{"auto", OWNSRC_AUTO}, {"bpf", OWNSRC_BPF}, {"proc", OWNSRC_PROC}};

__attribute__((format(printf, 2, 3))) static int fail(char **ret_err, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_err, fmt, ap) < 0)
		*ret_err = NULL;
	va_end(ap);
	return -EINVAL;
}

static int parse_seconds(const char *s, double min, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > 86400)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_count(const char *s, long min, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > 100000000)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int set_view(struct opts *o, enum view v, const char *name, char **ret_err)
{
	if (o->view != VIEW_LIST && o->view != v)
		return fail(ret_err, "'%s' cannot be combined with another view option",
			    name);
	o->view = v;
	return 0;
}

/* The options that choose a view (at most one may be given). */
static const struct {
	int opt;
	enum view view;
	const char *name;
} view_opts_table[] = {
    {OPT_SUMMARY, VIEW_SUMMARY, "--summary"},
    {OPT_HIST, VIEW_HIST, "--hist"},
    {OPT_EVENTS, VIEW_EVENTS, "--events"},
    {OPT_DIAGRAM, VIEW_DIAGRAM, "--diagram"},
    {OPT_DOCTOR, VIEW_DOCTOR, "--doctor"},
    {OPT_KILL, VIEW_KILL, "--kill"},
    {OPT_EXPLAIN, VIEW_EXPLAIN, "--explain"},
    {OPT_LIST_COLUMNS, VIEW_LIST_COLUMNS, "--list-columns"},
    {OPT_COMPLETE, VIEW_COMPLETE, "--complete"},
};

/* Handle one option that needs converting. Returns 0, 1 (exit 0 now) or -EINVAL. */
static int handle(int rc, struct opts *o, char **ret_err)
{
	for (size_t i = 0; i < sizeof(view_opts_table) / sizeof(view_opts_table[0]);
	     i++) {
		if (view_opts_table[i].opt != rc)
			continue;
		if (rc == OPT_HIST)
			o->hist = arg_hist;
		else if (rc == OPT_EXPLAIN)
			o->explain = arg_explain ? arg_explain : "";
		else if (rc == OPT_COMPLETE)
			o->complete = arg_complete;
		return set_view(o, view_opts_table[i].view, view_opts_table[i].name,
				ret_err);
	}
	switch (rc) {
	case OPT_IPV4:
		o->family = o->family == AF_INET6 ? AF_UNSPEC : AF_INET;
		return 0;
	case OPT_IPV6:
		o->family = o->family == AF_INET ? AF_UNSPEC : AF_INET6;
		return 0;
	case OPT_JSON:
		o->format = FMT_JSON;
		return 0;
	case OPT_FORMAT:
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			if (strcmp(arg_format, formats[i].name) == 0) {
				o->format = formats[i].fmt;
				return 0;
			}
		}
		return fail(
		    ret_err,
		    "unknown format '%s' (try table, json, jsonl, csv or openmetrics)",
		    arg_format);
	case OPT_COLOR:
		for (size_t i = 0; i < sizeof(colors) / sizeof(colors[0]); i++) {
			if (strcmp(arg_color, colors[i].name) == 0) {
				o->color = colors[i].mode;
				return 0;
			}
		}
		return fail(ret_err,
			    "unknown colour mode '%s' (try auto, always or never)",
			    arg_color);
	case OPT_EVENTS_SOURCE:
		for (size_t i = 0; i < sizeof(events_sources) / sizeof(events_sources[0]);
		     i++) {
			if (strcmp(arg_events_source, events_sources[i].name) == 0) {
				o->events_source = events_sources[i].src;
				return 0;
			}
		}
		return fail(ret_err, "unknown events source '%s' (try auto, bpf or poll)",
			    arg_events_source);
	case OPT_OWNERS_SOURCE:
		for (size_t i = 0; i < sizeof(owners_sources) / sizeof(owners_sources[0]);
		     i++) {
			if (strcmp(arg_owners_source, owners_sources[i].name) == 0) {
				o->owners_source = owners_sources[i].src;
				return 0;
			}
		}
		return fail(ret_err, "unknown owners source '%s' (try auto, bpf or proc)",
			    arg_owners_source);
	case OPT_CONTINUOUS:
		if (!arg_continuous || !*arg_continuous) {
			o->continuous = 1.0;
			return 0;
		}
		if (parse_seconds(arg_continuous, 0.01, &o->continuous) < 0)
			return fail(
			    ret_err,
			    "bad interval '%s' for --continuous (seconds, 0.01 to 86400)",
			    arg_continuous);
		return 0;
	case OPT_INTERVAL:
		if (parse_seconds(arg_interval, 0.001, &o->interval) < 0)
			return fail(
			    ret_err,
			    "bad interval '%s' for --interval (seconds, 0.001 to 86400)",
			    arg_interval);
		return 0;
	case OPT_TOP:
		if (parse_count(arg_top, 1, &o->top) < 0)
			return fail(ret_err,
				    "bad count '%s' for --top (a whole number from 1)",
				    arg_top);
		return 0;
	case OPT_COUNT:
		if (parse_count(arg_count, 1, &o->count) < 0)
			return fail(ret_err,
				    "bad count '%s' for --count (a whole number from 1)",
				    arg_count);
		return 0;
	case OPT_THRESHOLD:
		if (o->n_thresholds >= OPTS_MAX_THRESHOLDS)
			return fail(ret_err, "too many --threshold options at '%s'",
				    arg_threshold);
		if (!strchr(arg_threshold, '='))
			return fail(ret_err, "bad threshold '%s' (expected KEY=VALUE)",
				    arg_threshold);
		o->thresholds[o->n_thresholds++] = arg_threshold;
		/* each one is popt's strdup: cli_done frees them */
		arg_threshold = NULL;
		return 0;
	case OPT_VERSION:
		printf("tcpstate %s\n", TCPSTATE_VERSION);
		return 1;
	default:
		return fail(ret_err, "internal error handling option %s", "?");
	}
}

/*
 * popt cannot leave an optional argument unconsumed when it is not one ("-c state ..."),
 * so optional arguments are settled here first: a following word is taken only when it
 * fits, and the option is rewritten to its --name=VALUE form.
 */
static bool looks_like_seconds(const char *s)
{
	double d;

	return parse_seconds(s, 0, &d) == 0;
}

static bool looks_like_when(const char *s)
{
	return !strcmp(s, "auto") || !strcmp(s, "always") || !strcmp(s, "never");
}

static bool looks_like_topic(const char *s)
{
	return s[0] != '-';
}

static const struct {
	const char *long_name;
	const char *short_name;
	bool (*fits)(const char *);
	const char *dflt;
} optional_args[] = {
    {"--continuous", "-c", looks_like_seconds, "1"},
    {"--color", NULL, looks_like_when, "always"},
    {"--colour", NULL, looks_like_when, "always"},
    {"--explain", NULL, looks_like_topic, ""},
};

/* The rewritten argv popt parses (popt keeps pointers into it) and the words we made. */
static struct {
	const char **argv;
	char **owned;
	int n_owned;
} settled_args;

static const char **settle_optional(int argc, const char **argv, int *ret_argc)
{
	const char **out = calloc((size_t)argc + 1, sizeof(*out));
	char **owned = calloc((size_t)argc + 1, sizeof(*owned));
	int n = 0;

	if (!out || !owned) {
		free(out);
		free(owned);
		return NULL;
	}
	settled_args.argv = out;
	settled_args.owned = owned;
	for (int i = 0; i < argc; i++) {
		size_t k;
		if (i > 0 && strcmp(argv[i], "--") == 0) {
			for (; i < argc; i++)
				out[n++] = argv[i];
			break;
		}
		for (k = 0; k < sizeof(optional_args) / sizeof(optional_args[0]); k++) {
			const char *sn = optional_args[k].short_name;
			if (!strcmp(argv[i], optional_args[k].long_name) ||
			    (sn && !strcmp(argv[i], sn)))
				break;
		}
		if (i == 0 || k == sizeof(optional_args) / sizeof(optional_args[0])) {
			out[n++] = argv[i];
			continue;
		}
		const char *val = optional_args[k].dflt;
		if (i + 1 < argc && optional_args[k].fits(argv[i + 1]))
			val = argv[++i];
		char *w;
		const char *name = !strcmp(optional_args[k].long_name, "--colour")
				       ? "--color"
				       : optional_args[k].long_name;
		if (asprintf(&w, "%s=%s", name, val) < 0)
			return NULL; /* cli_done frees what was made */
		owned[settled_args.n_owned++] = w;
		out[n++] = w;
	}
	out[n] = NULL;
	*ret_argc = n;
	return out;
}

int cli_parse(int argc, const char **argv, struct opts *ret,
	      struct poptContext_s **ret_ctx, char **ret_err)
{
	poptContext ctx;
	const char **args, **settled;
	int rc, n_settled;

	memset(ret, 0, sizeof(*ret));
	ret->family = AF_UNSPEC;
	ret->interval = 0.1;
	*ret_err = NULL;
	*ret_ctx = NULL;
	bind_tables(ret);
	bound_thresholds = ret->thresholds;
	bound_n_thresholds = &ret->n_thresholds;

	settled = settle_optional(argc, argv, &n_settled);
	if (!settled)
		return -ENOMEM;
	ctx = poptGetContext("tcpstate", n_settled, settled, main_opts, 0);
	if (!ctx)
		return -ENOMEM;
	*ret_ctx = (struct poptContext_s *)ctx;
	poptSetOtherOptionHelp(ctx, "[OPTION...] [FILTER EXPRESSION]");
	while ((rc = poptGetNextOpt(ctx)) > 0) {
		if (rc == OPT_HELP || rc == OPT_USAGE) {
			if (rc == OPT_HELP)
				poptPrintHelp(ctx, stdout, 0);
			else
				poptPrintUsage(ctx, stdout, 0);
			return 1;
		}
		int r = handle(rc, ret, ret_err);
		if (r != 0)
			return r < 0 ? r : 1;
	}
	if (rc < -1) {
		const char *bad = poptBadOption(ctx, POPT_BADOPTION_NOALIAS);
		if (asprintf(ret_err, "'%s': %s (try --help)", bad, poptStrerror(rc)) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	args = poptGetArgs(ctx);
	ret->expr = args;
	ret->n_expr = 0;
	while (args && args[ret->n_expr])
		ret->n_expr++;
	if (ret->listening && ret->all)
		ret->listening = 0; /* -a already includes LISTEN */
	return 0;
}

static void free_thresholds(void)
{
	for (int i = 0; bound_thresholds && i < *bound_n_thresholds; i++)
		free((char *)bound_thresholds[i]);
	if (bound_n_thresholds)
		*bound_n_thresholds = 0;
}

/* popt strdup()s the value of every POPT_ARG_STRING option and leaves freeing it to us.
 */
static void free_popt_strings(struct poptOption *t)
{
	for (; t->longName || t->shortName || t->arg; t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			free_popt_strings(t->arg);
		} else if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_STRING && t->arg) {
			free(*(char **)t->arg);
			*(char **)t->arg = NULL;
		}
	}
}

void cli_done(struct poptContext_s *ctx)
{
	if (ctx)
		poptFreeContext((poptContext)ctx);
	free_popt_strings(main_opts);
	free_thresholds();
	for (int i = 0; i < settled_args.n_owned; i++)
		free(settled_args.owned[i]);
	free(settled_args.owned);
	free(settled_args.argv);
	memset(&settled_args, 0, sizeof(settled_args));
}

/* Walk a popt table (and the tables it includes) for the visible long option names. */
static size_t collect_long(const struct poptOption *t, const char **out, size_t n,
			   size_t max)
{
	for (; t->longName || t->shortName || t->arg; t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			n = collect_long(t->arg, out, n, max);
			continue;
		}
		if (t->longName && !(t->argInfo & POPT_ARGFLAG_DOC_HIDDEN) && n < max)
			out[n++] = t->longName;
	}
	return n;
}

const char *const *cli_long_options(void)
{
	static const char *names[128];

	if (!names[0])
		names[collect_long(main_opts, names, 0, 127)] = NULL;
	return names;
}

const char *const *cli_option_values(const char *long_name)
{
	static const char *fmt_names[sizeof(formats) / sizeof(formats[0]) + 1];
	static const char *color_names[sizeof(colors) / sizeof(colors[0]) + 1];
	static const char
	    *ev_names[sizeof(events_sources) / sizeof(events_sources[0]) + 1];
	static const char
	    *own_names[sizeof(owners_sources) / sizeof(owners_sources[0]) + 1];

	if (strcmp(long_name, "format") == 0) {
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			fmt_names[i] = formats[i].name;
		return fmt_names;
	}
	if (strcmp(long_name, "color") == 0) {
		for (size_t i = 0; i < sizeof(colors) / sizeof(colors[0]); i++)
			color_names[i] = colors[i].name;
		return color_names;
	}
	if (strcmp(long_name, "events-source") == 0) {
		for (size_t i = 0; i < sizeof(events_sources) / sizeof(events_sources[0]);
		     i++)
			ev_names[i] = events_sources[i].name;
		return ev_names;
	}
	if (strcmp(long_name, "owners-source") == 0) {
		for (size_t i = 0; i < sizeof(owners_sources) / sizeof(owners_sources[0]);
		     i++)
			own_names[i] = owners_sources[i].name;
		return own_names;
	}
	return NULL;
}
