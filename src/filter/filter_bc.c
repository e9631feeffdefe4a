/* filter_bc.c - compile what the kernel can decide into INET_DIAG_REQ_BYTECODE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>

#include "filter/filter.h"
#include "filter/filter_int.h"

/*
 * The kernel's program (net/ipv4/inet_diag.c) is a list of ops run front to back: an op
 * that holds moves on by op->yes bytes (which the audit requires to be exactly its own
 * length), one that fails jumps op->no bytes forward. Landing exactly on the end accepts
 * the socket; landing 4 bytes past it rejects. So every test "falls through when true,
 * jumps to a label when false", and INET_DIAG_BC_JMP (which always fails) is the goto.
 *
 * The kernel can test ports, addresses, the bound interface, marks and cgroup IDs (a
 * cgroup PATH whose subtree filter_bind_cgroups expanded). Everything else (states go
 * into the request's state mask instead; pid, process and user only user space knows)
 * becomes "true" where the kernel must keep a superset and "false" under a NOT, so the
 * program never rejects a socket the user-space check would keep.
 */

#define BC_MAX 60000 /* op->no is 16 bits and the attribute must fit in 64 KiB */
#define L_REJECT 0   /* label 0: four bytes past the end */

struct fixup {
	size_t at; /* offset of the op whose no field jumps */
	int label;
};

struct bc {
	uint8_t *v;
	size_t n, cap;
	struct fixup *fix;
	size_t nfix, capfix;
	size_t *labels; /* byte offset of each label; SIZE_MAX until placed */
	int nlabels, caplabels;
	int err;
};

enum cval { C_VAR = 0, C_TRUE, C_FALSE };

static void *grow(void *p, size_t *cap, size_t need, size_t elem, int *err)
{
	if (need <= *cap)
		return p;
	size_t nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(p, nc * elem);
	if (!np) {
		*err = -ENOMEM;
		return NULL;
	}
	*cap = nc;
	return np;
}

static int new_label(struct bc *b)
{
	size_t cap = (size_t)b->caplabels;
	size_t *nl = grow(b->labels, &cap, (size_t)b->nlabels + 1, sizeof(*nl), &b->err);

	if (!nl)
		return L_REJECT;
	b->labels = nl;
	b->caplabels = (int)cap;
	b->labels[b->nlabels] = SIZE_MAX;
	return b->nlabels++;
}

static void place(struct bc *b, int label)
{
	if (!b->err)
		b->labels[label] = b->n;
}

/* Append an op of len bytes (header plus payload) whose false branch goes to label. */
static void *emit(struct bc *b, uint8_t code, size_t len, int label)
{
	uint8_t *nv;
	struct fixup *nf;
	struct inet_diag_bc_op *op;

	if (b->err)
		return NULL;
	if (b->n + len > BC_MAX) {
		b->err = -E2BIG;
		return NULL;
	}
	nv = grow(b->v, &b->cap, b->n + len, 1, &b->err);
	if (!nv)
		return NULL;
	b->v = nv;
	nf = grow(b->fix, &b->capfix, b->nfix + 1, sizeof(*nf), &b->err);
	if (!nf)
		return NULL;
	b->fix = nf;
	b->fix[b->nfix].at = b->n;
	b->fix[b->nfix].label = label;
	b->nfix++;
	op = (struct inet_diag_bc_op *)(b->v + b->n);
	memset(op, 0, len);
	op->code = code;
	op->yes = (uint8_t)len;
	b->n += len;
	return op;
}

static void emit_jump(struct bc *b, int label)
{
	emit(b, INET_DIAG_BC_JMP, sizeof(struct inet_diag_bc_op), label);
}

/* A port comparison: the port travels in the no field of a second op. */
static void emit_port(struct bc *b, uint8_t code, uint16_t port, int label)
{
	struct inet_diag_bc_op *op = emit(b, code, 2 * sizeof(*op), label);

	if (op)
		op[1].no = port;
}

/* Is this address term something the kernel matches exactly like filter_addr_match? */
static bool addr_compilable(const struct addr_prefix *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	int full = a->bits / 8, rest = a->bits % 8;

	if (a->bits >= 96)
		return true;
	/* An IPv6 prefix shorter than 96 bits that covers ::ffff:0:0/96 would also match
	 * IPv4 sockets (in their mapped form), which an AF_INET6 hostcond never does. */
	if (memcmp(a->addr, mapped, (size_t)full) != 0)
		return true;
	if (rest && (a->addr[full] & (uint8_t)(0xff << (8 - rest))) !=
			(mapped[full] & (uint8_t)(0xff << (8 - rest))))
		return true;
	return false;
}

static bool is_v4(const struct addr_prefix *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return a->bits >= 96 && memcmp(a->addr, mapped, 12) == 0;
}

