/* ptrace(2): attaching, and the requests on a stopped tracee (Linux's
 * kernel/ptrace.c and arch/x86/kernel/ptrace.c). Registers are the tracee's sync-regs
 * state (ptrace/user_regs.c), memory its page tables (kernel/mm.c). */
#include <asm/prctl.h>
#include <cpuid.h>
#include <elf.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <errno.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/tls.h"
#include "kernel/uaccess.h"
#include "ptrace/hwbp.h"
#include "ptrace/internal.h"
#include "ptrace/ptrace.h"
#include "ptrace/status.h"
#include "ptrace/user_regs.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define XSAVE_MAX 4096
#define FXSAVE_SIZE 512
/* The kernel's struct user ends with error_code and fault_address after u_debugreg,
 * which glibc's <sys/user.h> leaves out. */
#define KERNEL_USER_SIZE (sizeof(struct user) + 16)

static struct ureg_ctx regs_of(struct task *x)
{
	return (struct ureg_ctx){.regs = vcpu_regs(x->vcpu), .sregs = vcpu_sregs(x->vcpu),
				 .orig_rax = &x->orig_rax, .forced_tf = &x->pt.forced_tf};
}

static void regs_done(struct task *x, const struct ureg_ctx *c)
{
	if (c->regs_changed)
		vcpu_regs_changed(x->vcpu);
	if (c->sregs_changed)
		vcpu_sregs_changed(x->vcpu);
}

static bool is_descendant(const struct process *ancestor, const struct process *p)
{
	for (; p; p = p->parent)
		if (p == ancestor)
			return true;
	return false;
}

/* Yama's ptracer_exception_found(): x named t's process (or an ancestor of it) with
 * PR_SET_PTRACER, or anyone with PR_SET_PTRACER_ANY. Preconditions: k->mu held. */
static bool declared_ptracer(struct task *t, const struct process *x)
{
	if (x->ptracer == -1)
		return true;
	const struct process *declared = x->ptracer > 0 ? kernel_find_process(t->k, x->ptracer) : NULL;
	return declared && declared->state == PROC_LIVE && is_descendant(declared, t->proc);
}

/* As Linux's yama_ptrace_access_check() for attaching. */
static int yama_attach(struct task *t, struct task *x, bool cap)
{
	switch (t->k->ptrace_scope) {
	case 0:
		return 0;
	case 1:
		return is_descendant(t->proc, x->proc) || declared_ptracer(t, x->proc) || cap ? 0 : -EPERM;
	case 2:
		return cap ? 0 : -EPERM;
	}
	return -EPERM;
}

int ptrace_may_access(struct task *t, struct task *x)
{
	if (!x || x->has_exited)
		return -ESRCH;
	if (x->proc == t->proc)
		return 0;
	const struct cred *c = &t->proc->cred, *tc = &x->proc->cred;
	bool cap = cred_capable(c, CAP_SYS_PTRACE);
	bool same = c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid && c->gid == tc->gid &&
		    c->gid == tc->egid && c->gid == tc->sgid;
	if (!same && !cap)
		return -EPERM;
	if (!x->proc->dumpable && !cap)
		return -EPERM;
	/* commoncap: a tracer may not gain capabilities through its tracee. */
	if ((tc->cap_permitted & ~c->cap_permitted) && !cap)
		return -EPERM;
	return yama_attach(t, x, cap);
}

/* PTRACE_TRACEME: the parent becomes the tracer. Preconditions: k->mu held. */
static long traceme(struct task *t)
{
	struct process *parent = t->proc->parent;

	if (t->pt.tracer || !parent || !parent->threads)
		return -EPERM;
	/* Yama's yama_ptrace_traceme(): scope 2 wants a capable parent, 3 refuses all. */
	if (t->k->ptrace_scope == 3 ||
	    (t->k->ptrace_scope == 2 && !cred_capable(&parent->cred, CAP_SYS_PTRACE)))
		return -EPERM;
	/* The tracer is the parent's thread that forked us (Linux's real_parent), or its
	 * leader when that one is gone. */
	struct task *tr = kernel_find_task(t->k, t->proc->creator_tid);
	if (!tr || tr->proc != parent)
		tr = process_leader(parent);
	if (!tr)
		tr = parent->threads;
	ptrace_link(tr, t);
	return 0;
}

