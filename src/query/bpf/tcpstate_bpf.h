/* tcpstate_bpf.h - the records the BPF programs hand to user space, and their knobs. */
#ifndef TCPSTATE_BPF_H
#define TCPSTATE_BPF_H

/* Both sides include this: the BPF side after vmlinux_min.h, user space after
 * <linux/types.h>. */

#define TSB_TASK_COMM 16
#define TSB_MAX_NETNS 64 /* namespaces a kernel-side filter can name */

/* One transition from sock:inet_sock_set_state. */
struct tsb_event {
	__u64 mono_ns;	   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 in_state_ns; /* time in the old state; TSB_UNKNOWN when the old state began
			      before the program was attached */
	__u64 cookie;	   /* the socket cookie sock_diag reports */
	__u32 netns;	   /* inode of the socket's network namespace */
	__u32 pid; /* tgid of the task in process context; 0 in (soft)irq context */
	__u16 sport, dport;	 /* host byte order */
	__u8 family;		 /* AF_INET or AF_INET6 */
	__u8 oldstate, newstate; /* the kernel's TCP_* numbers */
	__u8 pad;
	__u8 saddr[16], daddr[16];
	char comm[TSB_TASK_COMM]; /* empty when pid is 0 */
};

#define TSB_UNKNOWN (~0ULL)

/* The counters of the program's "lost" map. */
#define TSB_LOST_FULL 0 /* the ring buffer was full */
#define TSB_LOST_GAP 1	/* a transition the program never ran for */
#define TSB_LOST_N 2

/* What the kernel program filters on; zero values select everything. */
struct tsb_config {
	__u32 state_mask;   /* bit per TCP_* state: a transition passes when its old or
			       new state is in it */
	__u16 sport, dport; /* exact ports, 0 = any */
	__u8 family;	    /* 0, AF_INET or AF_INET6 */
	__u8 all_netns;	    /* 1: any namespace; else only those in the netns map */
};

/* One (process, socket file) pair from the task_file iterator. */
struct tsb_owner {
	__u32 pid;
	__u32 uid;
	__u64 inode;
	char comm[TSB_TASK_COMM];
};

#endif
