/* bcmodel.c - the kernel's inet_diag bytecode audit and interpreter, rewritten for tests.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <sys/socket.h>

#include "bcmodel.h"

#define OP_LEN ((int)sizeof(struct inet_diag_bc_op))

static const struct inet_diag_bc_op *op_at(const void *bc, int off)
{
	return (const struct inet_diag_bc_op *)((const char *)bc + off);
}

/* valid_cc(): is the jump target cc bytes before the end an op boundary? */
static bool valid_cc(const void *bc, int len, int cc)
{
	int off = 0;

	while (len >= 0) {
		const struct inet_diag_bc_op *op = op_at(bc, off);
		if (cc > len)
			return false;
		if (cc == len)
			return true;
		if (op->yes < 4 || (op->yes & 3))
			return false;
		len -= op->yes;
		off += op->yes;
	}
	return false;
}

static bool valid_hostcond(const void *bc, int len, int *min_len)
{
	const struct inet_diag_hostcond *cond;
	int addr_len;

	*min_len += (int)sizeof(*cond);
	if (len < *min_len)
		return false;
	cond = (const struct inet_diag_hostcond *)((const char *)bc + OP_LEN);
	switch (cond->family) {
	case AF_UNSPEC:
		addr_len = 0;
		break;
	case AF_INET:
		addr_len = 4;
		break;
	case AF_INET6:
		addr_len = 16;
		break;
	default:
		return false;
	}
	*min_len += addr_len;
	if (len < *min_len)
		return false;
	return cond->prefix_len <= addr_len * 8;
}

int bcmodel_audit(const void *bytecode, size_t total)
{
	return bcmodel_audit_as(bytecode, total, true);
}

int bcmodel_audit_as(const void *bytecode, size_t total, bool net_admin)
{
	int len = (int)total, off = 0;

	if (total > 65535 - 4)
		return -EINVAL; /* more than a netlink attribute holds */
	while (len > 0) {
		const struct inet_diag_bc_op *op;
		int min_len = OP_LEN;

		if (len < OP_LEN)
			return -EINVAL;
		op = op_at(bytecode, off);
		switch (op->code) {
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND:
			if (!valid_hostcond(op, len, &min_len))
				return -EINVAL;
			break;
		case INET_DIAG_BC_MARK_COND:
			/* checked before the length, as the kernel does */
			if (!net_admin)
				return -EPERM;
			min_len += (int)sizeof(struct inet_diag_markcond);
			if (len < min_len)
				return -EINVAL;
			break;
		case INET_DIAG_BC_DEV_COND:
		case INET_DIAG_BC_CGROUP_COND:
			min_len += op->code == INET_DIAG_BC_DEV_COND ? 4 : 8;
			if (len < min_len)
				return -EINVAL;
			break;
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_EQ:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
			min_len += OP_LEN;
			if (len < min_len)
				return -EINVAL;
			break;
		case INET_DIAG_BC_AUTO:
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return -EINVAL;
		}
		if (op->code != INET_DIAG_BC_NOP) {
			if (op->no < min_len || op->no > len + 4 || (op->no & 3))
				return -EINVAL;
			if (op->no < len && !valid_cc(bytecode, (int)total, len - op->no))
				return -EINVAL;
		}
		if (op->yes < min_len || op->yes > len + 4 || (op->yes & 3))
			return -EINVAL;
		off += op->yes;
		len -= op->yes;
	}
	return len == 0 ? 0 : -EINVAL;
}

/* bitstring_match(): the first bits bits of a and b (network order) are equal. */
static bool prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)bytes) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

static bool hostcond_yes(const struct inet_diag_bc_op *op, const struct sock_rec *s)
{
	const struct inet_diag_hostcond *cond = (const void *)(op + 1);
	bool local = op->code == INET_DIAG_BC_S_COND;
	const uint8_t *addr = local ? s->laddr : s->raddr;
	uint16_t port = local ? s->lport : s->rport;
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (cond->port != -1 && cond->port != port)
		return false;
	if (cond->family != AF_UNSPEC && cond->family != s->family) {
		/* an IPv4 condition matches a v4-mapped IPv6 socket */
		return s->family == AF_INET6 && cond->family == AF_INET &&
		       memcmp(addr, mapped, 12) == 0 &&
		       prefix_match(addr + 12, (const uint8_t *)cond->addr,
				    cond->prefix_len);
	}
	if (cond->prefix_len == 0)
		return true;
	return prefix_match(addr, (const uint8_t *)cond->addr, cond->prefix_len);
}

bool bcmodel_run(const void *bc, size_t total, const struct sock_rec *s)
{
	int len = (int)total, off = 0;

	while (len > 0) {
		const struct inet_diag_bc_op *op = op_at(bc, off);
		bool yes = true;

		switch (op->code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_JMP:
			yes = false;
			break;
		case INET_DIAG_BC_S_EQ:
			yes = s->lport == op[1].no;
			break;
		case INET_DIAG_BC_S_GE:
			yes = s->lport >= op[1].no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = s->lport <= op[1].no;
			break;
		case INET_DIAG_BC_D_EQ:
			yes = s->rport == op[1].no;
			break;
		case INET_DIAG_BC_D_GE:
			yes = s->rport >= op[1].no;
			break;
		case INET_DIAG_BC_D_LE:
			yes = s->rport <= op[1].no;
			break;
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND:
			yes = hostcond_yes(op, s);
			break;
		case INET_DIAG_BC_DEV_COND: {
			uint32_t ifindex;
			memcpy(&ifindex, op + 1, sizeof(ifindex));
			yes = s->ifindex == ifindex;
			break;
		}
		case INET_DIAG_BC_MARK_COND: {
			struct inet_diag_markcond mc;
			memcpy(&mc, op + 1, sizeof(mc));
			/* a socket whose mark the dump did not carry: unknown, so
			 * matching */
			yes =
			    !(s->have & SOCK_HAVE_MARK) || (s->mark & mc.mask) == mc.mark;
			break;
		}
		case INET_DIAG_BC_CGROUP_COND: {
			uint64_t id;
			memcpy(&id, op + 1,
			       sizeof(id)); /* get_unaligned() in the kernel */
			/* the kernel's entry holds 0 for TIME_WAIT and request sockets */
			yes = s->cgroup_id == id;
			break;
		}
		default: /* AUTO: not modelled, see the header */
			break;
		}
		off += yes ? op->yes : op->no;
		len -= yes ? op->yes : op->no;
	}
	return len == 0;
}
