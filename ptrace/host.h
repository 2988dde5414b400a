/* Host-side tracing: the tracer of include/hvtrace.h (hvtrace strace, hvtrace gdb, the C
 * API) on the same stop points and the same register and memory access as ptrace(2),
 * but outside the guest. A task can be traced by a guest tracer and by a host session
 * at once; the guest sees nothing of the host session (its tracer, its wait statuses,
 * its /proc are unchanged).
 *
 * A host-traced task stops on its own thread, as a ptrace-stop: it queues an event for
 * the session and sleeps until hvt_resume; the session's thread meanwhile reads and
 * writes its vCPU registers and its address space. Breakpoints and watchpoints are the
 * software ones of ptrace/hwbp.c (int3s hidden from reads, narrowed PTEs), keyed by
 * process so that they outlive no address space.
 *
 * Locking: k->mu protects every field of struct task_host (except `traced`, read
 * lock-free on the hot paths) and the session's task links and breakpoints. The
 * session's own `mu` protects its event queue and its `k`; it is taken after k->mu,
 * never before. `life` (a rwlock) keeps the kernel alive for the session's calls: they
 * hold it for reading; the guest's end takes it for writing. Order: life, k->mu, mu. */
#ifndef HV_PTRACE_HOST_H
#define HV_PTRACE_HOST_H

#include <hvtrace.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ptrace/host_task.h"

struct task;
struct kernel;

struct host_event_node {
	struct hvt_event ev;
	struct host_event_node *next;
};

struct host_bp {
	int pid;  /* the process whose address space holds it */
	enum hvt_bp_type type;
	uint64_t addr;
	uint64_t len;
	struct host_bp *next;
};

struct host_session {
	pthread_rwlock_t life;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* an event was queued, or the guest ended (with mu) */
	int efd;                /* eventfd, readable while the queue is not empty */
	struct kernel *k;       /* NULL once the guest has ended (mu; life) */
	struct host_event_node *head, *tail; /* mu */
	bool ended;             /* HVT_EV_GUEST_EXITED is queued (mu) */
	unsigned flags;         /* HVT_TRACE_* (k->mu) */
	struct host_bp *bps;    /* k->mu */
	hvt_recorder recorder;  /* hvt_set_recorder (k->mu) */
	void *recorder_arg;
	_Atomic int recording;  /* recorder calls under way: the session outlives them */
	struct host_session *next; /* in k->host_sessions (k->mu) */
};

/* ---- Session life ---- */
int host_session_create(struct host_session **out, unsigned flags);
/* Frees a session no guest uses any more (after host_session_end or before start). */
void host_session_free(struct host_session *s);
/* Queues an event (not a stop) for the session. Preconditions: s->mu not held. */
void host_queue(struct host_session *s, const struct hvt_event *ev);

/* ---- The session's operations (include/hvtrace.h), on its own thread ---- */
int host_wait(struct host_session *s, struct hvt_event *ev, int timeout_ms);
int host_attach(struct host_session *s, struct kernel *k, int tid, bool whole_process);
int host_set_flags(struct host_session *s, unsigned flags);
int host_set_recorder(struct host_session *s, hvt_recorder fn, void *arg);
int host_resume(struct host_session *s, int tid, enum hvt_resume_how how, int signo);
int host_interrupt(struct host_session *s, int tid);
int host_get_regs(struct host_session *s, int tid, struct user_regs_struct *r);
int host_set_regs(struct host_session *s, int tid, const struct user_regs_struct *r);
/* The XSAVE image (NT_X86_XSTATE layout) into buf; returns its length. set: from buf. */
int host_xstate(struct host_session *s, int tid, void *buf, size_t len, bool set);
ssize_t host_mem(struct host_session *s, int tid, uint64_t addr, void *buf, size_t len, bool write);
int host_breakpoint(struct host_session *s, int tid, enum hvt_bp_type type, uint64_t addr,
		    size_t len, bool set);
int host_tasks(struct host_session *s, struct hvt_task_info *out, int max);
ssize_t host_auxv(struct host_session *s, int tid, void *buf, size_t len);
int host_exe_path(struct host_session *s, int tid, char *buf, size_t len);
/* A read-only host fd of path as task tid sees it (hvt_open_file). */
int host_open_file(struct host_session *s, int tid, const char *path);
/* Untraces every task (stopped ones resume) and removes the breakpoints. */
int host_detach(struct host_session *s);
/* SIGKILL to every traced process (all: every process of the guest). */
int host_kill(struct host_session *s, bool all);

#endif
