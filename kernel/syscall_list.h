/* Every syscall hvtrace implements, by its Linux name. No include guard: expanded with X. */
/* kernel/sys_fs.c */
X(read) X(write) X(readv) X(writev) X(pread64) X(pwrite64) X(preadv) X(pwritev)
X(open) X(openat) X(creat) X(close) X(lseek) X(fstat) X(stat) X(lstat) X(newfstatat) X(statx)
X(ioctl) X(readlink) X(readlinkat) X(getcwd) X(chdir) X(fchdir) X(access) X(faccessat)
X(faccessat2) X(unlink) X(unlinkat) X(mkdir) X(mkdirat) X(rmdir) X(rename) X(renameat)
X(renameat2) X(dup) X(dup2) X(dup3) X(fcntl) X(getdents64) X(ftruncate) X(truncate)
X(fsync) X(fdatasync) X(umask) X(pipe) X(pipe2)
/* kernel/sys_mm.c */
X(brk) X(mmap) X(munmap) X(mprotect) X(mremap) X(madvise)
/* kernel/sys_info.c */
X(uname) X(getrandom) X(clock_gettime) X(clock_getres) X(gettimeofday) X(time)
X(nanosleep) X(clock_nanosleep) X(getpid) X(gettid) X(getppid) X(getuid) X(geteuid)
X(getgid) X(getegid) X(prlimit64) X(getrlimit) X(setrlimit) X(sched_yield) X(arch_prctl)
X(set_tid_address) X(set_robust_list)
/* kernel/sys_exit.c, kernel/futex.c */
X(exit) X(exit_group) X(futex)
