/* Every syscall hvtrace implements, by its Linux name. No include guard: expanded with X. */
/* kernel/sys_fs.c */
X(read) X(write) X(readv) X(writev) X(pread64) X(pwrite64) X(preadv) X(pwritev)
X(open) X(openat) X(creat) X(close) X(lseek) X(fstat) X(stat) X(lstat) X(newfstatat) X(statx)
X(ioctl) X(readlink) X(readlinkat) X(getcwd) X(chdir) X(fchdir) X(access) X(faccessat)
X(faccessat2) X(unlink) X(unlinkat) X(mkdir) X(mkdirat) X(rmdir) X(rename) X(renameat)
X(renameat2) X(dup) X(dup2) X(dup3) X(fcntl) X(getdents64) X(ftruncate) X(truncate)
X(fsync) X(fdatasync) X(umask) X(pipe) X(pipe2) X(utimensat)
X(chmod) X(fchmod) X(fchmodat) X(chown) X(lchown) X(fchown) X(fchownat)
X(getxattr) X(lgetxattr) X(fgetxattr) X(listxattr) X(llistxattr) X(flistxattr) X(statfs) X(fstatfs)
/* kernel/sys_poll.c */
X(poll) X(ppoll) X(select) X(pselect6)
/* kernel/sys_mm.c */
X(brk) X(mmap) X(munmap) X(mprotect) X(mremap) X(madvise) X(msync)
/* kernel/cred.c */
X(setuid) X(setgid) X(setreuid) X(setregid) X(setresuid) X(setresgid) X(getresuid)
X(getresgid) X(setfsuid) X(setfsgid) X(getgroups) X(setgroups) X(capget) X(capset)
/* ptrace/ptrace.c, ptrace/process_vm.c */
X(ptrace) X(process_vm_readv) X(process_vm_writev)
/* kernel/seccomp.c */
X(seccomp)
/* kernel/sys_info.c, kernel/sys_tls.c */
X(uname) X(getrandom) X(clock_gettime) X(clock_getres) X(gettimeofday) X(time)
X(nanosleep) X(clock_nanosleep) X(restart_syscall) X(getpid) X(gettid) X(getppid) X(getuid) X(geteuid)
X(getgid) X(getegid) X(prlimit64) X(getrlimit) X(setrlimit) X(sched_yield) X(arch_prctl)
X(set_thread_area) X(get_thread_area) X(set_tid_address) X(set_robust_list) X(get_robust_list) X(getcpu) X(sched_getaffinity) X(sched_setaffinity)
/* kernel/sys_exit.c, kernel/sys_fork.c, kernel/sys_exec.c, kernel/futex.c */
X(exit) X(exit_group) X(wait4) X(waitid) X(clone) X(clone3) X(fork) X(vfork) X(execve)
X(execveat) X(futex)
/* kernel/sys_signal.c */
X(rt_sigaction) X(rt_sigprocmask) X(rt_sigpending) X(rt_sigsuspend) X(pause) X(rt_sigtimedwait)
X(sigaltstack) X(rt_sigreturn) X(kill) X(tkill) X(tgkill) X(rt_sigqueueinfo) X(rt_tgsigqueueinfo)
X(getpgid) X(getpgrp) X(getsid) X(setsid) X(setpgid)
/* kernel/sys_prctl.c, kernel/sys_timer.c */
X(prctl) X(setitimer) X(getitimer) X(alarm) X(times) X(getrusage) X(sysinfo)

#ifdef FAST
/* Served by the exit-less server (kernel/transport.h): no blocking, no vCPU registers,
 * no change to the task's life. Everything else takes the exit path. read/write and
 * friends may block on pipes and terminals, so they are not here. */
FAST(getpid) FAST(gettid) FAST(getppid) FAST(getuid) FAST(geteuid) FAST(getgid) FAST(getegid)
FAST(uname) FAST(getrandom) FAST(clock_gettime) FAST(clock_getres) FAST(gettimeofday) FAST(time)
FAST(prlimit64) FAST(getrlimit) FAST(setrlimit) FAST(set_tid_address) FAST(set_robust_list)
FAST(sched_yield) FAST(getcpu) FAST(sched_getaffinity) FAST(umask) FAST(getcwd) FAST(chdir) FAST(fchdir)
FAST(brk) FAST(mmap) FAST(munmap) FAST(mprotect) FAST(mremap) FAST(madvise)
FAST(open) FAST(openat) FAST(creat) FAST(close) FAST(lseek) FAST(fstat) FAST(stat) FAST(lstat)
FAST(newfstatat) FAST(statx) FAST(readlink) FAST(readlinkat) FAST(access) FAST(faccessat)
FAST(faccessat2) FAST(unlink) FAST(unlinkat) FAST(mkdir) FAST(mkdirat) FAST(rmdir) FAST(rename)
FAST(renameat) FAST(renameat2) FAST(dup) FAST(dup2) FAST(dup3) FAST(getdents64) FAST(ftruncate)
FAST(truncate) FAST(pipe) FAST(pipe2)
FAST(rt_sigaction) FAST(rt_sigprocmask) FAST(rt_sigpending) FAST(kill) FAST(tkill) FAST(tgkill)
FAST(getpgid) FAST(getpgrp) FAST(getsid) FAST(setsid) FAST(setpgid)
#endif
