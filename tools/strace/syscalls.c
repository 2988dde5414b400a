/* The syscall table: for each syscall hvtrace implements (kernel/syscall_list.h), and a
 * few more a program commonly tries, how strace shows its arguments and result and
 * which -e trace=%CLASS sets hold it. Indexed by the system headers' __NR_ numbers;
 * names of the rest come from build/gen/syscall_names.h. */
#include <asm/unistd_64.h>
#include <string.h>

#include "tools/strace/sysent.h"

static const char *const syscall_names[] = {
#include "syscall_names.h"
};

#define NARGS(...) ((int)sizeof((unsigned char[]){0, __VA_ARGS__}) - 1)
#define S(name, ret, cls, ...) \
	[__NR_##name] = {#name, ret, cls, NARGS(__VA_ARGS__), {__VA_ARGS__}, NULL}
#define S0(name, ret, cls) [__NR_##name] = {#name, ret, cls, 0, {0}, NULL}
#define SX(name, ret, cls, n, fn) [__NR_##name] = {#name, ret, cls, n, {0}, fn}

#define F SC_FILE
#define D SC_DESC
#define P SC_PROCESS
#define SG SC_SIGNAL
#define M SC_MEMORY
#define CR SC_CREDS
#define CL SC_CLOCK
#define NW SC_NETWORK
#define PU SC_PURE

static const struct st_sysent sysents[] = {
	/* files and descriptors */
	S(read, RV_DEC, D, A_FD, A_BUF_OUT, A_ULONG),
	S(write, RV_DEC, D, A_FD, A_BUF_IN, A_ULONG),
	S(pread64, RV_DEC, D, A_FD, A_BUF_OUT, A_ULONG, A_LONG),
	S(pwrite64, RV_DEC, D, A_FD, A_BUF_IN, A_ULONG, A_LONG),
	S(readv, RV_DEC, D, A_FD, A_IOVEC_OUT, A_INT),
	S(writev, RV_DEC, D, A_FD, A_IOVEC, A_INT),
	S(preadv, RV_DEC, D, A_FD, A_IOVEC_OUT, A_INT, A_LONG),
	S(pwritev, RV_DEC, D, A_FD, A_IOVEC, A_INT, A_LONG),
	S(open, RV_FD, F | D, A_PATH, A_OPEN_FLAGS, A_OPEN_MODE),
	S(openat, RV_FD, F | D, A_DIRFD, A_PATH, A_OPEN_FLAGS, A_OPEN_MODE),
	S(creat, RV_FD, F | D, A_PATH, A_MODE),
	S(close, RV_DEC, D, A_FD),
	S(lseek, RV_DEC, D, A_FD, A_LONG, A_WHENCE),
	S(fstat, RV_DEC, D | SC_FSTAT, A_FD, A_STAT_OUT),
	S(stat, RV_DEC, F | SC_STAT, A_PATH, A_STAT_OUT),
	S(lstat, RV_DEC, F | SC_LSTAT, A_PATH, A_STAT_OUT),
	S(newfstatat, RV_DEC, F | D | SC_FSTAT, A_DIRFD, A_PATH, A_STAT_OUT, A_AT_FLAGS),
	S(statx, RV_DEC, F | D | SC_FSTAT, A_DIRFD, A_PATH, A_STATX_FLAGS, A_STATX_MASK, A_STATX_OUT),
	SX(ioctl, RV_DEC, D, 3, st_dec_ioctl),
	S(readlink, RV_DEC, F, A_PATH, A_STR_OUT, A_ULONG),
	S(readlinkat, RV_DEC, F | D, A_DIRFD, A_PATH, A_STR_OUT, A_ULONG),
	S(getcwd, RV_DEC, F, A_PATH_OUT, A_ULONG),
	S(chdir, RV_DEC, F, A_PATH),
	S(fchdir, RV_DEC, D, A_FD),
	S(access, RV_DEC, F, A_PATH, A_ACCESS_MODE),
	S(faccessat, RV_DEC, F | D, A_DIRFD, A_PATH, A_ACCESS_MODE),
	S(faccessat2, RV_DEC, F | D, A_DIRFD, A_PATH, A_ACCESS_MODE, A_ACCESS_AT_FLAGS),
	S(unlink, RV_DEC, F, A_PATH),
	S(unlinkat, RV_DEC, F | D, A_DIRFD, A_PATH, A_AT_FLAGS),
	S(mkdir, RV_DEC, F, A_PATH, A_MODE),
	S(mkdirat, RV_DEC, F | D, A_DIRFD, A_PATH, A_MODE),
	S(rmdir, RV_DEC, F, A_PATH),
	S(rename, RV_DEC, F, A_PATH, A_PATH),
	S(renameat, RV_DEC, F | D, A_DIRFD, A_PATH, A_DIRFD, A_PATH),
	S(renameat2, RV_DEC, F | D, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_RENAME_FLAGS),
	S(dup, RV_FD, D, A_FD),
	S(dup2, RV_FD, D, A_FD, A_FD),
	S(dup3, RV_FD, D, A_FD, A_FD, A_OPEN_BITS),
	SX(fcntl, RV_DEC, D, 3, st_dec_fcntl),
	S(getdents64, RV_DEC, D, A_FD, A_DIRENTS_OUT, A_ULONG),
	S(ftruncate, RV_DEC, D, A_FD, A_LONG),
	S(truncate, RV_DEC, F, A_PATH, A_LONG),
	S(fsync, RV_DEC, D, A_FD),
	S(fdatasync, RV_DEC, D, A_FD),
	S(umask, RV_OCT, 0, A_OCT),
	S(pipe, RV_DEC, D, A_FDPAIR_OUT),
	S(pipe2, RV_DEC, D, A_FDPAIR_OUT, A_OPEN_BITS),
	S(utimensat, RV_DEC, F | D, A_DIRFD, A_PATH, A_TIMESPEC_PAIR, A_AT_FLAGS),
	S(chmod, RV_DEC, F, A_PATH, A_MODE),
	S(fchmod, RV_DEC, D, A_FD, A_MODE),
	S(fchmodat, RV_DEC, F | D, A_DIRFD, A_PATH, A_MODE),
	S(chown, RV_DEC, F, A_PATH, A_ID, A_ID),
	S(lchown, RV_DEC, F, A_PATH, A_ID, A_ID),
	S(fchown, RV_DEC, D, A_FD, A_ID, A_ID),
	S(fchownat, RV_DEC, F | D, A_DIRFD, A_PATH, A_ID, A_ID, A_AT_FLAGS),
	S(getxattr, RV_DEC, F, A_PATH, A_STR, A_BUF_OUT, A_ULONG),
	S(lgetxattr, RV_DEC, F, A_PATH, A_STR, A_BUF_OUT, A_ULONG),
	S(fgetxattr, RV_DEC, D, A_FD, A_STR, A_BUF_OUT, A_ULONG),
	S(listxattr, RV_DEC, F, A_PATH, A_BUF_OUT, A_ULONG),
	S(llistxattr, RV_DEC, F, A_PATH, A_BUF_OUT, A_ULONG),
	S(flistxattr, RV_DEC, D, A_FD, A_BUF_OUT, A_ULONG),
	S(statfs, RV_DEC, F | SC_STATFS, A_PATH, A_STATFS_OUT),
	S(fstatfs, RV_DEC, D | SC_STATFS, A_FD, A_STATFS_OUT),
	SX(poll, RV_DEC, D, 3, st_dec_poll),
	SX(ppoll, RV_DEC, D, 5, st_dec_poll),
	SX(select, RV_DEC, D, 5, st_dec_select),
	SX(pselect6, RV_DEC, D, 6, st_dec_select),
	/* memory */
	S(brk, RV_HEX, M, A_PTR),
	SX(mmap, RV_HEX, M | D, 6, st_dec_mmap),
	S(munmap, RV_DEC, M, A_PTR, A_ULONG),
	S(mprotect, RV_DEC, M, A_PTR, A_ULONG, A_PROT),
	S(mremap, RV_HEX, M, A_PTR, A_ULONG, A_ULONG, A_MREMAP_FLAGS, A_PTR),
	S(madvise, RV_DEC, M, A_PTR, A_ULONG, A_MADVISE),
	S(msync, RV_DEC, M, A_PTR, A_ULONG, A_MSYNC_FLAGS),
	/* credentials */
	S(setuid, RV_DEC, CR, A_ID),
	S(setgid, RV_DEC, CR, A_ID),
	S(setreuid, RV_DEC, CR, A_ID, A_ID),
	S(setregid, RV_DEC, CR, A_ID, A_ID),
	S(setresuid, RV_DEC, CR, A_ID, A_ID, A_ID),
	S(setresgid, RV_DEC, CR, A_ID, A_ID, A_ID),
	S(getresuid, RV_DEC, CR, A_UINT_OUT, A_UINT_OUT, A_UINT_OUT),
	S(getresgid, RV_DEC, CR, A_UINT_OUT, A_UINT_OUT, A_UINT_OUT),
	S(setfsuid, RV_DEC, CR, A_ID),
	S(setfsgid, RV_DEC, CR, A_ID),
	S(getgroups, RV_DEC, CR, A_INT, A_INT_ARRAY_OUT),
	S(setgroups, RV_DEC, CR, A_INT, A_PTR),
	S(capget, RV_DEC, CR, A_PTR, A_PTR),
	S(capset, RV_DEC, CR, A_PTR, A_PTR),
	S0(getuid, RV_DEC, CR | PU),
	S0(geteuid, RV_DEC, CR | PU),
	S0(getgid, RV_DEC, CR | PU),
	S0(getegid, RV_DEC, CR | PU),
	/* tracing and sandboxing */
	SX(ptrace, RV_DEC, 0, 4, st_dec_ptrace),
	S(process_vm_readv, RV_DEC, 0, A_INT, A_PTR, A_ULONG, A_PTR, A_ULONG, A_ULONG),
	S(process_vm_writev, RV_DEC, 0, A_INT, A_PTR, A_ULONG, A_PTR, A_ULONG, A_ULONG),
	S(seccomp, RV_DEC, 0, A_SECCOMP_OP, A_HEX, A_PTR),
	/* information, time, limits */
	S(uname, RV_DEC, 0, A_UTSNAME_OUT),
	S(getrandom, RV_DEC, 0, A_GRND_BUF_OUT, A_ULONG, A_GRND_FLAGS),
	S(clock_gettime, RV_DEC, CL, A_CLOCKID, A_TIMESPEC_OUT),
	S(clock_getres, RV_DEC, CL, A_CLOCKID, A_TIMESPEC_OUT),
	S(gettimeofday, RV_DEC, CL, A_TIMEVAL_OUT, A_PTR),
	S(time, RV_DEC, CL, A_TIME_OUT),
	S(nanosleep, RV_DEC, 0, A_TIMESPEC, A_TIMESPEC_OUT),
	S(clock_nanosleep, RV_DEC, 0, A_CLOCKID, A_TIMER_FLAGS, A_TIMESPEC, A_TIMESPEC_OUT),
	S(restart_syscall, RV_DEC, 0, A_RESTART),
	S0(getpid, RV_DEC, PU),
	S0(gettid, RV_DEC, PU),
	S0(getppid, RV_DEC, PU),
	S(prlimit64, RV_DEC, 0, A_INT, A_RLIMIT_RES, A_RLIMIT, A_RLIMIT_OUT),
	S(getrlimit, RV_DEC, 0, A_RLIMIT_RES, A_RLIMIT_OUT),
	S(setrlimit, RV_DEC, 0, A_RLIMIT_RES, A_RLIMIT),
	S0(sched_yield, RV_DEC, 0),
	S(arch_prctl, RV_DEC, 0, A_ARCH_PRCTL_CODE, A_PTR),
	S(set_thread_area, RV_DEC, 0, A_PTR),
	S(get_thread_area, RV_DEC, 0, A_PTR),
	S(set_tid_address, RV_DEC, 0, A_PTR),
	S(set_robust_list, RV_DEC, 0, A_PTR, A_ULONG),
	S(get_robust_list, RV_DEC, 0, A_INT, A_PTR, A_PTR),
	S(getcpu, RV_DEC, 0, A_UINT_OUT, A_UINT_OUT, A_PTR),
	S(sched_getaffinity, RV_DEC, 0, A_INT, A_ULONG, A_CPUSET_OUT),
	S(sched_setaffinity, RV_DEC, 0, A_INT, A_ULONG, A_CPUSET),
	SX(prctl, RV_DEC, 0, 5, st_dec_prctl),
	S(setitimer, RV_DEC, 0, A_ITIMER_WHICH, A_ITIMERVAL, A_ITIMERVAL_OUT),
	S(getitimer, RV_DEC, 0, A_ITIMER_WHICH, A_ITIMERVAL_OUT),
	S(alarm, RV_DEC, 0, A_ULONG),
	S(times, RV_DEC, 0, A_TMS_OUT),
	S(getrusage, RV_DEC, 0, A_RUSAGE_WHO, A_RUSAGE_OUT),
	S(sysinfo, RV_DEC, 0, A_SYSINFO_OUT),
	/* processes */
	S(exit, RV_NONE, P, A_INT),
	S(exit_group, RV_NONE, P, A_INT),
	S(wait4, RV_DEC, P, A_ID, A_WSTATUS_OUT, A_WAIT_OPTIONS, A_RUSAGE_OUT),
	SX(waitid, RV_DEC, P, 5, st_dec_waitid),
	SX(clone, RV_DEC, P, 5, st_dec_clone),
	SX(clone3, RV_DEC, P, 2, st_dec_clone3),
	S0(fork, RV_DEC, P),
	S0(vfork, RV_DEC, P),
	SX(execve, RV_DEC, F | P, 3, st_dec_execve),
	S(execveat, RV_DEC, F | D | P, A_DIRFD, A_PATH, A_PTR, A_PTR, A_AT_FLAGS),
	SX(futex, RV_DEC, 0, 6, st_dec_futex),
	/* signals */
	S(rt_sigaction, RV_DEC, SG, A_SIGNAL, A_SIGACTION, A_SIGACTION_OUT, A_SIGSETSIZE),
	S(rt_sigprocmask, RV_DEC, SG, A_SIGPROCMASK_HOW, A_SIGSET, A_SIGSET_OUT, A_SIGSETSIZE),
	S(rt_sigpending, RV_DEC, SG, A_SIGSET_OUT, A_SIGSETSIZE),
	S(rt_sigsuspend, RV_DEC, SG, A_SIGSET, A_SIGSETSIZE),
	S0(pause, RV_DEC, SG),
	S(rt_sigtimedwait, RV_DEC, SG, A_SIGSET, A_PTR, A_TIMESPEC, A_SIGSETSIZE),
	S(sigaltstack, RV_DEC, SG, A_STACK, A_STACK_OUT),
	S(rt_sigreturn, RV_DEC, SG, A_SIGRETURN),
	S(kill, RV_DEC, SG | P, A_INT, A_SIGNAL),
	S(tkill, RV_DEC, SG | P, A_INT, A_SIGNAL),
	S(tgkill, RV_DEC, SG | P, A_INT, A_INT, A_SIGNAL),
	S(rt_sigqueueinfo, RV_DEC, SG | P, A_INT, A_SIGNAL, A_SIGINFO),
	S(rt_tgsigqueueinfo, RV_DEC, SG | P, A_INT, A_INT, A_SIGNAL, A_SIGINFO),
	S(getpgid, RV_DEC, 0, A_INT),
	S0(getpgrp, RV_DEC, PU),
	S(getsid, RV_DEC, 0, A_INT),
	S0(setsid, RV_DEC, 0),
	S(setpgid, RV_DEC, 0, A_INT, A_INT),
	/* not served by hvtrace, but common in programs' start-up and in -e sets */
	S(rseq, RV_DEC, 0, A_PTR, A_HEX, A_HEX, A_HEX),
	S(socket, RV_FD, NW, A_SOCK_DOMAIN, A_SOCK_TYPE, A_SOCK_PROTO),
	S(connect, RV_DEC, NW, A_FD, A_SOCKADDR, A_INT),
	SX(accept, RV_FD, NW, 3, st_dec_sockname),
	SX(accept4, RV_FD, NW, 4, st_dec_sockname),
	S(bind, RV_DEC, NW, A_FD, A_SOCKADDR, A_INT),
	S(listen, RV_DEC, NW, A_FD, A_INT),
	S(sendto, RV_DEC, NW, A_FD, A_BUF_IN, A_ULONG, A_MSG_FLAGS, A_SOCKADDR, A_INT),
	SX(recvfrom, RV_DEC, NW, 6, st_dec_recvfrom),
	SX(sendmsg, RV_DEC, NW, 3, st_dec_sendmsg),
	SX(recvmsg, RV_DEC, NW, 3, st_dec_recvmsg),
	/* socketpair's protocol is a bare number in strace, whatever the domain. */
	S(socketpair, RV_DEC, NW, A_SOCK_DOMAIN, A_SOCK_TYPE, A_ULONG, A_FDPAIR_OUT),
	S(shutdown, RV_DEC, NW, A_FD, A_SHUT_HOW),
	SX(getsockname, RV_DEC, NW, 3, st_dec_sockname),
	SX(getpeername, RV_DEC, NW, 3, st_dec_sockname),
	S(setsockopt, RV_DEC, NW, A_FD, A_INT, A_INT, A_PTR, A_INT),
	S(getsockopt, RV_DEC, NW, A_FD, A_INT, A_INT, A_PTR, A_PTR),
	S(symlink, RV_DEC, F, A_PATH, A_PATH),
	S(symlinkat, RV_DEC, F | D, A_PATH, A_DIRFD, A_PATH),
	S(link, RV_DEC, F, A_PATH, A_PATH),
	S(linkat, RV_DEC, F | D, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_AT_FLAGS),
	S(mknod, RV_DEC, F, A_PATH, A_MODE, A_MKNOD_DEV),
	S(mknodat, RV_DEC, F | D, A_DIRFD, A_PATH, A_MODE, A_MKNOD_DEV),
	S(utimes, RV_DEC, F, A_PATH, A_PTR),
	S(utime, RV_DEC, F, A_PATH, A_PTR),
	S(chroot, RV_DEC, F, A_PATH),
	S(setxattr, RV_DEC, F, A_PATH, A_STR, A_BUF_IN, A_ULONG, A_HEX),
	S(lsetxattr, RV_DEC, F, A_PATH, A_STR, A_BUF_IN, A_ULONG, A_HEX),
	S(fsetxattr, RV_DEC, D, A_FD, A_STR, A_BUF_IN, A_ULONG, A_HEX),
	S(removexattr, RV_DEC, F, A_PATH, A_STR),
	S(lremovexattr, RV_DEC, F, A_PATH, A_STR),
	S(fremovexattr, RV_DEC, D, A_FD, A_STR),
	S(flock, RV_DEC, D, A_FD, A_FLOCK_OP),
	S(fadvise64, RV_DEC, D, A_FD, A_LONG, A_LONG, A_INT),
	S(fallocate, RV_DEC, D, A_FD, A_INT, A_LONG, A_LONG),
	S(sendfile, RV_DEC, D | NW, A_FD, A_FD, A_PTR, A_ULONG),
	S(memfd_create, RV_FD, D, A_STR, A_MFD_FLAGS),
	S(eventfd2, RV_FD, D, A_UINT, A_EFD_FLAGS),
	S(epoll_create1, RV_FD, D, A_EFD_FLAGS),
	S(epoll_ctl, RV_DEC, D, A_FD, A_INT, A_FD, A_PTR),
	S(epoll_wait, RV_DEC, D, A_FD, A_PTR, A_INT, A_INT),
	S(inotify_init1, RV_FD, D, A_EFD_FLAGS),
	S(inotify_add_watch, RV_DEC, F | D, A_FD, A_PATH, A_HEX),
	S(timerfd_create, RV_FD, D, A_CLOCKID, A_EFD_FLAGS),
	S(signalfd4, RV_FD, D | SG, A_FD, A_PTR, A_ULONG, A_HEX),
	S(mlock, RV_DEC, M, A_PTR, A_ULONG),
	S(munlock, RV_DEC, M, A_PTR, A_ULONG),
	S(mlockall, RV_DEC, M, A_HEX),
	S(mincore, RV_DEC, M, A_PTR, A_ULONG, A_PTR),
	S(getpriority, RV_DEC, 0, A_INT, A_INT),
	S(setpriority, RV_DEC, 0, A_INT, A_INT, A_INT),
	S(sched_getparam, RV_DEC, 0, A_INT, A_PTR),
	S(sched_getscheduler, RV_DEC, 0, A_INT),
	S(pidfd_open, RV_FD, D, A_INT, A_HEX),
	S(pidfd_send_signal, RV_DEC, D | SG | P, A_FD, A_SIGNAL, A_PTR, A_HEX),
	S(close_range, RV_DEC, D, A_UINT, A_UINT, A_HEX),
	S(shmget, RV_DEC, SC_IPC, A_HEX, A_ULONG, A_HEX),
	S(shmat, RV_HEX, SC_IPC | M, A_INT, A_PTR, A_HEX),
	S(shmdt, RV_DEC, SC_IPC | M, A_PTR),
	S(semget, RV_DEC, SC_IPC, A_HEX, A_INT, A_HEX),
	S(msgget, RV_DEC, SC_IPC, A_HEX, A_HEX),
};

const struct st_sysent *st_sysent(long nr)
{
	if (nr < 0 || (size_t)nr >= sizeof sysents / sizeof sysents[0] || !sysents[nr].name)
		return NULL;
	return &sysents[nr];
}

const char *st_syscall_name(long nr)
{
	if (nr < 0 || (size_t)nr >= sizeof syscall_names / sizeof syscall_names[0])
		return NULL;
	return syscall_names[nr];
}

long st_syscall_by_name(const char *name)
{
	for (size_t nr = 0; nr < sizeof syscall_names / sizeof syscall_names[0]; nr++)
		if (syscall_names[nr] && !strcmp(syscall_names[nr], name))
			return (long)nr;
	return -1;
}

/* Classes of the syscalls the hand table leaves out, by name: strace's sets hold
 * every syscall of the class, not only the ones hvtrace serves. */
static unsigned classes_by_name(const char *n)
{
	static const struct {
		const char *prefix;
		unsigned classes;
	} by_prefix[] = {
		{"socket", SC_NETWORK}, {"send", SC_NETWORK}, {"recv", SC_NETWORK},
		{"accept", SC_NETWORK}, {"shm", SC_IPC}, {"sem", SC_IPC}, {"msg", SC_IPC},
		{"mq_", SC_IPC}, {"timer_", SC_CLOCK}, {"clock_", SC_CLOCK}, {"mlock", SC_MEMORY},
		{"munlock", SC_MEMORY}, {"pkey_", SC_MEMORY}, {"inotify", SC_DESC},
		{"epoll", SC_DESC}, {"eventfd", SC_DESC}, {"signalfd", SC_DESC | SC_SIGNAL},
		{"timerfd", SC_DESC},
	};
	for (size_t i = 0; i < sizeof by_prefix / sizeof by_prefix[0]; i++)
		if (!strncmp(n, by_prefix[i].prefix, strlen(by_prefix[i].prefix)))
			return by_prefix[i].classes;
	return 0;
}

unsigned st_syscall_classes(long nr)
{
	const struct st_sysent *e = st_sysent(nr);
	if (e)
		return e->classes;
	const char *n = st_syscall_name(nr);
	return n ? classes_by_name(n) : 0;
}

enum st_ret st_syscall_ret(long nr)
{
	const struct st_sysent *e = st_sysent(nr);
	return e ? e->ret : RV_DEC;
}