/* PTRACE_ATTACH and PTRACE_SEIZE. Preconditions: k->mu held. */
static long attach(struct task *t, int pid, uint64_t addr, uint64_t data, bool seize)
{
	if (seize) {
		if (addr)
			return -EIO;
		int r = pt_options_check(data, true);
		if (r)
			return r;
	}
	struct task *x = kernel_find_task(t->k, pid);
	if (!x) {
		/* A zombie still has its pid: Linux refuses it (exit_state) with EPERM. */
		struct process *z = pid > 0 ? kernel_find_process(t->k, pid) : NULL;
		return z && z->state == PROC_ZOMBIE ? -EPERM : -ESRCH;
	}
	/* As Linux's ptrace_attach(): never one's own thread group, never twice, never an
	 * exiting task. */
	if (x->proc == t->proc || x->pt.tracer || x->killed || x->has_exited || x->proc->group_exiting)
		return -EPERM;
	int r = ptrace_may_access(t, x);
	if (r)
		return r;
	ptrace_link(t, x);
	if (seize) {
		x->pt.seized = true;
		x->pt.options = (unsigned)data;
		return 0;
	}
	/* As Linux: the attach stop comes from a SIGSTOP sent now. */
	siginfo_t info;
	memset(&info, 0, sizeof info);
	info.si_signo = SIGSTOP;
	info.si_code = SI_USER;
	info.si_pid = t->proc->pid;
	info.si_uid = t->proc->cred.uid;
	sig_send(x->proc, x, SIGSTOP, &info);
	return 0;
}

/* The tracee of a request: traced by t, and stopped unless any_state. As Linux's
 * ptrace_check_attach(): ESRCH otherwise. Preconditions: k->mu held. */
static struct task *tracee_of(struct task *t, int pid, bool any_state)
{
	struct task *x = kernel_find_task(t->k, pid);

	if (!x || x->pt.tracer != t)
		return NULL;
	if (!any_state && !x->pt.stopped)
		return NULL;
	return x;
}

static bool valid_signal(uint64_t sig)
{
	return sig <= HV_NSIG;
}

/* PTRACE_CONT and the other resumptions. Preconditions: k->mu held; x stopped. */
static long resume(struct task *x, enum pt_resume how, uint64_t sig)
{
	if (!valid_signal(sig))
		return -EIO;
	struct kvm_regs *r = vcpu_regs(x->vcpu);
	bool step = how == PT_RESUME_SINGLESTEP || how == PT_RESUME_SYSEMU_SINGLESTEP ||
		    how == PT_RESUME_SINGLEBLOCK;
	if (step && !(r->rflags & RFLAGS_TF)) {
		r->rflags |= RFLAGS_TF;
		x->pt.forced_tf = true;
		vcpu_regs_changed(x->vcpu);
	} else if (!step && x->pt.forced_tf) {
		r->rflags &= ~RFLAGS_TF;
		x->pt.forced_tf = false;
		vcpu_regs_changed(x->vcpu);
	}
	x->pt.resume = how;
	x->pt.exit_code = (int)sig;
	x->pt.stopped = false;
	pthread_cond_signal(&x->wake);
	return 0;
}

/* A request's data in the tracer's memory: read before k->mu is taken and written after
 * it is dropped, so that no guest memory access (which may wait for the vCPUs of an
 * address space) happens under the task-list lock. */
struct io {
	uint64_t in_len, out_len, out_va;
	uint64_t len_va; /* GETREGSET: where the iovec's length goes, or 0 */
	uint64_t len_out;
	uint8_t buf[XSAVE_MAX] __attribute__((aligned(64)));
};

static bool is_debugreg(uint64_t off, unsigned *n)
{
	uint64_t first = offsetof(struct user, u_debugreg);

	if (off < first || off >= first + 8 * sizeof(uint64_t))
		return false;
	*n = (unsigned)((off - first) / 8);
	return true;
}

