/* Running a program to completion: the VM, the first process and its task loop. */
#ifndef HV_KERNEL_RUN_H
#define HV_KERNEL_RUN_H

#include <stdbool.h>
#include <stdint.h>

struct host_session;
struct kernel;

struct hv_run_options {
	uint64_t mem_size;  /* guest RAM; 0 for the default */
	const char *root;   /* --root DIR, or NULL */
	int umask;          /* the guest's initial umask; -1: read hvtrace's own */
	const char *path;   /* the file to execute; NULL: argv[0] */
	int transport;      /* enum syscall_transport (kernel/transport.h); 0 = auto */
	bool ptrace_scope_set; /* else Yama's default, 1 */
	int ptrace_scope;   /* Yama's kernel.yama.ptrace_scope for the guest: 0-3 */
	int max_tasks;      /* live tasks the guest may have at once (0: no limit) */
	uint64_t timeout_ms; /* the guest is killed after this wall time (0: never) */
	uint64_t ignored_signals; /* bit signo-1: starts ignored, as execve keeps an ignored
				   * disposition (a shell's background job ignores SIGINT) */
	bool stdio_set;     /* else the guest's 0, 1, 2 are hvtrace's own */
	int stdio[3];       /* host fds for the guest's 0, 1, 2 (-1: hvtrace's own) */
	struct host_session *host; /* a host-side tracer of the first task (ptrace/host.h),
				    * told of the guest's end; or NULL */
	/* Called once the guest exists, just before its first task starts (running true),
	 * and after its last task has ended (false), with no lock held; or NULL. */
	void (*on_guest)(void *arg, struct kernel *k, bool running);
	void *on_guest_arg;
};

#define HV_DEFAULT_MEM (2ull << 30)

enum hv_run_outcome {
	HV_EXITED,     /* exit_code */
	HV_SIGNALED,   /* signo, with the fault details */
	HV_LOAD_FAILED,/* the program could not be started: message; exit_code 127 or 126 */
	HV_VM_FAILED,  /* KVM unusable or guest RAM unavailable: message printed by the VMM */
	HV_FATAL,      /* the guest could not go on (triple fault, agent fault): message */
};

struct hv_run_result {
	enum hv_run_outcome outcome;
	int exit_code;
	int signo;
	int si_code;
	bool core;
	uint64_t fault_addr;
	uint64_t fault_rip;
	uint64_t syscalls; /* how many syscalls reached hvtrace */
	bool timed_out;    /* --timeout ended it (killed): status 124, as timeout(1) */
	char message[512];
};

/* Runs argv[0] (a guest path) with argv/envp in a new VM until it ends. */
int hv_run_program(const struct hv_run_options *opt, int argc, char *const argv[],
		   char *const envp[], struct hv_run_result *res);

/* The status a shell would report: exit code, or 128+signal. */
int hv_run_status(const struct hv_run_result *res);

#endif
