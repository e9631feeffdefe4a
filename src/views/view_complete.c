/* view_complete.c - --complete WHAT: the lists the shell completions ask the binary for.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "aggregate/hist.h"
#include "aggregate/sortkeys.h"
#include "cli/cli.h"
#include "filter/filter.h"
#include "model/columns.h"
#include "model/colvalue.h"
#include "query/lab.h"
#include "query/cgroups.h"
#include "render/explain.h"
#include "views/doctor.h"
#include "views/run.h"
#include "views/views.h"

/* A small set of printed words, so no candidate appears twice. */
struct seen {
	char **v;
	size_t n, cap;
};

static bool seen_add(struct seen *s, const char *w)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], w) == 0)
			return false;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 32;
		char **nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return true; /* print it anyway; a duplicate is harmless */
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n] = strdup(w);
	if (s->v[s->n])
		s->n++;
	return true;
}

static void seen_done(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* One candidate per line: a word with a control byte could not be typed, and a newline
 * would split it, so such words are left out. */
static void put(FILE *out, struct seen *s, const char *w)
{
	for (const char *p = w; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return;
	if (*w && (!s || seen_add(s, w)))
		fprintf(out, "%s\n", w);
}

static void put_list(FILE *out, const char *const *list, const char *prefix)
{
	for (; list && *list; list++)
		fprintf(out, "%s%s\n", prefix, *list);
}

static int c_options(const struct run_ctx *ctx)
{
	const char *names[128];

	cli_long_options(names, sizeof(names) / sizeof(names[0]));
	put_list(ctx->out, names, "--");
	return 0;
}

/* The keywords, then every column a term can compare (COLUMN OP VALUE). */
static int c_keywords(const struct run_ctx *ctx)
{
	struct seen s = {0};

	for (const char *const *k = filter_keywords(); *k; k++)
		put(ctx->out, &s, *k);
	for (int i = 0; colvalue_table[i].name; i++)
		put(ctx->out, &s, colvalue_table[i].name);
	seen_done(&s);
	return 0;
}

/* "operators:COLUMN": what may follow a column name. */
static int c_operators(const struct run_ctx *ctx, const char *col)
{
	static const char *const num_ops[] = {"==", "!=", "<", "<=", ">", ">=", NULL};
	static const char *const text_ops[] = {"==", "!=", "~", "!~", NULL};
	const struct col_value *v = colvalue_find(col);

	if (!v)
		return run_error(ctx, -EINVAL,
				 "no column '%s' to compare (see --list-columns)", col);
	put_list(ctx->out, v->unit == CU_TEXT ? text_ops : num_ops, "");
	return 0;
}

/* "units:COLUMN": the units a value of the column may carry (nothing for text). */
static int c_col_units(const struct run_ctx *ctx, const char *col)
{
	const struct col_value *v = colvalue_find(col);

	if (!v)
		return run_error(ctx, -EINVAL,
				 "no column '%s' to compare (see --list-columns)", col);
	for (const struct col_suffix *u = colvalue_suffixes(v->unit); u->suffix; u++)
		if (*u->suffix)
			fprintf(ctx->out, "%s\n", u->suffix);
	return 0;
}

/* Canonical names, ss's spellings in lower case, then the groups. */
static int c_states(const struct run_ctx *ctx)
{
	struct seen s = {0};
	char lower[32];

	for (int i = 0; i < TS_NSTATES; i++)
		put(ctx->out, &s, state_table[i].name);
	for (int i = 0; i < TS_NSTATES; i++) {
		size_t j;
		for (j = 0; state_table[i].ss_name[j] && j + 1 < sizeof(lower); j++)
			lower[j] =
			    (char)tolower((unsigned char)state_table[i].ss_name[j]);
		lower[j] = '\0';
		put(ctx->out, &s, lower);
	}
	for (int i = 0; state_groups[i].name; i++)
		put(ctx->out, &s, state_groups[i].name);
	seen_done(&s);
	return 0;
}

static int c_formats(const struct run_ctx *ctx)
{
	put_list(ctx->out, cli_option_values("format"), "");
	return 0;
}

static int c_colors(const struct run_ctx *ctx)
{
	put_list(ctx->out, cli_option_values("color"), "");
	return 0;
}

static int c_events_sources(const struct run_ctx *ctx)
{
	put_list(ctx->out, cli_option_values("events-source"), "");
	return 0;
}

static int c_owners_sources(const struct run_ctx *ctx)
{
	put_list(ctx->out, cli_option_values("owners-source"), "");
	return 0;
}

static int c_columns(const struct run_ctx *ctx)
{
	for (int i = 0; column_table[i].name; i++)
		fprintf(ctx->out, "%s\n", column_table[i].name);
	return 0;
}

static int c_sort(const struct run_ctx *ctx)
{
	struct seen s = {0};

	for (int i = 0; sort_keys[i].name; i++)
		put(ctx->out, &s, sort_keys[i].name);
	for (int i = 0; column_table[i].name; i++)
		if (column_table[i].type == COL_NUMBER)
			put(ctx->out, &s, column_table[i].name);
	seen_done(&s);
	return 0;
}

static int c_hist(const struct run_ctx *ctx)
{
	for (int i = 0; hist_keys[i].name; i++)
		fprintf(ctx->out, "%s\n", hist_keys[i].name);
	return 0;
}

static int c_topics(const struct run_ctx *ctx)
{
	put_list(ctx->out, explain_topics(), "");
	return 0;
}

static int c_lessons(const struct run_ctx *ctx)
{
	for (const struct lab_lesson *l = lab_lessons; l->name; l++)
		fprintf(ctx->out, "%s\n", l->name);
	return 0;
}

/* "KEY=" for each --doctor threshold: the value is the user's to type. */
static int c_thresholds(const struct run_ctx *ctx)
{
	for (int i = 0; doctor_thresholds[i].key; i++)
		fprintf(ctx->out, "%s=\n", doctor_thresholds[i].key);
	return 0;
}

static int c_netns(const struct run_ctx *ctx)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;

	if (!d)
		return 0; /* no named namespaces */
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			put(ctx->out, NULL, e->d_name);
	closedir(d);
	return 0;
}

/* Live lists look at every state, whatever -a/-l say. */
/* Every socket in every state, whatever the options select. */
static void all_states(const struct run_ctx *ctx, unsigned needs, struct query *ret)
{
	*ret = *ctx->query;
	query_select_all(ret, false);
	query_drop_filter(ret);
	ret->needs = needs;
}

struct port_seen {
	uint8_t listen[65536 / 8];
	uint8_t other[65536 / 8];
};

#define BIT_SET(a, i) ((a)[(i) / 8] |= (uint8_t)(1u << ((i) % 8)))
#define BIT_ISSET(a, i) ((a)[(i) / 8] & (1u << ((i) % 8)))

static int port_one(const struct sock_rec *s, void *data)
{
	struct port_seen *ps = data;

	if (!s) {
		memset(ps, 0, sizeof(*ps));
		return 0;
	}
	if (s->state == TS_LISTEN) {
		BIT_SET(ps->listen, s->lport);
		return 0;
	}
	if (s->lport)
		BIT_SET(ps->other, s->lport);
	if (s->rport)
		BIT_SET(ps->other, s->rport);
	return 0;
}

/* Listening ports first (the ones people ask about), then every other port in use. */
static int c_ports(const struct run_ctx *ctx)
{
	struct port_seen *ps = calloc(1, sizeof(*ps));
	struct query q;
	int err;

	if (!ps)
		return run_error(ctx, -ENOMEM, _("out of memory"));
	all_states(ctx, 0, &q);
	err = collect_stream(&q, ctx->cstate, port_one, ps, NULL);
	for (unsigned p = 1; err == 0 && p < 65536; p++)
		if (BIT_ISSET(ps->listen, p))
			fprintf(ctx->out, "%u\n", p);
	for (unsigned p = 1; err == 0 && p < 65536; p++)
		if (BIT_ISSET(ps->other, p) && !BIT_ISSET(ps->listen, p))
			fprintf(ctx->out, "%u\n", p);
	free(ps);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the processes that own sockets right now, sorted. */
static int c_processes(const struct run_ctx *ctx)
{
	struct seen s = {0};
	struct collect col;
	struct query q;
	int err;

	all_states(ctx, COL_NEED_PROCS, &q);
	err = collect_sockets(&q, ctx->cstate, &col);
	for (size_t i = 0; err == 0 && i < col.socks.n; i++) {
		const struct proc_owner *const *ow;
		size_t n;
		ow = procs_lookup(col.procs, col.socks.v[i].inode, &n);
		for (size_t j = 0; j < n; j++)
			seen_add(&s, ow[j]->comm);
	}
	collect_done(&col);
	if (s.n > 1) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(s.v, s.n, sizeof(*s.v), cmp_str);
	for (size_t i = 0; err == 0 && i < s.n; i++)
		put(ctx->out, NULL, s.v[i]);
	seen_done(&s);
	return err;
}

struct uid_seen {
	uint32_t *v;
	size_t n, cap;
};

static int uid_one(const struct sock_rec *s, void *data)
{
	struct uid_seen *u = data;

	if (!s) {
		u->n = 0;
		return 0;
	}
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i] == s->uid)
			return 0;
	if (u->n == u->cap) {
		size_t nc = u->cap ? u->cap * 2 : 16;
		uint32_t *nv = realloc(u->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		u->v = nv;
		u->cap = nc;
	}
	u->v[u->n++] = s->uid;
	return 0;
}

/* The users that own sockets right now, then everyone else in the password database. */
static int c_users(const struct run_ctx *ctx)
{
	struct uid_seen u = {0};
	struct seen s = {0};
	struct passwd *pw;
	struct query q;
	char num[16];
	int err;

	all_states(ctx, 0, &q);
	err = collect_stream(&q, ctx->cstate, uid_one, &u, NULL);
	for (size_t i = 0; err == 0 && i < u.n; i++) {
		pw = getpwuid(u.v[i]);
		snprintf(num, sizeof(num), "%u", u.v[i]);
		put(ctx->out, &s, pw ? pw->pw_name : num);
	}
	free(u.v);
	if (err == 0) {
		setpwent();
		while ((pw = getpwent()))
			put(ctx->out, &s, pw->pw_name);
		endpwent();
	}
	seen_done(&s);
	return err;
}

struct cg_seen {
	const struct cgmap *map;
	bool container; /* the container labels, else the units */
	struct seen seen;
};

static int cg_one(const struct sock_rec *s, void *data)
{
	struct cg_seen *c = data;
	const struct cg_entry *e =
	    s && s->cgroup_id ? cgmap_find(c->map, s->cgroup_id) : NULL;
	const char *w = !e ? NULL : c->container ? e->label : e->unit;

	if (w && w[0])
		seen_add(&c->seen, w);
	return 0;
}

/* The units or containers that hold sockets right now, sorted. */
static int cg_list(const struct run_ctx *ctx, bool container)
{
	struct cg_seen c = {ctx->cstate->cgroups, container, {0}};
	struct query q;
	int err;

	all_states(ctx, COL_NEED_CGROUP, &q);
	err = collect_stream(&q, ctx->cstate, cg_one, &c, NULL);
	if (c.seen.n > 1)
		qsort(c.seen.v, c.seen.n, sizeof(*c.seen.v), cmp_str);
	for (size_t i = 0; err == 0 && i < c.seen.n; i++)
		put(ctx->out, NULL, c.seen.v[i]);
	seen_done(&c.seen);
	return err;
}

static int c_units(const struct run_ctx *ctx)
{
	return cg_list(ctx, false);
}

static int c_containers(const struct run_ctx *ctx)
{
	return cg_list(ctx, true);
}

static int c_whats(const struct run_ctx *ctx);

static const struct {
	const char *what;
	int (*fn)(const struct run_ctx *ctx);
} whats[] = {
    {"options", c_options},
    {"keywords", c_keywords},
    {"states", c_states},
    {"ports", c_ports},
    {"processes", c_processes},
    {"users", c_users},
    {"formats", c_formats},
    {"colors", c_colors},
    {"events-sources", c_events_sources},
    {"owners-sources", c_owners_sources},
    {"columns", c_columns},
    {"sort", c_sort},
    {"hist", c_hist},
    {"topics", c_topics},
    {"netns", c_netns},
    {"whats", c_whats},
    {"thresholds", c_thresholds},
    {"lessons", c_lessons},
    {"units", c_units},
    {"containers", c_containers},
};

#define N_WHATS (sizeof(whats) / sizeof(whats[0]))

/* Lists about one column: "operators:rtt", "units:rtt". */
static const struct {
	const char *prefix;
	int (*fn)(const struct run_ctx *ctx, const char *col);
} column_whats[] = {
    {"operators:", c_operators},
    {"units:", c_col_units},
};

#define N_COLUMN_WHATS (sizeof(column_whats) / sizeof(column_whats[0]))

static int c_whats(const struct run_ctx *ctx)
{
	for (size_t i = 0; i < N_WHATS; i++)
		fprintf(ctx->out, "%s\n", whats[i].what);
	for (size_t i = 0; i < N_COLUMN_WHATS; i++)
		fprintf(ctx->out, "%sCOLUMN\n", column_whats[i].prefix);
	return 0;
}

int view_complete(const struct run_ctx *ctx)
{
	const char *what = ctx->opts->complete ? ctx->opts->complete : "";
	char list[256];
	size_t n = 0;

	for (size_t i = 0; i < N_WHATS; i++)
		if (strcmp(what, whats[i].what) == 0)
			return whats[i].fn(ctx);
	for (size_t i = 0; i < N_COLUMN_WHATS; i++) {
		size_t len = strlen(column_whats[i].prefix);
		if (strncmp(what, column_whats[i].prefix, len) == 0)
			return column_whats[i].fn(ctx, what + len);
	}
	for (size_t i = 0; i < N_WHATS && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
				      whats[i].what);
	return run_error(ctx, -EINVAL, _("unknown completion list '%s' (try %s)"), what,
			 list);
}
