/* owners.bpf.c - a task_file iterator: (pid, uid, comm, inode) for every socket file. */
#include "query/bpf/vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "query/bpf/tcpstate_bpf.h"

#define S_IFMT 00170000
#define S_IFSOCK 0140000

char LICENSE[] SEC("license") = "GPL";

/* The reader's pid namespace level (0: the initial one): pids as its /proc shows them. */
const volatile __u32 pidns_level = 0;

SEC("iter/task_file")
int socket_files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task, *leader;
	struct file *file = ctx->file;
	struct tsb_owner rec = {};
	struct inode *inode;

	if (!task || !file)
		return 0;
	inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	/* task_file skips threads that share their leader's table: one record per fd */
	leader = task->group_leader;
	rec.pid = pidns_level ? BPF_CORE_READ(leader, thread_pid, numbers[pidns_level].nr)
			      : (__u32)task->tgid;
	rec.uid = BPF_CORE_READ(task, cred, euid.val);
	rec.inode = inode->i_ino;
	BPF_CORE_READ_STR_INTO(&rec.comm, leader, comm);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