static long peek_user(struct task *x, uint64_t off, struct io *io)
{
	uint64_t val = 0;
	unsigned n;

	if ((off & 7) || off >= KERNEL_USER_SIZE)
		return -EIO;
	if (off < sizeof(struct user_regs_struct)) {
		struct ureg_ctx c = regs_of(x);
		ureg_get(&c, off, &val);
	} else if (is_debugreg(off, &n)) {
		val = hwbp_peek(x, n);
		if (n == 6)
			val ^= DR6_RESERVED; /* kept with Linux's virtual_dr6 polarity */
	}
	memcpy(io->buf, &val, sizeof val);
	io->out_len = sizeof val;
	return 0;
}

static long poke_user(struct task *x, uint64_t off, uint64_t val)
{
	unsigned n;

	if ((off & 7) || off >= KERNEL_USER_SIZE)
		return -EIO;
	if (off < sizeof(struct user_regs_struct)) {
		struct ureg_ctx c = regs_of(x);
		int r = ureg_set(&c, off, val);
		regs_done(x, &c);
		return r;
	}
	if (is_debugreg(off, &n))
		return hwbp_poke(x, n, n == 6 ? val ^ DR6_RESERVED : val);
	return -EIO;
}

/* The FXSAVE/XSAVE image: the first len bytes to io, or io's into the tracee. */
/* As Linux's fpregs_set(): legacy x87/SSE state written through the FXSAVE layout is
 * in use from now on (XSTATE_BV's FP and SSE bits), else XRSTOR would load its init
 * state instead. */
static void mark_fpsse(uint8_t *img)
{
	uint64_t bv;

	memcpy(&bv, img + FXSAVE_SIZE, sizeof bv);
	bv |= 3;
	memcpy(img + FXSAVE_SIZE, &bv, sizeof bv);
}

static long fpregs(struct task *x, struct io *io, uint64_t len, bool set)
{
	static _Thread_local uint8_t img[XSAVE_MAX] __attribute__((aligned(64)));
	int r = vcpu_get_xsave(x->vcpu, img);

	if (r)
		return r;
	if (!set) {
		memcpy(io->buf, img, len);
		io->out_len = len;
		return 0;
	}
	memcpy(img, io->buf, len);
	mark_fpsse(img);
	return vcpu_set_xsave(x->vcpu, img) ? -EINVAL : 0;
}

/* The XSAVE image size of the guest's enabled features, as Linux's
 * fpu_user_cfg.max_size. */
uint64_t ptrace_xstate_size(void)
{
	unsigned eax, ebx, ecx, edx;

	__cpuid_count(0xd, 0, eax, ebx, ecx, edx);
	(void)eax;
	(void)ecx;
	(void)edx;
	return ebx <= XSAVE_MAX ? ebx : XSAVE_MAX;
}

static uint64_t regset_size(uint64_t type)
{
	switch (type) {
	case NT_PRSTATUS: return sizeof(struct user_regs_struct);
	case NT_PRFPREG: return FXSAVE_SIZE;
	case NT_X86_XSTATE: return ptrace_xstate_size();
	}
	return 0;
}

/* NT_X86_XSTATE: the XSAVE image with the software bytes Linux's ptrace puts in the
 * legacy area's reserved tail (word 0: the XCR0 of user state). */
long ptrace_xstate_rw(struct task *x, uint8_t *buf, uint64_t len, bool set)
{
	static _Thread_local uint8_t img[XSAVE_MAX] __attribute__((aligned(64)));
	int r = vcpu_get_xsave(x->vcpu, img);

	if (r)
		return r;
	if (len > XSAVE_MAX)
		len = XSAVE_MAX;
	if (!set) {
		memset(img + 464, 0, 48);
		memcpy(img + 464, &x->vm->xcr0, sizeof x->vm->xcr0);
		memcpy(buf, img, len);
		return 0;
	}
	memcpy(img, buf, len < 464 ? len : 464);
	if (len > FXSAVE_SIZE)
		memcpy(img + FXSAVE_SIZE, buf + FXSAVE_SIZE, len - FXSAVE_SIZE);
	else
		mark_fpsse(img); /* only the legacy area: as fpregs_set() */
	return vcpu_set_xsave(x->vcpu, img) ? -EINVAL : 0;
}

static long xstate(struct task *x, struct io *io, uint64_t len, bool set)
{
	long r = ptrace_xstate_rw(x, io->buf, len, set);

	if (!r && !set)
		io->out_len = len;
	return r;
}

