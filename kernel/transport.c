#include "kernel/transport.h"

#include <errno.h>
#include <sched.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/syscall.h"
#include "kernel/task.h"
#include "vmm/guest_mem.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* Defaults chosen by measurement (../shared/docs/exitless-measurements.md): the guest
 * spins about one exit's worth (a pause is ~24 ns here, an exit ~30 µs), the server
 * spins longer than the gaps of a busy syscall stream. */
#define AUTO_GUEST_SPIN 1000ull
#define AUTO_SERVER_SPIN_NS 100000ull
#define SHARED_GUEST_SPIN (1ull << 62)
/* When the server keeps missing requests (it gets no CPU: more runnable threads than
 * CPUs), spinning only delays the exit: the guest's spin limit halves on each miss,
 * down to this, and doubles back every AUTO_SPIN_RECOVER answered requests. */
#define AUTO_GUEST_SPIN_MIN 16ull
#define AUTO_SPIN_RECOVER 1024

enum { SERVER_RUNNING, SERVER_SLEEPING, SERVER_STOPPING };

int transport_parse(const char *s, enum syscall_transport *out)
{
	if (!strcmp(s, "auto"))
		*out = TRANSPORT_AUTO;
	else if (!strcmp(s, "exit"))
		*out = TRANSPORT_EXIT;
	else if (!strcmp(s, "shared"))
		*out = TRANSPORT_SHARED;
	else
		return -EINVAL;
	return 0;
}

const char *transport_name(enum syscall_transport m)
{
	return m == TRANSPORT_EXIT ? "exit" : m == TRANSPORT_SHARED ? "shared" : "auto";
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int online_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set))
		return 2;
	return CPU_COUNT(&set);
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void publish_done(struct transport *x, uint64_t req, int kind)
{
	atomic_store_explicit(&x->done_kind, kind, memory_order_relaxed);
	atomic_store_explicit(&x->done_seq, req, memory_order_release);
}

/* Announces that the server is going to sleep. Must happen before the server hands
 * anything to the vCPU thread: the vCPU thread checks for a sleeping server only once,
 * before it re-enters the guest, and on the shared transport the guest then spins
 * until answered, so a sleep announced later would never be woken (a hang).
 * Returns false when asked to stop. */
static bool server_prepare_sleep(struct transport *x)
{
	atomic_store(&x->wake, 0);
	int expect = SERVER_RUNNING;
	if (!atomic_compare_exchange_strong(&x->state, &expect, SERVER_SLEEPING))
		return expect != SERVER_STOPPING;
	return true;
}

/* Sleeps until the vCPU thread wakes us. Returns false when asked to stop. */
static bool server_wait(struct transport *x)
{
	while (atomic_load(&x->state) == SERVER_SLEEPING)
		futex_wait(&x->wake, 0);
	return atomic_load(&x->state) != SERVER_STOPPING;
}

static bool server_sleep(struct transport *x)
{
	return server_prepare_sleep(x) && server_wait(x);
}

/* Answers req with "take the exit path"; the vCPU thread finishes it (kind) and wakes
 * us before the guest runs again. Returns false when asked to stop. */
static bool send_to_exit(struct transport *x, uint64_t req, int kind)
{
	if (!server_prepare_sleep(x))
		return false;
	publish_done(x, req, kind);
	x->slot[SLOT_OFF_RESP / 8] = req ^ SLOT_EXIT_BIT;
	return server_wait(x);
}

