#include "kernel/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/exec.h"
#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/path.h"
#include "kernel/procfs.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/page_cache.h"
#include "kernel/task.h"
#include "kernel/transport.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static void kick_handler(int sig)
{
	(void)sig; /* only interrupts KVM_RUN or ppoll: the task thread looks at its work */
}

static int process_init(struct process *p, struct kernel *k, const struct hv_run_options *opt)
{
	int r;

	memset(p, 0, sizeof *p);
	p->k = k;
	p->pid = p->pgid = p->sid = 1; /* pid 1 of its own pid namespace, as in a container */
	p->state = PROC_LIVE;
	p->exit_signal = SIGCHLD;
	p->dumpable = true;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &p->rlim[i]);
	p->sighand = calloc(1, sizeof *p->sighand);
	if (!p->sighand)
		return -ENOMEM;
	p->sighand->refs = 1;
	for (int sig = 1; sig < 64; sig++)
		if ((opt->ignored_signals >> (sig - 1) & 1) && sig != SIGKILL && sig != SIGSTOP)
			p->sighand->action[sig - 1].handler = 1; /* SIG_IGN */
	if ((r = cred_init_from_host(&p->cred)))
		return r;
	int nofile = p->rlim[RLIMIT_NOFILE].rlim_cur > 1048576 ? 1048576 : (int)p->rlim[RLIMIT_NOFILE].rlim_cur;
	if ((r = fdt_create(&p->files, nofile)))
		return r;
	for (int fd = 0; fd < 3; fd++) {
		int from = opt->stdio_set && opt->stdio[fd] >= 0 ? opt->stdio[fd] : fd;
		int h = fcntl(from, F_DUPFD_CLOEXEC, 3);
		if (h >= 0 && fdt_install_at(p->files, fd, h, false) < 0)
			return -ENOMEM;
	}
	unsigned mask;
	if (opt->umask >= 0) {
		mask = (unsigned)opt->umask;
	} else {
		mode_t m = umask(022);
		umask(m);
		mask = m;
	}
	return fs_init(&p->fs, opt->root, mask);
}

/* Releases what a process that never ran still holds. */
static void process_release_unstarted(struct process *p, struct vcpu *c)
{
	if (p->mm) {
		if (c)
			mm_detach_vcpu(p->mm, c);
		mm_put(p->mm, NULL); /* the VM goes away next: nothing to scrub for */
		p->mm = NULL;
	}
	fdt_put(p->files);
	p->files = NULL;
	fs_put(p->fs);
	p->fs = NULL;
	cred_release(&p->cred);
}

/* Task threads keep SIGKICK blocked (kernel/kernel.h); the handler only exists so that
 * an unblocked kick interrupts instead of killing. */
static int setup_kick_signal(sigset_t *old)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGKICK, &sa, NULL) < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGKICK);
	int r = pthread_sigmask(SIG_BLOCK, &set, old);
	if (r)
		return -r;
	vcpu_set_kick_signal(SIGKICK);
	return 0;
}

