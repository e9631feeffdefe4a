/* events.bpf.c - every TCP state transition from sock:inet_sock_set_state, by ring
 * buffer. */
#include "query/bpf/vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "query/bpf/tcpstate_bpf.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_SYN_RECV 3
#define TCP_FIN_WAIT1 4
#define TCP_FIN_WAIT2 5
#define TCP_TIME_WAIT 6
#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define TCP_CLOSING 11
#define SOCK_DEAD 0 /* enum sock_flags */

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load: the verifier then drops the tests that cannot fail. */
const volatile struct tsb_config cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/*
 * What the program remembers of each socket it has seen, keyed by the struct sock
 * address: when it entered its current state, and its local port (the kernel clears
 * the port before the last transition of a closing socket is traced).
 */
struct seen {
	__u64 since;
	__u16 sport;
	__u8 state; /* the kernel's, as the last transition left it */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct seen);
} socks SEC(".maps");

/* The namespaces to report unless cfg.all_netns. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TSB_MAX_NETNS);
	__type(key, __u32);
	__type(value, __u8);
} netns_ok SEC(".maps");

/*
 * Per CPU, summed by user space: [TSB_LOST_FULL] events the ring buffer had no room
 * for; [TSB_LOST_GAP] transitions this program never saw, found when a socket's next one
 * does not start where its last one ended (the kernel does not run a BPF program
 * nested in itself on one CPU: a softirq that interrupts it there goes untraced).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TSB_LOST_N);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/*
 * Whether this CPU is running softirqs (packet receive, TCP timers): a transition made
 * there happens on behalf of no particular task, whatever task was interrupted. The
 * preempt count would say so directly, but its per-CPU symbol is not visible to BPF on
 * every kernel; the softirq tracepoints are.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} in_softirq SEC(".maps");

static void set_softirq(__u32 on)
{
	__u32 zero = 0, *v = bpf_map_lookup_elem(&in_softirq, &zero);

	if (v)
		*v = on;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(on_softirq_entry, unsigned int vec)
{
	set_softirq(1);
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(on_softirq_exit, unsigned int vec)
{
	set_softirq(0);
	return 0;
}

static void count_lost(__u32 why)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &why);

	if (n)
		(*n)++;
}

static bool in_task(void)
{
	__u32 zero = 0, *v = bpf_map_lookup_elem(&in_softirq, &zero);

	return v && !*v;
}

static bool wanted(const struct sock *sk, __u32 netns, int oldstate, int newstate)
{
	__u16 family = sk->__sk_common.skc_family;

	if (cfg.family && family != cfg.family)
		return false;
	if (cfg.state_mask &&
	    !(cfg.state_mask & ((1u << (oldstate & 31)) | (1u << (newstate & 31)))))
		return false;
	if (cfg.sport && sk->__sk_common.skc_num != cfg.sport)
		return false;
	if (cfg.dport && bpf_ntohs(sk->__sk_common.skc_dport) != cfg.dport)
		return false;
	if (!cfg.all_netns && !bpf_map_lookup_elem(&netns_ok, &netns))
		return false;
	return true;
}

static void fill_addrs(struct tsb_event *e, const struct sock *sk)
{
	e->family = (__u8)sk->__sk_common.skc_family;
	e->sport = sk->__sk_common.skc_num;
	e->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (e->family == AF_INET) {
		__builtin_memcpy(e->saddr, (const void *)&sk->__sk_common.skc_rcv_saddr,
				 4);
		__builtin_memcpy(e->daddr, (const void *)&sk->__sk_common.skc_daddr, 4);
	} else {
		BPF_CORE_READ_INTO(&e->saddr, sk,
				   __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&e->daddr, sk,
				   __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

static unsigned long sock_flags(const struct sock *sk)
{
	if (bpf_core_field_exists(sk->__sk_common.skc_flags))
		return sk->__sk_common.skc_flags;
	return sk->sk_flags;
}

/*
 * tcp_time_wait() hands a closing connection over to a small timewait socket (same
 * cookie, in the hash table in the full socket's place) and then closes the full one:
 * the tracepoint says "-> CLOSE" though the connection lives on. A reset or abort closes
 * a socket that is still hashed (tcp_set_state unhashes after the tracepoint); the
 * handover has already unhashed it. An orphan (closed by its process) in FIN_WAIT_2
 * goes on as FIN_WAIT_2 in the timewait socket; any other goes on in TIME_WAIT.
 */
static int after_close(const struct sock *sk, int oldstate)
{
	if (oldstate != TCP_FIN_WAIT1 && oldstate != TCP_FIN_WAIT2 &&
	    oldstate != TCP_CLOSING)
		return TCP_CLOSE;
	if (sk->__sk_common.skc_nulls_node.pprev)
		return TCP_CLOSE;
	if (oldstate == TCP_FIN_WAIT2 && (sock_flags(sk) & (1UL << SOCK_DEAD)))
		return TCP_FIN_WAIT2;
	return TCP_TIME_WAIT;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_set_state, struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk, now = bpf_ktime_get_ns();
	struct seen *then, next = {};
	struct tsb_event *e;
	__u32 netns;

	if (!sk || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_CLOSE) {
		newstate = after_close(sk, oldstate);
		if (newstate ==
		    oldstate) { /* an orphan's FIN_WAIT_2 goes on in a timewait */
			bpf_map_delete_elem(&socks, &key);
			return 0;
		}
	}
	netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (!wanted(sk, netns, oldstate, newstate))
		return 0;
	/* a new socket (connect, listen, or a listener's child) may reuse the memory of
	 * one whose end was not traced (filtered out, or handed to a timewait socket) */
	if (oldstate == TCP_CLOSE || (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV))
		then = NULL;
	else
		then = bpf_map_lookup_elem(&socks, &key);
	if (then && then->state != oldstate)
		count_lost(TSB_LOST_GAP);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(TSB_LOST_FULL);
	} else {
		__builtin_memset(e, 0, sizeof(*e));
		e->mono_ns = now;
		e->in_state_ns = then ? now - then->since : TSB_UNKNOWN;
		e->cookie = bpf_get_socket_cookie(sk);
		e->netns = netns;
		e->oldstate = (__u8)oldstate;
		e->newstate = (__u8)newstate;
		fill_addrs(e, sk);
		if (!e->sport && then)
			e->sport = then->sport;
		if (in_task()) {
			e->pid = (__u32)(bpf_get_current_pid_tgid() >> 32);
			bpf_get_current_comm(e->comm, sizeof(e->comm));
		}
		bpf_ringbuf_submit(e, 0);
	}
	if (newstate == TCP_CLOSE || newstate == TCP_TIME_WAIT) {
		bpf_map_delete_elem(&socks, &key);
	} else {
		next.since = now;
		next.sport = sk->__sk_common.skc_num;
		next.state = (__u8)newstate;
		bpf_map_update_elem(&socks, &key, &next, BPF_ANY);
	}
	return 0;
}