/* Serves request req, already claimed. */
static bool serve(struct transport *x, uint64_t req)
{
	volatile uint64_t *slot = x->slot;
	struct task *t = x->task;
	/* One snapshot: the guest may rewrite the slot at any moment. */
	uint64_t nr = slot[SLOT_OFF_NR / 8];
	uint64_t a[6];
	for (int i = 0; i < 6; i++)
		a[i] = slot[SLOT_OFF_ARGS / 8 + i];
	nr = (uint32_t)nr; /* as do_syscall_64() */

	/* Not here: calls that may block or need the registers, and any call while a signal
	 * or a kill waits (the exit path delivers it after the call). */
	if (!syscall_is_fast(nr) || atomic_load_explicit(&t->work, memory_order_relaxed) ||
	    ptrace_traced(&t->pt) || (host_traced(&t->ht) && !atomic_load(&t->ht.record)) ||
	    atomic_load_explicit(&t->seccomp.mode, memory_order_relaxed)) {
		atomic_fetch_add(&x->handed_over, 1);
		return send_to_exit(x, req, SLOT_DONE_HANDOVER);
	}
	/* A recording host session sees the call here, without an exit. */
	bool rec = host_traced(&t->ht);
	if (rec)
		host_record_enter(t, (long)nr, a);
	long ret = syscall_dispatch(t, nr, a);
	if (rec)
		host_record_exit(t, (long)nr, a, ret);
	atomic_fetch_add(&x->served, 1);
	if (vcpu_flush_pending(t->vcpu) || atomic_load_explicit(&t->work, memory_order_relaxed)) {
		/* PTE re-stores are applied, and signals delivered, on the exit path. */
		x->done_ret = ret;
		return send_to_exit(x, req, SLOT_DONE_NEEDS_EXIT);
	}
	x->done_ret = ret;
	slot[SLOT_OFF_RET / 8] = (uint64_t)ret;
	/* ret before resp (volatile stores stay in order; x86 keeps stores ordered). */
	slot[SLOT_OFF_RESP / 8] = req;
	publish_done(x, req, SLOT_DONE_ANSWERED);
	if (x->mode == TRANSPORT_AUTO && ++x->answered_since_miss % AUTO_SPIN_RECOVER == 0 &&
	    x->guest_spin < AUTO_GUEST_SPIN) {
		x->guest_spin *= 2;
		slot[SLOT_OFF_SPIN / 8] = x->guest_spin;
	}
	return true;
}

static void *server_main(void *arg)
{
	struct transport *x = arg;

	vcpu_set_current(x->task->vcpu);
	uint64_t idle_since = now_ns();
	unsigned polls = 0;

	while (atomic_load(&x->state) != SERVER_STOPPING) {
		/* claimed before req: req only grows, so a stale claim can never win a CAS. */
		uint64_t c = atomic_load_explicit(&x->claimed, memory_order_acquire);
		uint64_t r = x->slot[SLOT_OFF_REQ / 8];
		if (r == c) {
			if (++polls % 64 == 0 && now_ns() - idle_since > x->server_spin_ns) {
				if (!server_sleep(x))
					break;
				idle_since = now_ns();
			}
			/* Give the CPU away now and then: under contention the vCPU thread may be
			 * the one waiting for it (it is, whenever the guest is not spinning). */
			if (polls % 4096 == 0)
				sched_yield();
			cpu_relax();
			continue;
		}
		if (!atomic_compare_exchange_strong(&x->claimed, &c, r))
			continue; /* the vCPU thread took it */
		if (!serve(x, r))
			break;
		idle_since = now_ns();
	}
	return NULL;
}

int transport_start(struct task *t, enum syscall_transport mode)
{
	struct vcpu *c = t->vcpu;
	struct transport *x = t->transport;
	int r;

	if (!x) {
		x = calloc(1, sizeof *x);
		if (!x)
			return -ENOMEM;
		t->transport = x;
	}
	x->mode = mode;
	x->task = t;
	if (mode != TRANSPORT_EXIT && (!c->xl_code_va || !t->vm->xl_code_gpa)) {
		hv_info("vCPU %d has no exit-less slot: using the exit transport", c->id);
		mode = x->mode = TRANSPORT_EXIT;
	}
	if (mode == TRANSPORT_EXIT)
		return vcpu_set_lstar(c, TRAMPOLINE_VA);

	if (mode == TRANSPORT_AUTO && online_cpus() < 2) {
		/* Guest and server would take turns on one CPU: every spin is wasted. */
		hv_info("one host CPU available: the auto transport uses VM exits");
		x->mode = TRANSPORT_EXIT;
		return vcpu_set_lstar(c, TRAMPOLINE_VA);
	}
	x->slot = gmem_ptr(&t->vm->mem, c->slot_gpa, 4096);
	x->guest_spin = mode == TRANSPORT_SHARED ? SHARED_GUEST_SPIN : AUTO_GUEST_SPIN;
	x->slot[SLOT_OFF_SPIN / 8] = x->guest_spin;
	x->server_spin_ns = mode == TRANSPORT_SHARED ? UINT64_MAX : AUTO_SERVER_SPIN_NS;
	atomic_store(&x->claimed, 0);
	atomic_store(&x->done_seq, 0);
	atomic_store(&x->done_kind, SLOT_DONE_NONE);
	if ((r = vcpu_set_lstar(c, c->xl_code_va)))
		return r;
	if (!x->has_server) {
		atomic_store(&x->state, SERVER_RUNNING);
		if ((r = pthread_create(&x->server, NULL, server_main, x))) {
			hv_err("syscall server thread: %s; using the exit transport", strerror(r));
			x->mode = TRANSPORT_EXIT;
			return vcpu_set_lstar(c, TRAMPOLINE_VA);
		}
		x->has_server = true;
	}
	return 0;
}

