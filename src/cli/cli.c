/* cli.c - the command-line options: one descriptor table drives popt, --help and the
 * completion lists, and fills one struct opts. */
#include <errno.h>
#include <math.h>
#include <popt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "config.h"
#include "version.h"
#include "base/wrap.h"
#include "base/i18n.h"
#include "cli/cli.h"

#define CLI_N(a) (sizeof(a) / sizeof((a)[0]))

/* The --help groups, in order. */
enum group { G_SELECT, G_FILTER, G_OUTPUT, G_VIEW, G_DEBUG, G_HELP, G_COUNT };

static const char *const group_heading[G_COUNT] = {
    [G_SELECT] = N_("Selection:"),
    [G_FILTER] =
	N_("Filters (also as an expression after the options, see FILTERS in "
	   "tcpstate(8)):\n  repeating one adds to its list: --port 80 --port 443 is "
	   "--port 80,443"),
    [G_OUTPUT] = N_("Output:"),
    [G_VIEW] = N_("Views:"),
    [G_DEBUG] = N_("Debugging:"),
    [G_HELP] = N_("Help:"),
};

/* What one parse works on; the setters get it with their option's row. */
struct parse {
	struct opts *o;
	poptContext ctx;
	char **err;
	bool format_given; /* --format or -j: a view without machine forms refuses it */
};

struct optdef;
typedef int (*opt_set_fn)(struct parse *p, const struct optdef *d, const char *arg);

/*
 * One option: its popt face (names, argument, help) and what it does. arg is NULL for
 * options without an argument (and for an optional argument that was not given when the
 * row has no dflt).
 */
struct optdef {
	enum group group;
	const char *name;
	char short_name;
	unsigned int arg_info; /* POPT_ARG_NONE or POPT_ARG_STRING, and POPT_ARGFLAG_* */
	const char *help, *arg_help;
	opt_set_fn set;
	size_t field; /* offsetof(struct opts, ...) for the setters that store */
	int value;    /* the setter's constant: a view, a family, a format... */
	double min;   /* set_seconds, set_count: the smallest value accepted */
	/* POPT_ARGFLAG_OPTIONAL: is a following word this option's argument? */
	bool (*fits)(const char *word);
	const char *dflt; /* the argument when none is given */
};

__attribute__((format(printf, 2, 3))) static int fail(struct parse *p, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(p->err, fmt, ap) < 0)
		*p->err = NULL;
	va_end(ap);
	return -EINVAL;
}

static void *field(struct parse *p, const struct optdef *d)
{
	return (char *)p->o + d->field;
}

/* Replace a string the options own. */
static int store(char **slot, const char *arg)
{
	char *copy = strdup(arg);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

/* Plain decimal digits, with one '.' when dot: strtod and strtol alone also take " 5",
 * "+5", "0x10", "1e3" and "inf". */
static bool decimal(const char *s, bool dot)
{
	bool digit = false;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == '.' && dot)
			dot = false;
		else
			return false;
	}
	return digit;
}

static int parse_seconds(const char *s, double min, double *ret)
{
	char *end;
	double v;

	if (!decimal(s, true))
		return -EINVAL;
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

	if (!decimal(s, false))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > 100000000)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The choices of --color, indexed by their enum values (the formats: model/format.c). */
static const char *const color_names[] = {
    [COLOR_AUTO] = "auto",
    [COLOR_ALWAYS] = "always",
    [COLOR_NEVER] = "never",
    NULL,
};

/* The choices of --events-source and --owners-source, indexed by their enum values. */
static const char *const events_source_names[] = {
    [EVSRC_AUTO] = "auto",
    [EVSRC_POLL] = "poll",
    [EVSRC_BPF] = "bpf",
    NULL,
};

static const char *const owners_source_names[] = {
    [OWNSRC_AUTO] = "auto",
    [OWNSRC_PROC] = "proc",
    [OWNSRC_BPF] = "bpf",
    NULL,
};

static int choice(const char *const *names, const char *arg)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	return -1;
}

/* -n and -t only exist for muscle memory. */
static int set_nothing(struct parse *p, const struct optdef *d, const char *arg)
{
	return 0;
}

static int set_flag(struct parse *p, const struct optdef *d, const char *arg)
{
	*(int *)field(p, d) = 1;
	return 0;
}

static int set_string(struct parse *p, const struct optdef *d, const char *arg)
{
	return store(field(p, d), arg);
}

