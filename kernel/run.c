#include "kernel/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/exec.h"
#include "kernel/path.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/task.h"
#include "kernel/transport.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static int process_init(struct process *p, const struct hv_run_options *opt)
{
	int r;

	memset(p, 0, sizeof *p);
	p->pid = 1; /* the first program is pid 1 of its own pid namespace */
	p->ppid = 0;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &p->rlim[i]);
	int nofile = p->rlim[RLIMIT_NOFILE].rlim_cur > 1048576 ? 1048576 : (int)p->rlim[RLIMIT_NOFILE].rlim_cur;
	if ((r = fdt_create(&p->files, nofile)))
		return r;
	for (int fd = 0; fd < 3; fd++) {
		int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (h >= 0 && fdt_install_at(p->files, fd, h, false) < 0)
			return -ENOMEM;
	}
	if ((r = fs_init(&p->fs, opt->root)))
		return r;
	if (opt->umask >= 0) {
		p->umask = (unsigned)opt->umask;
	} else {
		mode_t m = umask(022);
		umask(m);
		p->umask = m;
	}
	return 0;
}

static void process_release(struct process *p)
{
	if (p->mm)
		mm_destroy(p->mm, NULL); /* the VM goes away next: nothing to scrub for */
	fdt_destroy(p->files);
	fs_release(&p->fs);
	free(p->exe_path);
}

static void die_by_signal(struct task *t, const struct fault_signal *fs, uint64_t rip)
{
	t->has_exited = true;
	t->exit = (struct task_exit){.is_signal = true, .code = fs->signo, .core = sig_default_is_core(fs->signo)};
	t->fault_addr = fs->addr;
	t->fault_rip = rip;
}

/* Runs the task until it exits. Returns 0, or -1 with a fatal message in why. */
static int task_loop(struct task *t, struct fault_signal *last, char *why, size_t why_len)
{
	struct vcpu_event ev;

	while (!t->has_exited) {
		transport_before_entry(t);
		if (vcpu_run(t->vcpu, &ev))
			return -1;
		struct kvm_regs *r = vcpu_regs(t->vcpu);
		switch (ev.kind) {
		case VEV_SYSCALL_SLOT: {
			long ret;
			enum transport_action act = transport_on_fallback(t, &ret);
			if (act == TRANSPORT_RESUME)
				break;
			if (act == TRANSPORT_RETURN) {
				r->rax = (uint64_t)ret;
				vcpu_regs_changed(t->vcpu);
				break;
			}
			/* Registers are at syscall entry now: the exit path below. */
			__attribute__((fallthrough));
		}
		case VEV_SYSCALL: {
			const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
			/* As Linux's do_syscall_64(): the number is the low 32 bits of RAX. */
			long ret = syscall_dispatch(t, (uint32_t)r->rax, args);
			r->rax = (uint64_t)ret;
			vcpu_regs_changed(t->vcpu);
			break;
		}
		case VEV_EXCEPTION: {
			int pf = 0;
			if (ev.vector == VEC_PF) {
				pf = mm_fault(t->proc->mm, ev.cr2, (uint32_t)ev.error_code);
				if (pf == 0)
					break;
			}
			struct fpu_status fpu, *fp = NULL;
			if ((ev.vector == VEC_MF || ev.vector == VEC_XM) &&
			    !vcpu_get_fpu_status(t->vcpu, &fpu.fcw, &fpu.fsw, &fpu.mxcsr))
				fp = &fpu;
			sig_from_exception(&ev, r->rip, pf, fp, last);
			if (last->signo)
				die_by_signal(t, last, r->rip);
			break;
		}
		case VEV_DEBUG:
			*last = (struct fault_signal){.signo = SIGTRAP, .code = TRAP_TRACE, .addr = r->rip};
			die_by_signal(t, last, r->rip);
			break;
		case VEV_INTERRUPTED:
			break;
		case VEV_FATAL: {
			char regs[400];
			vcpu_describe_state(t->vcpu, regs, sizeof regs);
			snprintf(why, why_len, "guest stopped: %s; %s", ev.what, regs);
			return -1;
		}
		}
	}
	return 0;
}

int hv_run_program(const struct hv_run_options *opt, int argc, char *const argv[],
		   char *const envp[], struct hv_run_result *res)
{
	struct hv_vm vm;
	struct process proc;
	struct task task;
	int r, envc = 0;

	memset(res, 0, sizeof *res);
	while (envp && envp[envc])
		envc++;
	r = vm_create(&vm, opt->mem_size ? opt->mem_size : HV_DEFAULT_MEM);
	if (r) {
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "cannot create the VM: %s", strerror(-r));
		return r;
	}
	memset(&task, 0, sizeof task);
	task.vm = &vm;
	task.proc = &proc;
	task.tid = 1;
	if ((r = process_init(&proc, opt))) {
		res->outcome = HV_LOAD_FAILED;
		snprintf(res->message, sizeof res->message, "setting up the process: %s", strerror(-r));
		goto out_vm;
	}
	if ((r = vcpu_get(&vm, &task.vcpu))) {
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "cannot create a vCPU: %s", strerror(-r));
		goto out_proc;
	}
	if ((r = exec_image(&task, opt->path ? opt->path : argv[0], argc, argv, envc, envp,
			    res->message, sizeof res->message))) {
		res->outcome = HV_LOAD_FAILED;
		res->exit_code = r == -ENOENT || r == -ENOTDIR ? 127 : 126; /* as a shell */
		goto out_vcpu;
	}
	if ((r = transport_start(&task, opt->transport))) {
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "syscall transport: %s", strerror(-r));
		goto out_vcpu;
	}
	struct fault_signal sig = {0};
	int loop = task_loop(&task, &sig, res->message, sizeof res->message);
	transport_stop(&task);
	if (loop) {
		res->outcome = HV_FATAL;
		r = -EIO;
		goto out_vcpu;
	}
	res->syscalls = task.nr_syscalls;
	if (task.exit.is_signal) {
		res->outcome = HV_SIGNALED;
		res->signo = task.exit.code;
		res->core = task.exit.core;
		res->si_code = sig.code;
		res->fault_addr = task.fault_addr;
		res->fault_rip = task.fault_rip;
		snprintf(res->message, sizeof res->message, "%s (pid %d) killed by %s (%s, address 0x%llx, rip 0x%llx)",
			 argv[0], proc.pid, sig_name(res->signo), sig_code_name(res->signo, sig.code),
			 (unsigned long long)task.fault_addr, (unsigned long long)task.fault_rip);
	} else {
		res->outcome = HV_EXITED;
		res->exit_code = task.exit.code;
	}
	r = 0;
out_vcpu:
	if (proc.mm)
		mm_detach_vcpu(proc.mm, task.vcpu);
	vcpu_release(task.vcpu);
out_proc:
	process_release(&proc);
out_vm:
	vm_destroy(&vm);
	return r;
}

int hv_run_status(const struct hv_run_result *res)
{
	switch (res->outcome) {
	case HV_EXITED:
		return res->exit_code;
	case HV_SIGNALED:
		return 128 + res->signo;
	case HV_LOAD_FAILED:
		return res->exit_code;
	default:
		return 125;
	}
}