/* PTRACE_GET_SYSCALL_INFO: what the stop says about the syscall (Linux's
 * ptrace_get_syscall_info); only syscall stops under TRACESYSGOOD and seccomp stops
 * have an op. Returns the full size of the answer; io gets at most size bytes. */
static long syscall_info(struct task *x, uint64_t size, struct io *io)
{
	struct ptrace_syscall_info si;
	struct kvm_regs *r = vcpu_regs(x->vcpu);
	uint64_t full = offsetof(struct ptrace_syscall_info, entry);

	memset(&si, 0, sizeof si);
	si.arch = AUDIT_ARCH_X86_64;
	si.instruction_pointer = r->rip;
	si.stack_pointer = r->rsp;
	if (x->pt.siginfo.si_code == (SIGTRAP | 0x80) &&
	    (x->pt.kind == PT_STOP_SYSCALL_ENTER || x->pt.kind == PT_STOP_SYSCALL_EXIT)) {
		if (x->pt.kind == PT_STOP_SYSCALL_ENTER) {
			si.op = PTRACE_SYSCALL_INFO_ENTRY;
			si.entry.nr = x->orig_rax;
			const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
			memcpy(si.entry.args, args, sizeof args);
			full = offsetof(struct ptrace_syscall_info, entry.args) + sizeof si.entry.args;
		} else {
			si.op = PTRACE_SYSCALL_INFO_EXIT;
			si.exit.rval = (int64_t)r->rax;
			si.exit.is_error = r->rax >= (uint64_t)-4095;
			full = offsetof(struct ptrace_syscall_info, exit.is_error) + sizeof si.exit.is_error;
		}
	}
	if (x->pt.kind == PT_STOP_EVENT && x->pt.siginfo.si_code == (SIGTRAP | PTRACE_EVENT_SECCOMP << 8)) {
		si.op = PTRACE_SYSCALL_INFO_SECCOMP;
		si.seccomp.nr = x->orig_rax;
		const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
		memcpy(si.seccomp.args, args, sizeof args);
		si.seccomp.ret_data = (uint32_t)x->pt.message;
		full = offsetof(struct ptrace_syscall_info, seccomp.ret_data) + sizeof si.seccomp.ret_data;
	}
	uint64_t n = size < full ? size : full;
	memcpy(io->buf, &si, n);
	io->out_len = n;
	return (long)full;
}

#ifndef PTRACE_SET_SYSCALL_INFO
#define PTRACE_SET_SYSCALL_INFO 0x4212 /* Linux 6.16 */
#endif
/* Linux 6.16's struct ptrace_syscall_info: pad[3] became reserved and flags, and the
 * seccomp member gained a reserved word (88 bytes). */