/* -4 and -6: both together mean both families. */
static int set_family(struct parse *p, const struct optdef *d, const char *arg)
{
	int other = d->value == AF_INET ? AF_INET6 : AF_INET;

	p->o->family = p->o->family == other ? AF_UNSPEC : d->value;
	return 0;
}

static int set_json(struct parse *p, const struct optdef *d, const char *arg)
{
	p->o->format = FMT_JSON;
	p->format_given = true;
	return 0;
}

static int set_format(struct parse *p, const struct optdef *d, const char *arg)
{
	int i = format_find(arg);
	char names[128];

	if (i < 0) {
		format_names_text(names, sizeof(names));
		return fail(p, _("unknown format '%s' (try %s)"), arg, names);
	}
	p->o->format = (enum out_format)i;
	p->format_given = true;
	return 0;
}

static int set_color(struct parse *p, const struct optdef *d, const char *arg)
{
	int i = choice(color_names, arg);

	if (i < 0)
		return fail(p, _("unknown colour mode '%s' (try auto, always or never)"),
			    arg);
	p->o->color = (enum color_mode)i;
	return 0;
}

static int set_events_source(struct parse *p, const struct optdef *d, const char *arg)
{
	int i = choice(events_source_names, arg);

	if (i < 0)
		return fail(p, _("unknown events source '%s' (try auto, bpf or poll)"),
			    arg);
	p->o->events_source = (enum events_source)i;
	return 0;
}

static int set_owners_source(struct parse *p, const struct optdef *d, const char *arg)
{
	int i = choice(owners_source_names, arg);

	if (i < 0)
		return fail(p, _("unknown owners source '%s' (try auto, bpf or proc)"),
			    arg);
	p->o->owners_source = (enum owners_source)i;
	return 0;
}

static bool fits_color(const char *word)
{
	return choice(color_names, word) >= 0;
}

/* -c's argument is optional: "-c" and "--continuous=" mean every second. */
static int set_seconds(struct parse *p, const struct optdef *d, const char *arg)
{
	double *slot = field(p, d);

	if (d->dflt && !*arg) {
		*slot = strtod(d->dflt, NULL);
		return 0;
	}
	if (parse_seconds(arg, d->min, slot) < 0)
		return fail(p, _("bad interval '%s' for --%s (seconds, %g to 86400)"),
			    arg, d->name, d->min);
	return 0;
}

static bool fits_seconds(const char *word)
{
	double d;

	return parse_seconds(word, 0, &d) == 0;
}

static int set_count(struct parse *p, const struct optdef *d, const char *arg)
{
	if (parse_count(arg, (long)d->min, field(p, d)) < 0)
		return fail(p, _("bad count '%s' for --%s (a whole number from %g)"), arg,
			    d->name, d->min);
	return 0;
}

static int set_threshold(struct parse *p, const struct optdef *d, const char *arg)
{
	struct opts *o = p->o;

	if (o->n_thresholds >= OPTS_MAX_THRESHOLDS)
		return fail(p, _("too many --threshold options at '%s'"), arg);
	if (!strchr(arg, '='))
		return fail(p, _("bad threshold '%s' (expected KEY=VALUE)"), arg);
	o->thresholds[o->n_thresholds] = strdup(arg);
	if (!o->thresholds[o->n_thresholds])
		return -ENOMEM;
	o->n_thresholds++;
	return 0;
}

