/* views.h - every view's entry point, one per file in views/; main.c picks one from a
 * table. */
#ifndef TCPSTATE_VIEWS_H
#define TCPSTATE_VIEWS_H

struct run_ctx;

/*
 * Each view collects what it needs, aggregates it and makes one output call. Each returns
 * 0, a negative errno with the error text recorded by run_error(), or a positive exit
 * status (3 from --doctor when it found something).
 */

/* The default view: the netstat-style table of sockets (view_list.c). */
int view_list(const struct run_ctx *ctx);

/* --list-columns: name, type and description of every column, in any --format but
 * openmetrics; -EINVAL for openmetrics (view_list.c). */
int view_list_columns(const struct run_ctx *ctx);

/* -s: counts per state and family (view_summary.c); also the listing's openmetrics. */
int view_summary(const struct run_ctx *ctx);

/* --hist KEY[,KEY2]: group-by counts (view_hist.c). */
int view_hist(const struct run_ctx *ctx);

/* -E: lifecycle events from the eBPF tracepoint, or from polling plus destroy
 * notifications (view_events_source.c picks; view_events.c, events_bpf.c stream). */
int view_events(const struct run_ctx *ctx);

/* -K: destroy the selected sockets, or list them with --dry-run (view_kill.c). */
int view_kill(const struct run_ctx *ctx);

/* --doctor: findings with evidence; 3 when it found something (view_doctor.c). */
int view_doctor(const struct run_ctx *ctx);

/* --explain [TOPIC] (view_explain.c). */
int view_explain(const struct run_ctx *ctx);

/* --diagram: the state machine with live counts (view_diagram.c). */
int view_diagram(const struct run_ctx *ctx);

/*
 * --lab [LESSON]: move into a private network namespace, have a child process build a
 * socket in each of the 11 states and show them with the view in opts.view (the listing
 * with -a -p by default, repeated with -c), or step through a lesson's system calls with
 * the segments and the kernel's states after each (view_lab.c). -EPERM (one line) when
 * no network namespace can be made. The child and the namespace are gone on return.
 */
int view_lab(const struct run_ctx *ctx);

/*
 * --complete WHAT: candidates for the shell completions, one per line: options, keywords,
 * states, ports, processes, users, formats, colors, columns, sort, hist, topics, netns,
 * thresholds, lessons (--lab), or whats (this list). Live lists come from a dump of this
 * namespace; -EINVAL for an unknown WHAT (view_complete.c).
 */
int view_complete(const struct run_ctx *ctx);

#endif