struct syscall_info_v2 {
	uint8_t op, reserved;
	uint16_t flags;
	uint32_t arch;
	uint64_t instruction_pointer, stack_pointer;
	union {
		struct {
			uint64_t nr, args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
		struct {
			uint64_t nr, args[6];
			uint32_t ret_data, reserved2;
		} seccomp;
	};
};

/* The op GET_SYSCALL_INFO reports for x's stop (Linux's ptrace_get_syscall_info_op). */
static int syscall_stop_op(const struct task *x)
{
	if (x->pt.siginfo.si_code == (SIGTRAP | 0x80) && x->pt.kind == PT_STOP_SYSCALL_ENTER)
		return PTRACE_SYSCALL_INFO_ENTRY;
	if (x->pt.siginfo.si_code == (SIGTRAP | 0x80) && x->pt.kind == PT_STOP_SYSCALL_EXIT)
		return PTRACE_SYSCALL_INFO_EXIT;
	if (x->pt.kind == PT_STOP_EVENT && x->pt.siginfo.si_code == (SIGTRAP | PTRACE_EVENT_SECCOMP << 8))
		return PTRACE_SYSCALL_INFO_SECCOMP;
	return PTRACE_SYSCALL_INFO_NONE;
}

/* PTRACE_SET_SYSCALL_INFO (Linux 6.16): the number and arguments at an entry or
 * seccomp stop, the result at an exit stop; the kind of stop cannot change. */
static long set_syscall_info(struct task *x, const struct io *io)
{
	struct syscall_info_v2 si;
	struct kvm_regs *r = vcpu_regs(x->vcpu);

	memcpy(&si, io->buf, sizeof si);
	if (si.flags || si.reserved)
		return -EINVAL;
	if (syscall_stop_op(x) != si.op)
		return -EINVAL;
	switch (si.op) {
	case PTRACE_SYSCALL_INFO_SECCOMP:
		if (si.seccomp.reserved2)
			return -EINVAL;
		__attribute__((fallthrough));
	case PTRACE_SYSCALL_INFO_ENTRY: {
		int nr = (int)si.entry.nr;
		if ((int64_t)nr != (int64_t)si.entry.nr)
			return -ERANGE;
		x->orig_rax = (uint64_t)(int64_t)nr;
		/* As Linux: with -1 (skip) the arguments stay, rax being the result. */
		if (nr != -1) {
			uint64_t *a[6] = {(uint64_t *)&r->rdi, (uint64_t *)&r->rsi, (uint64_t *)&r->rdx,
					  (uint64_t *)&r->r10, (uint64_t *)&r->r8, (uint64_t *)&r->r9};
			for (int i = 0; i < 6; i++)
				*a[i] = si.entry.args[i];
			vcpu_regs_changed(x->vcpu);
		}
		return 0;
	}
	case PTRACE_SYSCALL_INFO_EXIT:
		r->rax = (uint64_t)si.exit.rval;
		vcpu_regs_changed(x->vcpu);
		return 0;
	}
	return -EINVAL;
}

/* Requests on a tracee x that t traces. Preconditions: k->mu held. */
static long request(struct task *t, struct task *x, long req, uint64_t addr, uint64_t data,
		    struct io *io)
{
	(void)t;
	switch (req) {
	case PTRACE_PEEKUSR:
		return peek_user(x, addr, io);
	case PTRACE_POKEUSR:
		return poke_user(x, addr, data);
	case PTRACE_GETREGS: {
		struct ureg_ctx c = regs_of(x);
		ureg_get_all(&c, (struct user_regs_struct *)io->buf);
		io->out_len = sizeof(struct user_regs_struct);
		return 0;
	}
	case PTRACE_SETREGS: {
		struct ureg_ctx c = regs_of(x);
		long r = ureg_set_all(&c, (const struct user_regs_struct *)io->buf);
		regs_done(x, &c);
		return r;
	}
	case PTRACE_GETFPREGS:
	case PTRACE_SETFPREGS:
		return fpregs(x, io, FXSAVE_SIZE, req == PTRACE_SETFPREGS);
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET: {
		uint64_t size = regset_size(addr);
		if (!size)
			return -EINVAL;
		uint64_t len = io->in_len;
		if (addr == NT_PRFPREG)
			return fpregs(x, io, len, req == PTRACE_SETREGSET);
		if (addr == NT_X86_XSTATE)
			return xstate(x, io, len, req == PTRACE_SETREGSET);
		struct ureg_ctx c = regs_of(x);
		struct user_regs_struct u;
		ureg_get_all(&c, &u);
		if (req == PTRACE_GETREGSET) {
			memcpy(io->buf, &u, len);
			io->out_len = len;
			return 0;
		}
		memcpy(&u, io->buf, len);
		long r = ureg_set_all(&c, &u);
		regs_done(x, &c);
		return r;
	}
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(x, addr, io);
	case PTRACE_SET_SYSCALL_INFO:
		return set_syscall_info(x, io);
	case PTRACE_GET_RSEQ_CONFIGURATION: {
		/* No task registers rseq (it is ENOSYS): the configuration is all zero. */
		struct ptrace_rseq_configuration conf;
		memset(&conf, 0, sizeof conf);
		io->out_len = addr < sizeof conf ? addr : sizeof conf;
		memcpy(io->buf, &conf, io->out_len);
		return sizeof conf;
	}
	case PTRACE_GETSIGINFO:
		if (!x->pt.has_siginfo)
			return -EINVAL;
		memcpy(io->buf, &x->pt.siginfo, sizeof x->pt.siginfo);
		io->out_len = sizeof x->pt.siginfo;
		return 0;
	case PTRACE_SETSIGINFO:
		if (!x->pt.has_siginfo)
			return -EINVAL;
		memcpy(&x->pt.siginfo, io->buf, sizeof x->pt.siginfo);
		return 0;
	case PTRACE_GETSIGMASK:
		if (addr != sizeof(ksigset_t))
			return -EINVAL;
		memcpy(io->buf, &x->blocked, sizeof x->blocked);
		io->out_len = sizeof x->blocked;
		return 0;
	case PTRACE_SETSIGMASK: {
		ksigset_t m;
		if (addr != sizeof(ksigset_t))
			return -EINVAL;
		memcpy(&m, io->buf, sizeof m);
		x->blocked = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		return 0;
	}
	case PTRACE_OLDSETOPTIONS: /* the same request, kept by Linux on x86 */
	case PTRACE_SETOPTIONS:
		if (pt_options_check(data, false))
			return -EINVAL;
		x->pt.options = (unsigned)data;
		return 0;
	case PTRACE_GETEVENTMSG:
		memcpy(io->buf, &x->pt.message, sizeof x->pt.message);
		io->out_len = sizeof x->pt.message;
		return 0;
	case PTRACE_CONT:
		return resume(x, PT_RESUME_CONT, data);
	case PTRACE_SYSCALL:
		return resume(x, PT_RESUME_SYSCALL, data);
	case PTRACE_SINGLESTEP:
		return resume(x, PT_RESUME_SINGLESTEP, data);
	case PTRACE_SINGLEBLOCK:
		return resume(x, PT_RESUME_SINGLEBLOCK, data);
	case PTRACE_SYSEMU:
		return resume(x, PT_RESUME_SYSEMU, data);
	case PTRACE_SYSEMU_SINGLESTEP:
		return resume(x, PT_RESUME_SYSEMU_SINGLESTEP, data);
	case PTRACE_LISTEN:
		if (!x->pt.seized || x->pt.kind != PT_STOP_GROUP)
			return -EIO;
		x->pt.listening = true;
		x->pt.stopped = false;
		pthread_cond_signal(&x->wake);
		return 0;
	case PTRACE_DETACH:
		if (!valid_signal(data))
			return -EIO;
		ptrace_detach(x, (int)data);
		return 0;
	case PTRACE_GET_THREAD_AREA:
		if ((int)addr < 0)
			return -EIO;
		io->out_len = sizeof(struct user_desc);
		return tls_get(x, (int)addr, (struct user_desc *)io->buf);
	case PTRACE_SET_THREAD_AREA:
		if ((int)addr < 0)
			return -EIO;
		return tls_set(x, (int)addr, (const struct user_desc *)io->buf, false, NULL);
	case PTRACE_ARCH_PRCTL: {
		struct kvm_sregs *s = vcpu_sregs(x->vcpu);
		switch (data) {
		case ARCH_SET_FS:
		case ARCH_SET_GS:
			if (addr >= PT_TASK_SIZE_MAX)
				return -EPERM;
			(data == ARCH_SET_FS ? &s->fs : &s->gs)->base = addr;
			vcpu_sregs_changed(x->vcpu);
			return 0;
		case ARCH_GET_FS:
		case ARCH_GET_GS: {
			uint64_t v = data == ARCH_GET_FS ? s->fs.base : s->gs.base;
			memcpy(io->buf, &v, sizeof v);
			io->out_len = sizeof v;
			io->out_va = addr;
			return 0;
		}
		}
		return -EINVAL;
	}
	}
	return -EIO;
}

/* PEEKTEXT/POKETEXT and friends: on the tracee's address space, outside k->mu (an mm
 * reference keeps it alive). */
static long memory_request(struct task *t, int pid, long req, uint64_t addr, uint64_t data)
{
	struct kernel *k = t->k;
	struct mm *mm = NULL;

	pthread_mutex_lock(&k->mu);
	struct task *x = tracee_of(t, pid, false);
	if (x && (mm = x->proc->mm))
		mm_get(mm);
	pthread_mutex_unlock(&k->mu);
	if (!x)
		return -ESRCH;
	if (!mm)
		return -EIO;
	long r;
	if (req == PTRACE_PEEKTEXT || req == PTRACE_PEEKDATA) {
		uint64_t word;
		r = mm_peek_force(mm, &word, addr, sizeof word) ? -EIO : put_user(t, data, &word, sizeof word);
	} else {
		/* As Linux's FOLL_FORCE: read-only text is written through a private copy. */
		r = mm_poke_force(mm, addr, &data, sizeof data) ? -EIO : 0;
	}
	mm_put(mm, NULL);
	return r;
}

/* PTRACE_PEEKSIGINFO: copies of queued siginfos, the thread's queue or the process's
 * (PTRACE_PEEKSIGINFO_SHARED), from args.off on. Returns how many were copied. */
#define PEEKSIGINFO_MAX 1024
static long peek_siginfo(struct task *t, int pid, uint64_t addr, uint64_t data)
{
	struct ptrace_peeksiginfo_args args;
	struct kernel *k = t->k;

	if (get_user(t, &args, addr, sizeof args))
		return -EFAULT;
	if ((args.flags & ~(uint32_t)PTRACE_PEEKSIGINFO_SHARED) || args.nr < 0)
		return -EINVAL;
	int want = args.nr < PEEKSIGINFO_MAX ? args.nr : PEEKSIGINFO_MAX;
	siginfo_t *out = want ? calloc((size_t)want, sizeof *out) : NULL;
	if (want && !out)
		return -ENOMEM;
	int n = 0;
	pthread_mutex_lock(&k->mu);
	struct task *x = tracee_of(t, pid, false);
	if (x) {
		const struct sigpending *q = (args.flags & PTRACE_PEEKSIGINFO_SHARED)
					     ? &x->proc->shared_pending : &x->pending;
		uint64_t i = 0;
		for (const struct ksiginfo *e = q->queue; e && n < want; e = e->next, i++)
			if (i >= args.off)
				out[n++] = e->info;
	}
	pthread_mutex_unlock(&k->mu);
	long r = x ? n : -ESRCH;
	if (r > 0 && put_user(t, data, out, (uint64_t)n * sizeof *out))
		r = -EFAULT;
	free(out);
	return r;
}

/* PTRACE_SECCOMP_GET_FILTER and PTRACE_SECCOMP_GET_METADATA (Linux's
 * seccomp_get_filter/seccomp_get_metadata): for a tracer with CAP_SYS_ADMIN and no
 * filters of its own. */
static long seccomp_request(struct task *t, int pid, long req, uint64_t addr, uint64_t data)
{
	struct seccomp_metadata md = {0};
	void *prog = NULL;
	unsigned len = 0;
	bool log = false;
	long r;

	if (req == PTRACE_SECCOMP_GET_METADATA) {
		if (addr < sizeof md.filter_off)
			return -EINVAL;
		if (get_user(t, &md.filter_off, data, sizeof md.filter_off))
			return -EFAULT;
	}
	pthread_mutex_lock(&t->k->mu);
	struct task *x = tracee_of(t, pid, false);
	if (!x)
		r = -ESRCH;
	else if (!cred_capable(&t->proc->cred, CAP_SYS_ADMIN) || atomic_load(&t->seccomp.mode))
		r = -EACCES;
	else
		r = seccomp_filter_copy(x, req == PTRACE_SECCOMP_GET_METADATA ? md.filter_off : addr, &prog,
					&len, &log);
	pthread_mutex_unlock(&t->k->mu);
	if (!r && req == PTRACE_SECCOMP_GET_FILTER) {
		r = len;
		if (data && put_user(t, data, prog, len * sizeof(struct sock_filter)))
			r = -EFAULT;
	} else if (!r) {
		uint64_t size = addr < sizeof md ? addr : sizeof md;
		md.flags = log ? SECCOMP_FILTER_FLAG_LOG : 0;
		r = put_user(t, data, &md, size) ? -EFAULT : (long)size;
	}
	free(prog);
	return r;
}

/* What a request reads from the tracer before it runs: -EFAULT when it cannot. */
static long fetch_input(struct task *t, long req, uint64_t addr, uint64_t data, struct io *io)
{
	uint64_t len = 0;

	switch (req) {
	case PTRACE_SETREGS: len = sizeof(struct user_regs_struct); break;
	case PTRACE_SETFPREGS: len = FXSAVE_SIZE; break;
	case PTRACE_SETSIGINFO: len = sizeof(siginfo_t); break;
	case PTRACE_SET_THREAD_AREA: len = sizeof(struct user_desc); break;
	case PTRACE_SET_SYSCALL_INFO:
		/* As Linux: at least the whole struct; what follows it is not read. */
		if (addr < sizeof(struct syscall_info_v2))
			return -EINVAL;
		len = sizeof(struct syscall_info_v2);
		break;
	case PTRACE_SETSIGMASK: len = addr == sizeof(ksigset_t) ? sizeof(ksigset_t) : 0; break;
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET: {
		struct iovec iov;
		if (get_user(t, &iov, data, sizeof iov))
			return -EFAULT;
		/* NT_386_IOPERM: no task has an I/O bitmap (ioperm is not offered): as
		 * Linux's ioperm_get() without one; the regset has no setter. */
		if (addr == NT_386_IOPERM && iov.iov_len % 8 == 0)
			return req == PTRACE_GETREGSET ? -ENXIO : -EOPNOTSUPP;
		uint64_t size = regset_size(addr);
		/* As Linux's ptrace_regset(): whole 8-byte elements only. */
		if (!size || iov.iov_len % 8)
			return -EINVAL;
		io->in_len = iov.iov_len < size ? iov.iov_len : size;
		io->out_va = (uint64_t)(uintptr_t)iov.iov_base;
		io->len_va = data + offsetof(struct iovec, iov_len);
		if (req == PTRACE_SETREGSET && io->in_len)
			return get_user(t, io->buf, io->out_va, io->in_len) ? -EFAULT : 0;
		return 0;
	}
	default:
		return 0;
	}
	io->in_len = len;
	return len && get_user(t, io->buf, data, len) ? -EFAULT : 0;
}

SYSCALL(ptrace)
{
	long req = (long)a[0];
	int pid = (int)a[1];
	uint64_t addr = a[2], data = a[3];
	struct kernel *k = t->k;
	long r;

	if (req == PTRACE_PEEKTEXT || req == PTRACE_PEEKDATA || req == PTRACE_POKETEXT ||
	    req == PTRACE_POKEDATA)
		return memory_request(t, pid, req, addr, data);
	if (req == PTRACE_PEEKSIGINFO)
		return peek_siginfo(t, pid, addr, data);
	if (req == PTRACE_SECCOMP_GET_FILTER || req == PTRACE_SECCOMP_GET_METADATA)
		return seccomp_request(t, pid, req, addr, data);
	struct io *io = calloc(1, sizeof *io);
	if (!io)
		return -ENOMEM;
	io->out_va = data;
	if ((r = fetch_input(t, req, addr, data, io))) {
		free(io);
		return r;
	}
	pthread_mutex_lock(&k->mu);
	switch (req) {
	case PTRACE_TRACEME:
		r = traceme(t);
		break;
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
		r = attach(t, pid, addr, data, req == PTRACE_SEIZE);
		break;
	case PTRACE_KILL:
	case PTRACE_INTERRUPT: {
		struct task *x = tracee_of(t, pid, true);
		if (!x) {
			r = -ESRCH;
			break;
		}
		if (req == PTRACE_KILL) {
			siginfo_t info;
			memset(&info, 0, sizeof info);
			info.si_signo = SIGKILL;
			info.si_code = SI_USER;
			info.si_pid = t->proc->pid;
			sig_send(x->proc, x, SIGKILL, &info);
			r = 0;
		} else if (!x->pt.seized) {
			r = -EIO;
		} else {
			x->pt.interrupt = true;
			if (x->pt.listening) {
				x->pt.listening = false;
				pthread_cond_signal(&x->wake);
			}
			task_kick(x);
			r = 0;
		}
		break;
	}
	default: {
		struct task *x = tracee_of(t, pid, false);
		r = x ? request(t, x, req, addr, data, io) : -ESRCH;
		break;
	}
	}
	pthread_mutex_unlock(&k->mu);
	if (r >= 0 && io->out_len) {
		/* GET_SYSCALL_INFO returns a size: keep it when the copy works. */
		long c = put_user(t, io->out_va, io->buf, io->out_len);
		if (!c && io->len_va)
			c = put_user(t, io->len_va, &io->out_len, sizeof io->out_len);
		if (c)
			r = c;
	}
	free(io);
	return r;
}
