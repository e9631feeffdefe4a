/* cli.h - command-line options: popt tables fill one struct opts, nothing else. */
#ifndef TCPSTATE_CLI_H
#define TCPSTATE_CLI_H

#include <stdint.h>

#include "model/format.h"
#include "model/states.h"

enum color_mode {
	COLOR_AUTO = 0,
	COLOR_ALWAYS,
	COLOR_NEVER,
};

enum view {
	VIEW_LIST = 0,	   /* the netstat-style listing (default) */
	VIEW_SUMMARY,	   /* -s */
	VIEW_HIST,	   /* --hist */
	VIEW_EVENTS,	   /* -E */
	VIEW_DIAGRAM,	   /* --diagram */
	VIEW_DOCTOR,	   /* --doctor */
	VIEW_KILL,	   /* -K */
	VIEW_EXPLAIN,	   /* --explain */
	VIEW_LIST_COLUMNS, /* --list-columns */
	VIEW_COMPLETE,	   /* --complete WHAT (hidden, for shell completion) */
	VIEW_LAB, /* --lab: never in opts.view; wraps the view chosen there (main.c) */
};

/* Where -E gets its events (--events-source). */
enum events_source {
	EVSRC_AUTO = 0, /* the tracepoint when eBPF loads, else polling (with a note) */
	EVSRC_POLL,	/* sock_diag polls plus destroy notifications */
	EVSRC_BPF,	/* the tracepoint only; fail when eBPF cannot load */
};

/* Where -p gets the owners (--owners-source). */
enum owners_source {
	OWNSRC_AUTO = 0, /* the BPF task_file iterator when it loads, else /proc */
	OWNSRC_PROC,	 /* the /proc/PID/fd walk */
	OWNSRC_BPF,	 /* the iterator only; fail when eBPF cannot load */
};

#define OPTS_MAX_THRESHOLDS 16

/*
 * One filter option as given (--state LIST, --port SPEC, ...), in argv order. The key is
 * the option's long name, which is also its keyword in the expression language; a key
 * given twice adds to its list (filter_build says how).
 */
struct opt_term {
	const char *key; /* static storage */
	char *value;
};

/*
 * What cli_parse fills; cli_done frees the strings in it. Flags are int (0 or 1) because
 * the column model reads them through one table of offsets.
 */
struct opts {
	enum view view;

	/* selection */
	int all;       /* -a: every state, CLOSED included (bound-inactive dump bit) */
	int listening; /* -l: LISTEN only */
	int family;    /* AF_UNSPEC, AF_INET (-4) or AF_INET6 (-6) */
	int resolve;   /* -r */

	/* what to show */
	int processes; /* -p */
	int extended;  /* -e */
	int timers;    /* -o */
	int info;      /* -i */
	int memory;    /* -m */
	int no_header; /* -H */
	int wide;      /* -W: never cut lines at the terminal's width */
	enum out_format format;
	enum color_mode color;
	char *sort;	  /* --sort KEY[,KEY...] */
	char *columns;	  /* --columns LIST */
	char *hist;	  /* --hist KEY[,KEY2] */
	char *output;	  /* --output FILE: written atomically instead of stdout */
	long top;	  /* --top N; 0 = fit the terminal */
	int unit_metrics; /* --unit-metrics: OpenMetrics tcpstate_unit_sockets */

	/* repetition and events */
	double continuous; /* -c [SECONDS]; 0 = once */
	double interval;   /* --interval SECONDS for -E polling; default 0.1 */
	long count;	   /* --count N: stop after N frames/events (0 = forever) */
	enum events_source events_source; /* --events-source */
	enum owners_source owners_source; /* --owners-source */
	char *c_declined; /* the word after -c that is no interval (for a hint) */

	/* namespaces, kill, explain, doctor */
	char *netns;   /* -N TARGET */
	int all_netns; /* --all-netns */
	int dry_run;   /* --dry-run with -K */
	char *explain; /* --explain [TOPIC]; "" for all states */
	char *lab;     /* --lab [LESSON]: "" for every state; NULL without --lab */
	const char
	    *thresholds[OPTS_MAX_THRESHOLDS]; /* --threshold KEY=VALUE, repeatable */
	int n_thresholds;

	/* filter: long options become terms ANDed with the expression */
	struct opt_term *terms;
	int n_terms;
	char *f_file; /* --filter-file FILE: an expression read from a file */
	const char *
	    *expr; /* filter expression words after the options (NULL-terminated) */
	int n_expr;

	/* debugging and tests */
	char *complete; /* --complete WHAT */
	char *record;	/* --record FILE: save the raw netlink dump */
	char *replay;	/* --replay FILE: read a recorded dump instead of the kernel */
	int stats;	/* --stats: netlink byte/message counters on stderr */
};

/*
 * Parse argv into *ret. On a usage error returns -EINVAL and points *ret_err at a
 * malloc'd one-line message (without the "tcpstate: " prefix). Returns 1 when --help,
 * --usage or --version was handled (text already written to stdout), else 0. Whatever
 * it returns, free *ret with cli_done.
 */
int cli_parse(int argc, const char **argv, struct opts *ret, char **ret_err);

/* Free the strings cli_parse put into *o and zero it. Accepts NULL. */
void cli_done(struct opts *o);

/* The long names (without "--") of the options --help shows, in --help's order, for
 * completion: fills out (at most max - 1 names, then NULL) and returns the count. */
size_t cli_long_options(const char **out, size_t max);

/* The values a fixed-choice option takes ("format", "color"), NULL-terminated, static
 * storage; NULL for any other option. */
const char *const *cli_option_values(const char *long_name);

#endif
