/* Tasks and processes: the Linux process model as hvtrace keeps it.
 * A task is a host thread plus a vCPU (design decision 1); a process owns an address
 * space (struct mm), a file table and a file-system context. */
#ifndef HV_KERNEL_TASK_H
#define HV_KERNEL_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "kernel/fdtable.h"
#include "kernel/mm.h"

struct hv_vm;
struct vcpu;
struct transport;

/* How the guest sees the host file system. */
struct fs_context {
	int root_fd;     /* host O_PATH fd of the guest's "/" */
	char *root_path; /* host path of it, without trailing '/' ("" for the host root) */
	int cwd_fd;      /* host O_PATH fd of the current directory */
};

struct process {
	int pid;
	int ppid;
	struct mm *mm;
	struct fdtable *files;
	struct fs_context fs;
	char *exe_path; /* guest path of the running image, for /proc/self/exe */
	struct rlimit rlim[RLIM_NLIMITS];
	unsigned umask;
	uint8_t enosys_seen[512 / 8]; /* unimplemented syscalls already reported (--verbose) */
};

/* What ended a task, for the exit status and the report. */
struct task_exit {
	bool is_signal;
	int code;    /* exit code, or signal number */
	bool core;   /* signal with a core-dumping default action */
};

struct task {
	struct hv_vm *vm;
	struct vcpu *vcpu;
	struct process *proc;
	struct transport *transport; /* how its syscalls reach the host (kernel/transport.h) */
	int tid;
	uint64_t clear_child_tid;
	uint64_t robust_list_head;
	uint64_t robust_list_len;
	uint64_t nr_syscalls; /* served, by any transport (one at a time per task) */
	bool has_exited;
	struct task_exit exit;
	/* The fault that killed the task, for the one-line report. */
	uint64_t fault_addr;
	uint64_t fault_rip;
};

#endif
