/* colfmt_cg.c - cells of the cgroup-derived columns (cgroup, unit, container), the
 * owner's command line, mark and tos. */
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "query/cgroups.h"
#include "query/procs.h"
#include "render/colfmt_cg.h"

static size_t dash(char *buf, size_t sz)
{
	return (size_t)snprintf(buf, sz, "-");
}

/* Escaped text, "-" when empty. */
static size_t put_escaped(const char *text, char *buf, size_t sz)
{
	if (!text || !text[0])
		return dash(buf, sz);
	return escape_name(text, buf, sz);
}

static const struct cg_entry *entry(const struct sock_rec *s, const struct col_ctx *c)
{
	return s->cgroup_id ? cgmap_find(c->cgroups, s->cgroup_id) : NULL;
}

size_t colfmt_cgroup(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		     size_t sz)
{
	const struct cg_entry *e = entry(s, c);

	return put_escaped(e ? e->path : NULL, buf, sz);
}

size_t colfmt_unit(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz)
{
	const struct cg_entry *e = entry(s, c);

	return put_escaped(e ? e->unit : NULL, buf, sz);
}

size_t colfmt_container(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	const struct cg_entry *e = entry(s, c);

	return put_escaped(e ? e->label : NULL, buf, sz);
}

size_t colfmt_cmdline(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		      size_t sz)
{
	size_t n, o = 0;
	const struct proc_owner *const *own = procs_lookup(c->procs, s->inode, &n);
	char esc[4096 * 4];

	if (!n || !own[0]->cmdline || !sz)
		return dash(buf, sz);
	for (const char *a = own[0]->cmdline, *end = a + own[0]->cmdline_len;
	     a <= end && o + 1 < sz; a += strlen(a) + 1) {
		escape_name(a, esc, sizeof(esc));
		if (a != own[0]->cmdline)
			buf[o++] = ' ';
		/* a space inside one argument must not look like two arguments */
		for (const char *p = esc; *p && o + 4 < sz; p++) {
			if (*p == ' ') {
				memcpy(buf + o, "\\x20", 4);
				o += 4;
			} else {
				buf[o++] = *p;
			}
		}
	}
	buf[o < sz ? o : sz - 1] = '\0';
	return o < sz ? o : sz - 1;
}

size_t colfmt_mark(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz)
{
	if (!(s->have & SOCK_HAVE_MARK))
		return dash(buf, sz);
	return (size_t)snprintf(buf, sz, "0x%x", s->mark);
}

size_t colfmt_tos(const struct sock_rec *s, const struct col_ctx *c, char *buf, size_t sz)
{
	if (!(s->have & SOCK_HAVE_TOS))
		return dash(buf, sz);
	return (size_t)snprintf(buf, sz, "0x%02x", s->tos);
}