static void emit_addr(struct bc *b, const struct fnode *n, int label)
{
	struct inet_diag_hostcond *hc;
	uint8_t code = n->side == FSIDE_LOCAL ? INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND;
	bool v4 = is_v4(&n->u.addr);
	size_t alen = v4 ? 4 : 16;

	hc = emit(b, code, sizeof(struct inet_diag_bc_op) + sizeof(*hc) + alen, label);
	if (!hc)
		return;
	hc = (struct inet_diag_hostcond *)((struct inet_diag_bc_op *)hc + 1);
	/* An AF_INET condition also matches v4-mapped addresses of AF_INET6 sockets. */
	hc->family = v4 ? AF_INET : AF_INET6;
	hc->prefix_len = (uint8_t)(v4 ? n->u.addr.bits - 96 : n->u.addr.bits);
	hc->port = -1;
	memcpy(hc->addr, v4 ? n->u.addr.addr + 12 : n->u.addr.addr, alen);
}

/* The constant value of n in the kernel's approximation, if it has one. */
static enum cval cval(const struct fnode *n, bool upper)
{
	enum cval a, c;

	switch (n->kind) {
	case FN_AND:
	case FN_OR: {
		enum cval absorb = n->kind == FN_AND ? C_FALSE : C_TRUE;
		enum cval neutral = n->kind == FN_AND ? C_TRUE : C_FALSE;
		a = cval(n->a, upper);
		c = cval(n->b, upper);
		if (a == absorb || c == absorb)
			return absorb;
		if (a == neutral && c == neutral)
			return neutral;
		return C_VAR;
	}
	case FN_NOT:
		a = cval(n->a, !upper);
		return a == C_VAR ? C_VAR : (a == C_TRUE ? C_FALSE : C_TRUE);
	case FN_PORT:
		for (int i = 0; i < n->u.ports->n; i++)
			if (n->u.ports->r[i].lo == 0 && n->u.ports->r[i].hi == 65535)
				return C_TRUE;
		return C_VAR;
	case FN_ADDR:
		if (n->u.addr.bits == 0)
			return C_TRUE;
		return addr_compilable(&n->u.addr) ? C_VAR : (upper ? C_TRUE : C_FALSE);
	case FN_DEV:
		return C_VAR;
	case FN_MARK:
		if (n->u.mark.mask == 0 && n->u.mark.value == 0)
			return C_TRUE;
		return C_VAR;
	case FN_CGROUP:
		/* expanded into its IDs (filter_bind_cgroups): the kernel decides */
		if (n->u.cg->ids && n->u.cg->n_ids)
			return C_VAR;
		return upper ? C_TRUE : C_FALSE;
	default:
		return upper ? C_TRUE : C_FALSE; /* only user space can tell */
	}
}

static void gen(struct bc *b, const struct fnode *n, bool upper, int f_label);

/* dev: the u32 ifindex follows the op. */
static void emit_dev(struct bc *b, uint32_t ifindex, int label)
{
	struct inet_diag_bc_op *op =
	    emit(b, INET_DIAG_BC_DEV_COND, sizeof(*op) + 4, label);

	if (op)
		memcpy(op + 1, &ifindex, 4);
}

/* mark: struct inet_diag_markcond follows; the kernel wants CAP_NET_ADMIN for it. */
static void emit_mark(struct bc *b, uint32_t value, uint32_t mask, int label)
{
	struct inet_diag_markcond mc = {.mark = value, .mask = mask};
	struct inet_diag_bc_op *op =
	    emit(b, INET_DIAG_BC_MARK_COND, sizeof(*op) + sizeof(mc), label);

	if (op)
		memcpy(op + 1, &mc, sizeof(mc));
}

/* cgroup: falls through when the socket's cgroup ID is one of ids. */
static void gen_cgroup_ids(struct bc *b, const uint64_t *ids, size_t n, int f_label)
{
	int ok = new_label(b);

	for (size_t i = 0; i < n; i++) {
		bool last = i == n - 1;
		int next = last ? f_label : new_label(b);
		struct inet_diag_bc_op *op =
		    emit(b, INET_DIAG_BC_CGROUP_COND, sizeof(*op) + 8, next);
		if (op)
			memcpy(op + 1, &ids[i], 8); /* the kernel reads it unaligned */
		if (!last) {
			emit_jump(b, ok);
			place(b, next);
		}
	}
	place(b, ok);
}

/* One side's port ranges: falls through when the port is in one of them. */
static void gen_ranges(struct bc *b, const struct port_spec *ps, bool local, int f_label)
{
	uint8_t ge = local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE;
	uint8_t le = local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE;
	int ok = new_label(b);

	for (int i = 0; i < ps->n; i++) {
		bool last = i == ps->n - 1;
		int next = last ? f_label : new_label(b);
		if (ps->r[i].lo > 0)
			emit_port(b, ge, ps->r[i].lo, next);
		if (ps->r[i].hi < 65535)
			emit_port(b, le, ps->r[i].hi, next);
		if (!last) {
			emit_jump(b, ok);
			place(b, next);
		}
	}
	place(b, ok);
}