int hv_run_program(const struct hv_run_options *opt, int argc, char *const argv[],
		   char *const envp[], struct hv_run_result *res)
{
	struct hv_vm vm;
	struct kernel k;
	struct process *proc;
	struct task *task;
	sigset_t old_mask;
	int r, envc = 0;
	bool announced = false;

	memset(res, 0, sizeof *res);
	while (envp && envp[envc])
		envc++;
	if ((r = setup_kick_signal(&old_mask))) {
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "cannot set up the kick signal: %s", strerror(-r));
		return r;
	}
	r = vm_create(&vm, opt->mem_size ? opt->mem_size : HV_DEFAULT_MEM);
	if (r) {
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "cannot create the VM: %s", strerror(-r));
		goto out_mask;
	}
	memset(&k, 0, sizeof k);
	k.vm = &vm;
	k.transport = opt->transport;
	k.ptrace_scope = opt->ptrace_scope_set ? opt->ptrace_scope : 1;
	k.max_tasks = opt->max_tasks;
	k.last_pid = 1;
	pthread_mutex_init(&k.mu, NULL);
	pthread_condattr_t kca;
	pthread_condattr_init(&kca);
	pthread_condattr_setclock(&kca, CLOCK_MONOTONIC);
	pthread_cond_init(&k.idle, &kca); /* --timeout's deadline is monotonic */
	pthread_cond_init(&k.itimer_cv, &kca);
	pthread_condattr_destroy(&kca);
	if ((r = pcache_create(&vm.mem, &k.pcache))) {
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "out of memory");
		goto out_k;
	}

	proc = calloc(1, sizeof *proc);
	task = calloc(1, sizeof *task);
	if (!proc || !task) {
		free(proc);
		free(task);
		r = -ENOMEM;
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "out of memory");
		goto out_k;
	}
	k.init = proc;
	k.procs = proc;
	task->k = &k;
	task->vm = &vm;
	task->proc = proc;
	task->tid = 1;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&task->wake, &ca);
	pthread_condattr_destroy(&ca);
	if ((r = process_init(proc, &k, opt))) {
		res->outcome = HV_LOAD_FAILED;
		snprintf(res->message, sizeof res->message, "setting up the process: %s", strerror(-r));
		goto out_proc;
	}
	if ((r = vcpu_get(&vm, &task->vcpu))) {
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "cannot create a vCPU: %s", strerror(-r));
		goto out_proc;
	}
	if ((r = exec_image(task, opt->path ? opt->path : argv[0], argc, argv, envc, envp,
			    res->message, sizeof res->message))) {
		res->outcome = HV_LOAD_FAILED;
		res->exit_code = r == -ENOENT || r == -ENOTDIR ? 127 : 126; /* as a shell */
		goto out_proc;
	}
	proc->threads = task;
	proc->nthreads = 1;
	if (opt->on_guest) {
		opt->on_guest(opt->on_guest_arg, &k, true);
		announced = true;
	}

	pthread_mutex_lock(&k.mu);
	k.live_threads = 1;
	if (opt->host)
		host_session_start(opt->host, &k, task);
	if ((r = task_start(task))) {
		k.live_threads = 0;
		pthread_mutex_unlock(&k.mu);
		proc->threads = NULL;
		proc->nthreads = 0;
		res->outcome = HV_VM_FAILED;
		snprintf(res->message, sizeof res->message, "cannot start the task thread: %s", strerror(-r));
		goto out_proc;
	}
	task = NULL; /* its thread owns it now */
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(opt->timeout_ms / 1000);
	deadline.tv_nsec += (long)(opt->timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	while (k.live_threads > 0) {
		if (!opt->timeout_ms || res->timed_out) {
			pthread_cond_wait(&k.idle, &k.mu);
		} else if (pthread_cond_timedwait(&k.idle, &k.mu, &deadline) == ETIMEDOUT) {
			/* --timeout: the whole guest is killed, as by SIGKILL. */
			res->timed_out = true;
			for (struct process *p = k.procs; p; p = p->all_next)
				if (p->state == PROC_LIVE)
					sig_group_exit(p, SIGKILL);
		}
	}
	pthread_mutex_unlock(&k.mu);
	kernel_itimer_stop(&k);

	if (k.fatal[0]) {
		res->outcome = HV_FATAL;
		snprintf(res->message, sizeof res->message, "%s", k.fatal);
		r = -EIO;
	} else if (WIFSIGNALED(proc->wstatus)) {
		res->outcome = HV_SIGNALED;
		res->signo = WTERMSIG(proc->wstatus);
		res->core = WCOREDUMP(proc->wstatus);
		if (proc->fault_exit.is_signal && proc->fault_exit.code == res->signo) {
			res->si_code = proc->fault_code;
			res->fault_addr = proc->fault_addr;
			res->fault_rip = proc->fault_rip;
			snprintf(res->message, sizeof res->message,
				 "%s (pid %d) killed by %s (%s, address 0x%llx, rip 0x%llx)", argv[0], proc->pid,
				 sig_name(res->signo), sig_code_name(res->signo, res->si_code),
				 (unsigned long long)res->fault_addr, (unsigned long long)res->fault_rip);
		} else {
			snprintf(res->message, sizeof res->message, "%s (pid %d) killed by %s", argv[0],
				 proc->pid, sig_name(res->signo));
		}
		r = 0;
	} else {
		res->outcome = HV_EXITED;
		res->exit_code = WEXITSTATUS(proc->wstatus);
		r = 0;
	}
	res->syscalls = k.syscalls;
	/* Every task thread has ended: what remains are zombies nobody reaped. */
	while (k.procs) {
		struct process *p = k.procs;
		if (p == proc) {
			k.procs = p->all_next;
			continue;
		}
		process_free(p);
	}
	if (proc->sighand && --proc->sighand->refs == 0)
		free(proc->sighand);
	sig_flush_pending(&proc->shared_pending);
	cred_release(&proc->cred);
	free(proc->exe_path);
	free(proc);
	goto out_k;
out_proc:
	process_release_unstarted(proc, task ? task->vcpu : NULL);
	if (task && task->vcpu)
		vcpu_release(task->vcpu);
	if (proc->sighand)
		free(proc->sighand);
	free(proc->exe_path);
	free(proc);
	if (task) {
		pthread_cond_destroy(&task->wake);
		free(task);
	}
out_k:
	host_guest_ended(&k, hv_run_status(res));
	if (announced)
		opt->on_guest(opt->on_guest_arg, &k, false);
	procfs_cleanup(&k);
	pcache_destroy(k.pcache); /* after the last address space: writes the files back */
	pthread_cond_destroy(&k.itimer_cv);
	pthread_cond_destroy(&k.idle);
	pthread_mutex_destroy(&k.mu);
	vm_destroy(&vm);
out_mask:
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return r;
}

int hv_run_status(const struct hv_run_result *res)
{
	if (res->timed_out)
		return 124;
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
