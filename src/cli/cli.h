/* cli.h - command-line options: popt tables fill one struct opts, nothing else. */
#ifndef TCPSTATE_CLI_H
#define TCPSTATE_CLI_H

#include <stdint.h>

#include "model/states.h"

enum out_format {
	FMT_TABLE = 0,
	FMT_JSON,
	FMT_JSONL,
	FMT_CSV,
	FMT_OPENMETRICS,
};

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

/* Flags are int because popt stores POPT_ARG_NONE options as int. */
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
	enum out_format format;
	enum color_mode color;
	const char *sort;    /* --sort KEY[,KEY...] */
	const char *columns; /* --columns LIST */
	const char *hist;    /* --hist KEY[,KEY2] */
	long top;	     /* --top N; 0 = fit the terminal */

	/* repetition and events */
	double continuous; /* -c [SECONDS]; 0 = once */
	double interval;   /* --interval SECONDS for -E polling; default 0.1 */
	long count;	   /* --count N: stop after N frames/events (0 = forever) */
	enum events_source events_source; /* --events-source */
	enum owners_source owners_source; /* --owners-source */

	/* namespaces, kill, explain, doctor */
	const char *netns;   /* -N TARGET */
	int all_netns;	     /* --all-netns */
	int dry_run;	     /* --dry-run with -K */
	const char *explain; /* --explain [TOPIC]; "" for all states */
	const char
	    *thresholds[OPTS_MAX_THRESHOLDS]; /* --threshold KEY=VALUE, repeatable */
	int n_thresholds;

	/* filter: long options become terms ANDed with the expression */
	const char *f_state, *f_exclude, *f_port, *f_sport, *f_dport;
	const char *f_src, *f_dst, *f_pid, *f_process, *f_user;
	const char *
	    *expr; /* filter expression words after the options (NULL-terminated) */
	int n_expr;

	/* debugging and tests */
	const char *complete; /* --complete WHAT */
	const char *record;   /* --record FILE: save the raw netlink dump */
	const char
	    *replay; /* --replay FILE: read a recorded dump instead of the kernel */
	int stats;   /* --stats: netlink byte/message counters on stderr */
};

/*
 * Parse argv into *ret. On a usage error returns -EINVAL and points *ret_err at a
 * malloc'd one-line message (without the "tcpstate: " prefix). Returns 1 when --help,
 * --usage or --version was handled (text already written to stdout), else 0.
 * The popt context is kept in *ret_ctx (free with cli_done) because opts->expr points
 * into it.
 */
struct poptContext_s;
int cli_parse(int argc, const char **argv, struct opts *ret,
	      struct poptContext_s **ret_ctx, char **ret_err);

/* Release what cli_parse kept. Accepts NULL. */
void cli_done(struct poptContext_s *ctx);

/* The long names (without "--") of the options --help shows, from the popt tables, for
 * completion. NULL-terminated, static storage. */
const char *const *cli_long_options(void);

/* The values a fixed-choice option takes ("format", "color"), NULL-terminated, static
 * storage; NULL for any other option. */
const char *const *cli_option_values(const char *long_name);

#endif