/* A filter option: one more term; filter_build combines them. */
static int set_term(struct parse *p, const struct optdef *d, const char *arg)
{
	struct opts *o = p->o;
	struct opt_term *v = realloc(o->terms, ((size_t)o->n_terms + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	o->terms = v;
	v[o->n_terms] = (struct opt_term){.key = d->name, .value = strdup(arg)};
	if (!v[o->n_terms].value)
		return -ENOMEM;
	o->n_terms++;
	return 0;
}

/* The options that choose a view: at most one may be given (repeating one is fine). */
static int set_view(struct parse *p, const struct optdef *d, const char *arg)
{
	struct opts *o = p->o;

	if (o->view != VIEW_LIST && o->view != (enum view)d->value)
		return fail(p, _("'--%s' cannot be combined with another view option"),
			    d->name);
	o->view = (enum view)d->value;
	return arg ? store(field(p, d), arg) : 0;
}

static bool fits_topic(const char *word)
{
	return word[0] != '-';
}

/* The width --help wraps at: the terminal's, 80 in a pipe or when it reports none. */
static int help_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Where popt put an option line's description: after the first run of 2+ spaces past
 * the option's names (0 when the line is not an option). */
static size_t help_desc_col(const char *line)
{
	const char *p = line + strspn(line, " ");
	const char *gap;

	if (p[0] != '-')
		return 0;
	gap = strstr(p, "  ");
	return gap ? (size_t)(gap + strspn(gap, " ") - line) : 0;
}

/* One --help entry (an option's line and popt's continuation lines) wrapped at width:
 * the description beside the names when 20 columns are left for it, else under them. */
static void help_entry(FILE *out, const char *names, size_t col, const char *desc,
		       int width)
{
	char *line = NULL;

	if ((int)col + 20 <= width) {
		if (asprintf(&line, "%-*s%s", (int)col, names, desc) >= 0)
			wrap_write(out, line, width, (int)col);
	} else {
		wrap_write(out, names, width, 8);
		if (asprintf(&line, "        %s", desc) >= 0)
			wrap_write(out, line, width, 8);
	}
	free(line);
}

/* popt's help is laid out for 80 columns: join each option's lines and wrap them again
 * at the terminal's width. */
static void help_rewrap(FILE *out, char *text, int width)
{
	char *names = NULL, *desc = NULL, *next;
	size_t col = 0;

	for (char *l = text; l && *l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		size_t c = help_desc_col(l), lead = strspn(l, " ");
		if (names && !c && col && lead >= col && l[lead]) {
			char *more = NULL; /* a continuation line */
			if (asprintf(&more, "%s %s", desc, l + lead) >= 0) {
				free(desc);
				desc = more;
			}
			continue;
		}
		if (names)
			help_entry(out, names, col, desc, width);
		free(names);
		free(desc);
		names = desc = NULL;
		col = c;
		if (c) {
			names = strndup(l, c);
			desc = strdup(l + c);
			for (size_t n = names ? strlen(names) : 0;
			     n && names[n - 1] == ' ';)
				names[--n] = '\0';
			if (names && desc)
				continue;
		}
		if (!*l)
			fputc('\n', out); /* the blank line between groups */
		else
			wrap_write(out, l, width, (int)lead + 2);
	}
	if (names && desc)
		help_entry(out, names, col, desc, width);
	free(names);
	free(desc);
}

static int set_help(struct parse *p, const struct optdef *d, const char *arg)
{
	char *text = NULL;
	size_t len = 0;
	int width = help_width();
	FILE *mem;

	if (d->value) {
		poptPrintUsage(p->ctx, stdout, 0);
		return 1;
	}
	mem = width < 80 ? open_memstream(&text, &len) : NULL;
	poptPrintHelp(p->ctx, mem ? mem : stdout, 0);
	if (mem && fclose(mem) == 0)
		help_rewrap(stdout, text, width);
	free(text);
	return 1;
}

static int set_version(struct parse *p, const struct optdef *d, const char *arg)
{
	/* a development build also says which commit it was built from */
	if (*TCPSTATE_GIT_DESCRIBE)
		printf("tcpstate %s (git %s)\n", TCPSTATE_VERSION, TCPSTATE_GIT_DESCRIBE);
	else
		printf("tcpstate %s\n", TCPSTATE_VERSION);
	return 1;
}

#define STR POPT_ARG_STRING
#define NONE POPT_ARG_NONE
#define OPTIONAL (POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL)
#define AT(f) offsetof(struct opts, f)

/* Every option, in --help order. A new option is one row here (and its docs). */
static const struct optdef optdefs[] = {
    {G_SELECT, "all", 'a', NONE,
     N_("every state, including LISTEN and bound-only (CLOSED) sockets"), NULL, set_flag,
     AT(all)},
    {G_SELECT, "listening", 'l', NONE, N_("only LISTEN sockets"), NULL, set_flag,
     AT(listening)},
    {G_SELECT, "ipv4", '4', NONE, N_("only IPv4 sockets"), NULL, set_family,
     .value = AF_INET},
    {G_SELECT, "ipv6", '6', NONE, N_("only IPv6 sockets"), NULL, set_family,
     .value = AF_INET6},
    {G_SELECT, "numeric", 'n', NONE, N_("numeric addresses and ports (the default)"),
     NULL, set_nothing},
    {G_SELECT, "tcp", 't', NONE, N_("TCP sockets (the default; there is no other)"), NULL,
     set_nothing},
    {G_SELECT, "resolve", 'r', NONE, N_("resolve host and service names"), NULL, set_flag,
     AT(resolve)},
    {G_SELECT, "netns", 'N', STR,
     N_("the network namespace of TARGET: a name in /run/netns, a path, or a PID"),
     "TARGET", set_string, AT(netns)},
    {G_SELECT, "all-netns", '\0', NONE,
     N_("every network namespace on the host, with a Netns column"), NULL, set_flag,
     AT(all_netns)},

    {G_FILTER, "state", '\0', STR,
     N_("only these states or groups (comma-separated, any spelling)"), "LIST", set_term},
    {G_FILTER, "exclude", '\0', STR, N_("leave out these states or groups"), "LIST",
     set_term},
    {G_FILTER, "port", '\0', STR,
     N_("local or remote port matches SPEC: 80, 80,443, 8000-8100, >1024 or a service"),
     "SPEC", set_term},
    {G_FILTER, "sport", '\0', STR, N_("local port matches SPEC"), "SPEC", set_term},
    {G_FILTER, "dport", '\0', STR, N_("remote port matches SPEC"), "SPEC", set_term},
    {G_FILTER, "src", '\0', STR, N_("local address in ADDR[%IFACE][/PREFIX][:PORT]"),
     "ADDR", set_term},
    {G_FILTER, "dst", '\0', STR, N_("remote address in ADDR[%IFACE][/PREFIX][:PORT]"),
     "ADDR", set_term},
    {G_FILTER, "pid", '\0', STR,
     N_("sockets held by process PID (every state unless a state is given)"), "PID",
     set_term},
    {G_FILTER, "process", '\0', STR,
     N_("sockets held by processes named NAME, a glob such as 'nginx*' too (every state unless a state is given)"),
     "NAME", set_term},
    {G_FILTER, "user", '\0', STR,
     N_("sockets owned by user NAME or UID (every state unless a state is given)"),
     "USER", set_term},
    {G_FILTER, "cgroup", '\0', STR,
     N_("sockets of cgroup v2 PATH or below it (e.g. /system.slice/nginx.service)"),
     "PATH", set_term},
    {G_FILTER, "unit", '\0', STR, N_("sockets of the systemd unit GLOB (e.g. 'nginx*')"),
     "GLOB", set_term},
    {G_FILTER, "container", '\0', STR,
     N_("sockets of the container whose ID (or runtime:ID, pod UID) starts with PREFIX"),
     "PREFIX", set_term},
    {G_FILTER, "filter-file", '\0', STR,
     N_("read a filter expression from FILE ('#' starts a comment), ANDed with the rest"),
     "FILE", set_string, AT(f_file)},

    {G_OUTPUT, "processes", 'p', NONE, N_("show the PID/Program name of every owner"),
     NULL, set_flag, AT(processes)},
    {G_OUTPUT, "owners-source", '\0', STR,
     N_("where -p finds owners: auto, bpf or proc (default auto)"), "SOURCE",
     set_owners_source},
    {G_OUTPUT, "extended", 'e', NONE, N_("show user, uid, inode and socket cookie"), NULL,
     set_flag, AT(extended)},
    {G_OUTPUT, "timers", 'o', NONE, N_("show the running timer and its time left"), NULL,
     set_flag, AT(timers)},
    {G_OUTPUT, "info", 'i', NONE, N_("show TCP internals (rtt, cwnd, retransmits...)"),
     NULL, set_flag, AT(info)},
    {G_OUTPUT, "memory", 'm', NONE, N_("show socket memory: buffers and drops"), NULL,
     set_flag, AT(memory)},
    {G_OUTPUT, "no-header", 'H', NONE, N_("do not print the header line"), NULL, set_flag,
     AT(no_header)},
    {G_OUTPUT, "wide", 'W', NONE,
     N_("never cut lines at the terminal's width (what a pipe gets)"), NULL, set_flag,
     AT(wide)},
    {G_OUTPUT, "format", '\0', STR,
     N_("output format: table, json, jsonl, csv, openmetrics or lines"), "FORMAT",
     set_format},
    {G_OUTPUT, "json", 'j', NONE, N_("the same as --format json"), NULL, set_json},
    {G_OUTPUT, "unit-metrics", '\0', NONE,
     N_("openmetrics: add tcpstate_unit_sockets{unit,state} (one series per unit and state)"),
     NULL, set_flag, AT(unit_metrics)},
    {G_OUTPUT, "sort", '\0', STR, N_("sort the listing by keys (-KEY descending)"),
     "KEYS", set_string, AT(sort)},
    {G_OUTPUT, "columns", '\0', STR,
     N_("columns to show (a leading + adds to the defaults)"), "LIST", set_string,
     AT(columns)},
    {G_OUTPUT, "list-columns", '\0', NONE, N_("list the available columns and exit"),
     NULL, set_view, .value = VIEW_LIST_COLUMNS},
    {G_OUTPUT, "color", '\0', OPTIONAL,
     N_("colour states: auto, always or never (default auto)"), "WHEN", set_color,
     .fits = fits_color, .dflt = "always"},
    {G_OUTPUT, "colour", '\0', OPTIONAL | POPT_ARGFLAG_DOC_HIDDEN,
     N_("the same as --color"), "WHEN", set_color, .fits = fits_color, .dflt = "always"},
    {G_OUTPUT, "output", '\0', STR,
     N_("write to FILE instead of stdout, atomically (temporary file, then rename)"),
     "FILE", set_string, AT(output)},

    {G_VIEW, "summary", 's', NONE, N_("count sockets in each of the 11 states"), NULL,
     set_view, .value = VIEW_SUMMARY},
    {G_VIEW, "hist", '\0', STR, N_("count sockets grouped by one or two keys"),
     "KEY[,KEY2]", set_view, AT(hist), VIEW_HIST},
    {G_VIEW, "top", '\0', STR,
     N_("show at most N histogram rows (default: fit the terminal)"), "N", set_count,
     AT(top), .min = 1},
    {G_VIEW, "continuous", 'c', OPTIONAL, N_("repeat the view every SECONDS (default 1)"),
     "SECONDS", set_seconds, AT(continuous), .min = 0.01, .fits = fits_seconds,
     .dflt = "1"},
    {G_VIEW, "events", 'E', NONE, N_("stream NEW, OLD -> NEW and GONE events live"), NULL,
     set_view, .value = VIEW_EVENTS},
    {G_VIEW, "interval", '\0', STR, N_("polling interval for --events (default 0.1)"),
     "SECONDS", set_seconds, AT(interval), .min = 0.001},
    {G_VIEW, "events-source", '\0', STR,
     N_("where --events come from: auto, bpf or poll (default auto)"), "SOURCE",
     set_events_source},
    {G_VIEW, "count", '\0', STR, N_("stop after N frames (-c) or N events (-E)"), "N",
     set_count, AT(count), .min = 1},
    {G_VIEW, "diagram", '\0', NONE, N_("draw the TCP state machine with live counts"),
     NULL, set_view, .value = VIEW_DIAGRAM},
    {G_VIEW, "doctor", '\0', NONE,
     N_("look for trouble (leaks, floods, full queues); exit 3 when found"), NULL,
     set_view, .value = VIEW_DOCTOR},
    {G_VIEW, "threshold", '\0', STR,
     N_("set a --doctor threshold, e.g. close_wait_age=30 (repeatable)"), "KEY=VALUE",
     set_threshold},
    {G_VIEW, "kill", 'K', NONE,
     N_("destroy the sockets that match the filter (needs CAP_NET_ADMIN)"), NULL,
     set_view, .value = VIEW_KILL},
    {G_VIEW, "dry-run", '\0', NONE, N_("with --kill: only show what would go"), NULL,
     set_flag, AT(dry_run)},
    {G_VIEW, "explain", '\0', OPTIONAL,
     N_("explain the states, one state, or a topic: handshake, close, 2msl, rst..."),
     "TOPIC", set_view, AT(explain), VIEW_EXPLAIN, .fits = fits_topic, .dflt = ""},
    {G_VIEW, "lab", '\0', OPTIONAL,
     N_("build a socket in every state in a private namespace, or step through LESSON"),
     "LESSON", set_string, AT(lab), .fits = fits_topic, .dflt = ""},

    {G_DEBUG, "record", '\0', STR,
     N_("also save the raw netlink dump to FILE, a new file of mode 0600 (for a bug report)"),
     "FILE", set_string, AT(record)},
    {G_DEBUG, "replay", '\0', STR,
     N_("read a dump saved with --record instead of asking the kernel"), "FILE",
     set_string, AT(replay)},
    {G_DEBUG, "stats", '\0', NONE,
     N_("print netlink byte, message, socket and /proc counters on stderr"), NULL,
     set_flag, AT(stats)},
    {G_DEBUG, "complete", '\0', STR | POPT_ARGFLAG_DOC_HIDDEN,
     N_("print completion candidates for WHAT"), "WHAT", set_view, AT(complete),
     VIEW_COMPLETE},

    {G_HELP, "help", 'h', NONE, N_("show this help and exit"), NULL, set_help},
    {G_HELP, "usage", '\0', NONE, N_("show a short usage message and exit"), NULL,
     set_help, .value = 1},
    {G_HELP, "version", 'V', NONE, N_("print the version and exit"), NULL, set_version},
};

#undef STR
#undef NONE
#undef OPTIONAL
#undef AT

/* popt's view of optdefs: one table per group, included by the main table; the val of
 * each row is its optdefs index + 1. */
struct popt_tables {
	struct poptOption group[G_COUNT][CLI_N(optdefs) + 2];
	struct poptOption main[G_COUNT + 2];
};

/* Each table starts with this row, so popt's --help and --usage translate the
 * descriptions, argument names and group headings through our catalog. */
static const struct poptOption intl_domain = {
    .argInfo = POPT_ARG_INTL_DOMAIN,
    .arg = (void *)I18N_DOMAIN,
};

static void popt_tables_init(struct popt_tables *t)
{
	size_t n[G_COUNT];

	memset(t, 0, sizeof(*t));
	for (int g = 0; g < G_COUNT; g++) {
		t->group[g][0] = intl_domain;
		n[g] = 1;
	}
	for (size_t i = 0; i < CLI_N(optdefs); i++) {
		const struct optdef *d = &optdefs[i];
		t->group[d->group][n[d->group]++] = (struct poptOption){
		    .longName = d->name,
		    .shortName = d->short_name,
		    .argInfo = d->arg_info,
		    .val = (int)i + 1,
		    .descrip = d->help,
		    .argDescrip = d->arg_help,
		};
	}
	t->main[0] = intl_domain;
	for (int g = 0; g < G_COUNT; g++)
		t->main[g + 1] = (struct poptOption){
		    .argInfo = POPT_ARG_INCLUDE_TABLE,
		    .arg = t->group[g],
		    .descrip = group_heading[g],
		};
}

/* Is word the standalone form of option d ("-c", "--continuous", "-ac")? */
static bool is_option_word(const struct optdef *d, const char *word)
{
	if (word[0] != '-')
		return false;
	if (word[1] == '-')
		return strcmp(word + 2, d->name) == 0;
	return d->short_name && word[1] && word[strlen(word) - 1] == d->short_name &&
	       !strchr(word, '=');
}

/*
 * popt gives an optional argument the next word unless it starts with '-'. Did it take
 * that word (rather than "--continuous=arg" or "-carg")? Then a word that does not fit
 * ("-c state listen") is given back.
 */
static bool took_next_word(const struct optdef *d, int argc, const char **argv,
			   const char *arg)
{
	for (int i = 1; i + 1 < argc && strcmp(argv[i], "--") != 0; i++)
		if (is_option_word(d, argv[i]) && strcmp(argv[i + 1], arg) == 0)
			return true;
	return false;
}

/* Handle one option popt returned. Returns 0, 1 (exit 0 now) or a negative errno. */
static int handle(struct parse *p, const struct optdef *d, int argc, const char **argv)
{
	char *arg = poptGetOptArg(p->ctx);
	int err;

	if (arg && d->fits && !d->fits(arg) && took_next_word(d, argc, argv, arg)) {
		const char *back[] = {arg, NULL};
		/* a filter word, or a bad interval: a hint if the filter fails on it */
		if (d->set == set_seconds && !p->o->c_declined)
			p->o->c_declined = strdup(arg);
		err = poptStuffArgs(p->ctx, back);
		free(arg);
		arg = NULL;
		if (err)
			return -ENOMEM;
	}
	err = d->set(p, d, arg ? arg : d->dflt);
	free(arg);
	return err;
}

/* The words after the options, copied: the popt context does not outlive cli_parse. */
static int take_expr(poptContext ctx, struct opts *o)
{
	const char **args = poptGetArgs(ctx);
	int n = 0;

	while (args && args[n])
		n++;
	o->expr = calloc((size_t)n + 1, sizeof(*o->expr));
	if (!o->expr)
		return -ENOMEM;
	for (o->n_expr = 0; o->n_expr < n; o->n_expr++) {
		o->expr[o->n_expr] = strdup(args[o->n_expr]);
		if (!o->expr[o->n_expr])
			return -ENOMEM;
	}
	return 0;
}

/* Options that only mean something together with another one, or not with it. */
static bool has_threshold(const struct parse *p)
{
	return p->o->n_thresholds > 0;
}

static bool not_doctor(const struct parse *p)
{
	return p->o->view != VIEW_DOCTOR;
}

static bool has_dry_run(const struct parse *p)
{
	return p->o->dry_run;
}

static bool not_kill(const struct parse *p)
{
	return p->o->view != VIEW_KILL;
}

static bool has_record(const struct parse *p)
{
	return p->o->record != NULL;
}

static bool has_replay(const struct parse *p)
{
	return p->o->replay != NULL;
}

static bool repeats(const struct parse *p)
{
	return p->o->continuous > 0 || p->o->view == VIEW_EVENTS;
}

static bool has_format(const struct parse *p)
{
	return p->format_given;
}

static bool text_only_view(const struct parse *p)
{
	return p->o->view == VIEW_DIAGRAM || p->o->view == VIEW_EXPLAIN;
}

/* Each row: when given() and refused() both hold, msg is the usage error. */
static const struct {
	bool (*given)(const struct parse *p);
	bool (*refused)(const struct parse *p);
	const char *msg;
} combinations[] = {
    {has_threshold, not_doctor, N_("'--threshold' only applies to '--doctor'")},
    {has_dry_run, not_kill, N_("'--dry-run' only applies to '--kill'")},
    {has_record, has_replay,
     N_("'--record' cannot be combined with '--replay' (a replay asks the kernel nothing "
	"to record)")},
    {has_record, repeats,
     N_("'--record' saves one dump; it cannot be combined with '--continuous' or "
	"'--events'")},
    {has_format, text_only_view,
     N_("'--format' and '--json' do not apply to '--diagram' or '--explain' (text "
	"only)")},
};

/* Returns 0 or -EINVAL with the first combination that makes no sense. */
static int check_combinations(struct parse *p)
{
	for (size_t i = 0; i < CLI_N(combinations); i++)
		if (combinations[i].given(p) && combinations[i].refused(p))
			return fail(p, "%s", _(combinations[i].msg));
	return 0;
}

/* --output replaces one file with one whole output: a stream of frames or events has no
 * end to rename at. */
static int check_output(struct parse *p)
{
	const struct opts *o = p->o;

	if (!o->output)
		return 0;
	if (!*o->output)
		return fail(p, _("empty file name for --output"));
	if (o->continuous > 0 || o->view == VIEW_EVENTS)
		return fail(p, _("'--output' cannot be combined with %s"),
			    o->continuous > 0 ? "--continuous" : "--events");
	return 0;
}

/* --replay reads a file: a view that acts on or waits for the live kernel has nothing to
 * do with it (-E would wait forever; -K would destroy today's sockets picked by a filter
 * run on yesterday's states). */
static int check_replay(struct parse *p)
{
	const struct opts *o = p->o;

	if (!o->replay)
		return 0;
	if (o->view == VIEW_EVENTS)
		return fail(
		    p, _("'--events' watches the live kernel: it cannot be combined "
			 "with '--replay' (use -s, --hist or the listing on a dump)"));
	if (o->view == VIEW_KILL && !o->dry_run)
		return fail(
		    p, _("'--kill' destroys live sockets: it cannot be combined with "
			 "'--replay' (add --dry-run to list what the dump matches)"));
	return 0;
}

/*
 * netstat's and ss's other socket kinds: `tcpstate -tulpn` is the most common habit.
 * A cluster of short flags that holds one of them gets one line saying what to run
 * instead, rather than popt's "unknown option" naming the whole cluster.
 */
static const struct {
	char flag;
	const char *what;
} other_kinds[] = {
    {'u', N_("for UDP run 'ss -u'")},
    {'x', N_("for Unix sockets run 'ss -x'")},
    {'w', N_("for raw sockets run 'ss -w'")},
};

static const char *other_kind(char c)
{
	for (size_t i = 0; i < CLI_N(other_kinds); i++)
		if (other_kinds[i].flag == c)
			return other_kinds[i].what;
	return NULL;
}

/* Does the short option c take an argument (what follows it in a cluster is a value)? */
static bool short_takes_arg(char c)
{
	for (size_t i = 0; i < CLI_N(optdefs); i++)
		if (optdefs[i].short_name == c)
			return (optdefs[i].arg_info & POPT_ARG_MASK) != POPT_ARG_NONE;
	return false;
}

/* Returns -EINVAL with the message when word is a short-flag cluster with -u, -x or -w.
 */
static int check_other_kinds(struct parse *p, const char *word)
{
	char what[160] = "", tcp[64] = "-";
	size_t n = 0, t = 1;

	if (word[0] != '-' || word[1] == '-' || !word[1])
		return 0;
	for (const char *c = word + 1; *c && t + 1 < sizeof(tcp); c++) {
		const char *kind = other_kind(*c);
		if (short_takes_arg(*c))
			break; /* the rest is its value */
		if (!kind)
			tcp[t++] = *c;
		else if (!strstr(what, _(kind)) && n < sizeof(what))
			n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%s",
					      n ? _(", ") : "", _(kind));
	}
	if (!n)
		return 0;
	tcp[t] = '\0';
	if (t > 1)
		return fail(p,
			    _("'%s': tcpstate shows TCP sockets only: %s; for TCP run "
			      "'tcpstate %s'"),
			    word, what, tcp);
	return fail(p, _("'%s': tcpstate shows TCP sockets only: %s"), word, what);
}

/* Is the next word the value of option word ("--sort -wmem", "-N x")? */
static bool takes_next_word(const char *word)
{
	for (size_t i = 0; i < CLI_N(optdefs); i++) {
		const struct optdef *d = &optdefs[i];
		if ((d->arg_info & POPT_ARG_MASK) == POPT_ARG_STRING &&
		    !(d->arg_info & POPT_ARGFLAG_OPTIONAL) && is_option_word(d, word))
			return true;
	}
	return false;
}

static int run_popt(struct parse *p, int argc, const char **argv)
{
	int rc, err;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (!takes_next_word(argv[i - 1]) && check_other_kinds(p, argv[i]) < 0)
			return -EINVAL;
	poptSetOtherOptionHelp(p->ctx, _("[OPTION...] [FILTER EXPRESSION]"));
	while ((rc = poptGetNextOpt(p->ctx)) > 0) {
		err = handle(p, &optdefs[rc - 1], argc, argv);
		if (err)
			return err;
	}
	if (rc < -1) {
		const char *bad = poptBadOption(p->ctx, POPT_BADOPTION_NOALIAS);
		return fail(p, _("'%s': %s (try --help)"), bad, poptStrerror(rc));
	}
	err = take_expr(p->ctx, p->o);
	if (err)
		return err;
	if (p->o->listening && p->o->all)
		p->o->listening = 0; /* -a already includes LISTEN */
	err = check_replay(p);
	if (!err)
		err = check_output(p);
	return err ? err : check_combinations(p);
}

int cli_parse(int argc, const char **argv, struct opts *ret, char **ret_err)
{
	struct popt_tables *t;
	struct parse p = {.o = ret, .err = ret_err};
	int err;

	*ret = (struct opts){.family = AF_UNSPEC, .interval = 0.1};
	*ret_err = NULL;
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	popt_tables_init(t);
	p.ctx = poptGetContext("tcpstate", argc, argv, t->main, 0);
	err = p.ctx ? run_popt(&p, argc, argv) : -ENOMEM;
	poptFreeContext(p.ctx);
	free(t);
	return err;
}

void cli_done(struct opts *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < CLI_N(optdefs); i++) {
		const struct optdef *d = &optdefs[i];
		if ((d->set == set_string || d->set == set_view) && d->field) {
			char **slot = (char **)((char *)o + d->field);
			free(*slot);
			*slot = NULL;
		}
	}
	for (int i = 0; i < o->n_thresholds; i++)
		free((char *)o->thresholds[i]);
	for (int i = 0; i < o->n_terms; i++)
		free(o->terms[i].value);
	free(o->terms);
	free(o->c_declined);
	for (int i = 0; o->expr && o->expr[i]; i++)
		free((char *)o->expr[i]);
	free(o->expr);
	*o = (struct opts){0};
}

size_t cli_long_options(const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CLI_N(optdefs) && n + 1 < max; i++)
		if (!(optdefs[i].arg_info & POPT_ARGFLAG_DOC_HIDDEN))
			out[n++] = optdefs[i].name;
	if (max)
		out[n] = NULL;
	return n;
}

const char *const *cli_option_values(const char *long_name)
{
	if (strcmp(long_name, "format") == 0)
		return format_names;
	if (strcmp(long_name, "color") == 0)
		return color_names;
	if (strcmp(long_name, "events-source") == 0)
		return events_source_names;
	if (strcmp(long_name, "owners-source") == 0)
		return owners_source_names;
	return NULL;
}
