/* fmt_om.c - OpenMetrics text exposition: gauges with # HELP / # TYPE and a final # EOF.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/escape.h"
#include "model/columns.h"
#include "render/colfmt.h"
#include "render/fmt_om.h"

size_t fmt_om_label(const char *in, size_t len, char *out, size_t sz)
{
	char raw[HIST_VALUE_MAX], esc[HIST_VALUE_MAX * 4];
	size_t o = 0, n;

	if (!sz)
		return 0;
	/* escape_name wants a C string */
	if (len >= sizeof(raw))
		len = sizeof(raw) - 1;
	memcpy(raw, in, len);
	raw[len] = '\0';
	n = escape_name(raw, esc, sizeof(esc));
	for (size_t i = 0; i < n; i++) {
		const char *piece = esc[i] == '\\'   ? "\\\\"
				    : esc[i] == '"'  ? "\\\""
				    : esc[i] == '\n' ? "\\n"
						     : NULL;
		size_t pl = piece ? 2 : 1;
		if (o + pl + 1 > sz)
			break;
		memcpy(out + o, piece ? piece : &esc[i], pl);
		o += pl;
	}
	out[o] = '\0';
	return o;
}

static void family_header(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void put_listeners(FILE *out, const struct summary *sum, const char *name,
			  bool queue)
{
	char ep[128];

	for (size_t i = 0; i < sum->n_lst; i++) {
		const struct summary_listener *l = &sum->lst[i];
		sock_fmt_endpoint(l->family, l->addr, l->port, false, false, ep,
				  sizeof(ep));
		fprintf(out, "%s{local=\"%s\"", name, ep);
		/* --all-netns: the same address in two namespaces is two listeners */
		if (l->netns)
			fprintf(out, ",netns=\"%llu\"", (unsigned long long)l->netns);
		fprintf(out, "} %llu\n",
			(unsigned long long)(queue ? l->queue : l->backlog));
	}
}

static void put_label(FILE *out, const char *name, const struct hist_row *r);

/* --unit-metrics: one series per unit and state ("-": sockets of no unit). */
static void put_units(FILE *out, const struct hist *h)
{
	family_header(out, "tcpstate_unit_sockets",
		      "TCP sockets of each systemd unit, by state.");
	for (size_t g = 0; g < h->n_groups; g++) {
		const struct hist_row *gr = &h->groups[g];
		for (size_t i = 0; i < gr->n; i++) {
			fputs("tcpstate_unit_sockets{", out);
			put_label(out, "unit", gr);
			putc_unlocked(',', out);
			put_label(out, "state", &h->subs[gr->first + i]);
			fprintf(out, "} %llu\n",
				(unsigned long long)h->subs[gr->first + i].count);
		}
	}
}

int fmt_om_summary(FILE *out, const struct summary *sum)
{
	static const char *const fam[SUMMARY_NFAMILIES] = {"ipv4", "ipv6"};

	family_header(out, "tcpstate_sockets",
		      "TCP sockets in each state, by address family.");
	for (int st = 0; st <= TS_NSTATES; st++) {
		uint64_t v4 = sum->count[SUMMARY_IPV4][st],
			 v6 = sum->count[SUMMARY_IPV6][st];
		if (st == TS_NSTATES && !v4 && !v6)
			break; /* UNKNOWN only when seen */
		for (int f = 0; f < SUMMARY_NFAMILIES; f++)
			fprintf(
			    out, "tcpstate_sockets{state=\"%s\",family=\"%s\"} %llu\n",
			    st < TS_NSTATES ? state_name((enum ts_state)st) : "UNKNOWN",
			    fam[f], (unsigned long long)sum->count[f][st]);
	}
	if (sum->keep_listeners) {
		family_header(
		    out, "tcpstate_listen_queue",
		    "Connections waiting in the accept queue of a listening endpoint.");
		put_listeners(out, sum, "tcpstate_listen_queue", true);
		family_header(
		    out, "tcpstate_listen_backlog",
		    "Accept queue limit (listen backlog) of a listening endpoint.");
		put_listeners(out, sum, "tcpstate_listen_backlog", false);
	}
	if (sum->units)
		put_units(out, sum->units);
	fputs("# EOF\n", out);
	return ferror(out) ? -EIO : 0;
}

static void put_label(FILE *out, const char *name, const struct hist_row *r)
{
	char buf[HIST_VALUE_MAX * 8 + 1];

	fmt_om_label(r->key, r->len, buf, sizeof(buf));
	fprintf(out, "%s=\"%s\"", name, buf);
}

int fmt_om_hist(FILE *out, const struct hist *h, const struct hist_limit *lim)
{
	size_t ng = lim->groups && lim->groups < h->n_groups ? lim->groups : h->n_groups;

	fputs("# HELP tcpstate_hist_sockets TCP sockets grouped by", out);
	for (int k = 0; k < h->nkeys; k++)
		fprintf(out, "%s%s", k ? " and " : " ", h->keys[k]->name);
	fputs(".\n# TYPE tcpstate_hist_sockets gauge\n", out);
	for (size_t g = 0; g < ng; g++) {
		const struct hist_row *gr = &h->groups[g];
		size_t ns = h->nkeys == 1
				? 1
				: (lim->subs && lim->subs < gr->n ? lim->subs : gr->n);
		for (size_t i = 0; i < ns; i++) {
			const struct hist_row *r =
			    h->nkeys == 1 ? gr : &h->subs[gr->first + i];
			fputs("tcpstate_hist_sockets{", out);
			put_label(out, h->keys[0]->name, gr);
			if (h->nkeys > 1) {
				putc_unlocked(',', out);
				put_label(out, h->keys[1]->name, r);
			}
			fprintf(out, "} %llu\n", (unsigned long long)r->count);
		}
	}
	fputs("# EOF\n", out);
	return ferror(out) ? -EIO : 0;
}
