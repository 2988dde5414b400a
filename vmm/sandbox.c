/* The VMM confines itself (see sandbox.h): a seccomp filter over every thread of the
 * process that allows the host syscalls hvtrace makes and nothing else. */
#include "vmm/sandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What hvtrace needs, and why:
 * - serving guest files (kernel/sys_fs.c, path.c, fdtable.c, page_cache.c, procfs.c):
 *   the *at() family on host fds, plain I/O, directories, attributes, pipes, memfds;
 * - memory (guest RAM, vCPU run areas, the allocator): mmap and friends;
 * - KVM: ioctl on /dev/kvm, the VM and vCPU fds;
 * - threads (one per task, exit-less servers, timers): clone/clone3, futex, signals to
 *   its own threads (SIGKICK), timers and sleeps;
 * - the control socket and the host tracers' outputs (gdb's TCP port, strace's files):
 *   Unix and TCP sockets;
 * - identity and limits read at start and by the guest's getrusage/times/uname/...
 * Never: execve/execveat (hvtrace runs no host program), ptrace, process_vm_*, mount
 * and namespace calls, kexec, module loading, bpf, perf_event_open, io_uring, keys. */
static const int allowed[] = {
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_preadv,
	SYS_pwritev, SYS_preadv2, SYS_pwritev2, SYS_lseek, SYS_close, SYS_open, SYS_openat,
	SYS_openat2, SYS_creat, SYS_stat, SYS_fstat, SYS_lstat, SYS_newfstatat, SYS_statx,
	SYS_statfs, SYS_fstatfs, SYS_access, SYS_faccessat, SYS_faccessat2, SYS_chmod,
	SYS_fchmod, SYS_fchmodat, SYS_chown, SYS_fchown, SYS_lchown, SYS_fchownat,
	SYS_truncate, SYS_ftruncate, SYS_fsync, SYS_fdatasync, SYS_fallocate, SYS_utimensat,
	SYS_getxattr, SYS_lgetxattr, SYS_fgetxattr, SYS_listxattr, SYS_llistxattr,
	SYS_flistxattr, SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink, SYS_unlinkat,
	SYS_symlink, SYS_symlinkat, SYS_readlink, SYS_readlinkat, SYS_rename, SYS_renameat,
	SYS_renameat2, SYS_link, SYS_linkat, SYS_getdents64, SYS_getcwd, SYS_chdir,
	SYS_fchdir, SYS_umask, SYS_dup, SYS_dup2, SYS_dup3, SYS_fcntl, SYS_ioctl, SYS_flock,
	SYS_pipe, SYS_pipe2, SYS_memfd_create, SYS_eventfd2, SYS_poll, SYS_ppoll, SYS_select,
	SYS_pselect6, SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_wait, SYS_epoll_pwait,
	SYS_sendfile, SYS_copy_file_range, SYS_splice,
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_madvise, SYS_brk, SYS_msync,
	SYS_mlock, SYS_munlock, SYS_membarrier,
	SYS_clone, SYS_clone3, SYS_futex, SYS_set_robust_list, SYS_get_robust_list,
	SYS_rseq, SYS_set_tid_address, SYS_exit, SYS_exit_group, SYS_gettid, SYS_getpid,
	SYS_getppid, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigtimedwait,
	SYS_rt_sigreturn, SYS_sigaltstack, SYS_rt_sigpending, SYS_restart_syscall,
	SYS_sched_yield, SYS_sched_getaffinity, SYS_sched_setaffinity, SYS_getcpu,
	SYS_nanosleep, SYS_clock_nanosleep, SYS_clock_gettime, SYS_clock_getres,
	SYS_gettimeofday, SYS_time, SYS_timer_create, SYS_timer_settime, SYS_timer_gettime,
	SYS_timer_delete, SYS_timerfd_create, SYS_timerfd_settime, SYS_getrusage, SYS_times,
	SYS_sysinfo, SYS_uname, SYS_getrandom, SYS_prctl, SYS_arch_prctl, SYS_prlimit64,
	SYS_getrlimit, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getresuid,
	SYS_getresgid, SYS_getgroups, SYS_capget,
	SYS_socket, SYS_socketpair, SYS_bind, SYS_listen, SYS_accept, SYS_accept4,
	SYS_connect, SYS_getsockopt, SYS_setsockopt, SYS_getsockname, SYS_getpeername,
	SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_shutdown,
};

static void refused(int sig, siginfo_t *info, void *uc)
{
	char msg[160];
	(void)sig;
	(void)uc;
	int n = snprintf(msg, sizeof msg,
			 "hvtrace: host syscall %d refused by hvtrace's own sandbox: a bug in hvtrace "
			 "(--no-sandbox runs without it)\n", info->si_syscall);
	if (n > 0 && write(2, msg, (size_t)n) < 0) {
		/* Nothing better to do on the way out. */
	}
	_exit(125);
}

#define NALLOWED (sizeof allowed / sizeof allowed[0])
_Static_assert(NALLOWED < 250, "a BPF jump reaches 255 instructions at most");
/* arch check (3) + x32 check (2) + tgkill's own-process check (4) + allowed + 2 returns */
#define PROG_MAX (3 + 2 + 4 + NALLOWED + 2)

bool sandbox_wanted(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return false;
#else
	return true;
#endif
}

void sandbox_enter_or_exit(const char *tool)
{
	char err[256];

	if (sandbox_wanted() && sandbox_enter(err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", tool, err);
		exit(125);
	}
}

int sandbox_enter(char *err, size_t errlen)
{
	struct sock_filter f[PROG_MAX];
	unsigned n = 0;
	unsigned pid = (unsigned)getpid();

#define STMT(c, k) (f[n++] = (struct sock_filter)BPF_STMT((c), (k)))
#define JUMP(c, k, t, e) (f[n++] = (struct sock_filter)BPF_JUMP((c), (k), (t), (e)))
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* The x32 ABI's numbers (bit 30) are other syscalls under the same arch. */
	JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, (unsigned char)(4 + NALLOWED), 0);
	/* Signals go to its own threads only (SIGKICK, pthread_kill). */
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, 0, 3);
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, pid, (unsigned char)(1 + NALLOWED + 1), (unsigned char)(1 + NALLOWED));
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (unsigned i = 0; i < NALLOWED; i++)
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed[i], (unsigned char)(NALLOWED - i), 0);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
#undef STMT
#undef JUMP
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = refused;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot confine hvtrace with seccomp: %s (--no-sandbox runs without it)",
			 strerror(e));
		return -e;
	}
	return 0;
}