void transport_stop(struct task *t)
{
	struct transport *x = t->transport;

	if (!x)
		return;
	if (x->has_server) {
		atomic_store(&x->state, SERVER_STOPPING);
		atomic_store(&x->wake, 1);
		futex_wake(&x->wake);
		pthread_join(x->server, NULL);
		x->has_server = false;
	}
	hv_info("pid %d: syscall transport %s: %llu served exit-less, %llu handed over, %llu fallbacks",
		t->proc->pid, transport_name(x->mode), (unsigned long long)atomic_load(&x->served),
		(unsigned long long)atomic_load(&x->handed_over),
		(unsigned long long)atomic_load(&x->fallbacks));
	free(x);
	t->transport = NULL;
}

enum transport_action transport_on_fallback(struct task *t, long *ret)
{
	struct transport *x = t->transport;
	uint64_t r = x->slot[SLOT_OFF_REQ / 8];

	atomic_fetch_add(&x->fallbacks, 1);
	uint64_t old = atomic_exchange(&x->claimed, r);
	if (old != r && x->mode == TRANSPORT_AUTO &&
	    atomic_load_explicit(&x->state, memory_order_relaxed) == SERVER_RUNNING) {
		/* The server was awake but did not get to it in time: spin less. The slot is
		 * ours to write while the guest sits in this exit. */
		x->answered_since_miss = 0;
		if (x->guest_spin / 2 >= AUTO_GUEST_SPIN_MIN)
			x->guest_spin /= 2;
		x->slot[SLOT_OFF_SPIN / 8] = x->guest_spin;
	}
	if (old == r) {
		/* Taken by the server (or by us for an earlier, identical number): wait for it
		 * to finish; fast calls never block, so this is short. */
		while (atomic_load_explicit(&x->done_seq, memory_order_acquire) != r)
			cpu_relax();
		switch (atomic_load(&x->done_kind)) {
		case SLOT_DONE_ANSWERED:
			/* The trampoline leaves single-stepped returns to us (TF in R11). */
			if (!(vcpu_regs(t->vcpu)->r11 & RFLAGS_TF))
				return TRANSPORT_RESUME;
			__attribute__((fallthrough));
		case SLOT_DONE_NEEDS_EXIT:
			*ret = x->done_ret;
			vcpu_finish_syscall_entry(t->vcpu);
			return TRANSPORT_RETURN;
		default:
			break;
		}
	}
	publish_done(x, r, SLOT_DONE_BY_VCPU);
	vcpu_finish_syscall_entry(t->vcpu);
	return TRANSPORT_EXECUTE;
}

void transport_before_entry(struct task *t)
{
	struct transport *x = t->transport;
	int expect = SERVER_SLEEPING;

	if (x && x->has_server && atomic_load_explicit(&x->state, memory_order_relaxed) == SERVER_SLEEPING &&
	    atomic_compare_exchange_strong(&x->state, &expect, SERVER_RUNNING)) {
		atomic_store(&x->wake, 1);
		futex_wake(&x->wake);
	}
}

int transport_restart(struct task *t)
{
	struct transport *x = t->transport;

	return x ? transport_start(t, x->mode) : 0;
}

bool transport_mid_call(struct task *t)
{
	uint64_t rip = vcpu_regs(t->vcpu)->rip;

	return (vcpu_sregs(t->vcpu)->cs.selector & 3) == 0 ||
	       (rip >= XL_BASE && rip < XL_BASE + (uint64_t)XL_MAX_VCPUS * XL_STRIDE);
}