static void gen_or(struct bc *b, const struct fnode *x, const struct fnode *y, bool upper,
		   int f_label)
{
	int try_y = new_label(b), done = new_label(b);

	gen(b, x, upper, try_y);
	emit_jump(b, done);
	place(b, try_y);
	gen(b, y, upper, f_label);
	place(b, done);
}

/* Emit code that falls through when n holds (in the approximation) and jumps to f_label
 * otherwise. */
static void gen(struct bc *b, const struct fnode *n, bool upper, int f_label)
{
	enum cval c = cval(n, upper);

	if (c == C_TRUE)
		return;
	if (c == C_FALSE) {
		emit_jump(b, f_label);
		return;
	}
	switch (n->kind) {
	case FN_AND:
		gen(b, n->a, upper, f_label);
		gen(b, n->b, upper, f_label);
		return;
	case FN_OR:
		if (cval(n->a, upper) == C_FALSE)
			gen(b, n->b, upper, f_label);
		else if (cval(n->b, upper) == C_FALSE)
			gen(b, n->a, upper, f_label);
		else
			gen_or(b, n->a, n->b, upper, f_label);
		return;
	case FN_NOT: {
		/* NOT a holds where a fails: a subset of a must fail for a superset of
		 * NOT a. */
		int a_false = new_label(b);
		gen(b, n->a, !upper, a_false);
		emit_jump(b, f_label);
		place(b, a_false);
		return;
	}
	case FN_PORT:
		if (n->side == FSIDE_EITHER) {
			struct fnode l = *n, r = *n;
			l.side = FSIDE_LOCAL;
			r.side = FSIDE_REMOTE;
			gen_or(b, &l, &r, upper, f_label);
		} else {
			gen_ranges(b, n->u.ports, n->side == FSIDE_LOCAL, f_label);
		}
		return;
	case FN_ADDR:
		emit_addr(b, n, f_label);
		return;
	case FN_DEV:
		emit_dev(b, n->u.ifindex, f_label);
		return;
	case FN_MARK:
		emit_mark(b, n->u.mark.value, n->u.mark.mask, f_label);
		return;
	case FN_CGROUP:
		gen_cgroup_ids(b, n->u.cg->ids, n->u.cg->n_ids, f_label);
		return;
	default:
		return; /* cval() already decided it */
	}
}

/* Resolve the labels into no offsets. */
static void link_program(struct bc *b)
{
	for (size_t i = 0; i < b->nfix && !b->err; i++) {
		struct inet_diag_bc_op *op =
		    (struct inet_diag_bc_op *)(b->v + b->fix[i].at);
		int l = b->fix[i].label;
		size_t target = l == L_REJECT ? b->n + 4 : b->labels[l];
		if (target == SIZE_MAX || target <= b->fix[i].at) {
			b->err = -EINVAL; /* a bug: labels only jump forward */
			return;
		}
		op->no = (uint16_t)(target - b->fix[i].at);
	}
}

/* A single exact port every match needs, for the request's id fields. */
static uint16_t exact_port(const struct fnode *n, enum fside side)
{
	uint16_t p;

	if (n->kind == FN_AND) {
		p = exact_port(n->a, side);
		return p ? p : exact_port(n->b, side);
	}
	if (n->kind == FN_PORT && n->side == side && n->u.ports->n == 1 &&
	    n->u.ports->r[0].lo == n->u.ports->r[0].hi)
		return n->u.ports->r[0].lo;
	return 0;
}

int filter_bytecode(const struct filter *f, void **ret_bc, size_t *ret_len,
		    uint16_t *ret_sport, uint16_t *ret_dport)
{
	struct bc b = {0};

	*ret_bc = NULL;
	*ret_len = 0;
	*ret_sport = *ret_dport = 0;
	if (!f || !f->root)
		return 0;
	*ret_sport = exact_port(f->root, FSIDE_LOCAL);
	*ret_dport = exact_port(f->root, FSIDE_REMOTE);
	if (new_label(&b) != L_REJECT || b.err)
		return -ENOMEM;
	gen(&b, f->root, true, L_REJECT);
	link_program(&b);
	free(b.fix);
	free(b.labels);
	if (b.err == -E2BIG) {
		/* Too long for the kernel: let user space do all of it. */
		free(b.v);
		return 0;
	}
	if (b.err) {
		free(b.v);
		return b.err;
	}
	if (b.n == 0) {
		free(b.v);
		return 0;
	}
	*ret_bc = b.v;
	*ret_len = b.n;
	return 0;
}
