/* How each syscall's arguments are shown: one kind per argument (decode.c prints a
 * kind), and a few syscalls whose arguments depend on each other, decoded by hand
 * (decode_sys.c). */
#ifndef TOOLS_STRACE_SYSENT_H
#define TOOLS_STRACE_SYSENT_H

#include "tools/strace/strace.h"

enum st_arg {
	A_INT = 1,   /* signed int */
	A_LONG,      /* signed long */
	A_ULONG,     /* unsigned decimal */
	A_HEX,       /* a number strace shows in hex */
	A_OCT,       /* octal, 022 */
	A_PTR,       /* an address: NULL or 0x... */
	A_FD,        /* a file descriptor (its path with -y) */
	A_DIRFD,     /* AT_FDCWD or an fd */
	A_PATH,      /* a file name: not cut by -s */
	A_STR,       /* a C string, cut by -s */
	A_BUF_IN,    /* bytes written: the length is the next argument */
	A_BUF_OUT,   /* bytes read: as many as the call returned (output) */
	A_STR_OUT,   /* a string the call wrote (readlink), ret bytes, cut by -s (output) */
	A_PATH_OUT,  /* a path the call wrote (getcwd): not cut (output) */
	A_OPEN_FLAGS,
	A_OPEN_BITS, /* O_* flags without an access mode: pipe2, dup3 */
	A_OPEN_MODE, /* the mode, shown only when the flags create a file */
	A_MODE,      /* permission bits: 0644 */
	A_ACCESS_MODE,
	A_AT_FLAGS,
	A_ACCESS_AT_FLAGS,
	A_PROT,
	A_MMAP_FLAGS,
	A_WHENCE,
	A_SIGNAL,
	A_SIGSET,      /* a sigset_t the call reads; the size is the last argument */
	A_SIGSET_OUT,  /* a sigset_t the call writes (output) */
	A_SIGACTION,
	A_SIGACTION_OUT,
	A_STAT_OUT,
	A_STATFS_OUT,
	A_STATX_OUT,
	A_STATX_MASK,
	A_STATX_FLAGS,
	A_UINT,         /* an unsigned int */
	A_MKNOD_DEV,    /* mknod's device: shown only for device files */
	A_MFD_FLAGS,
	A_EFD_FLAGS,    /* eventfd2, epoll_create1, inotify_init1, timerfd_create: the same bits */
	A_FLOCK_OP,
	A_SOCK_DOMAIN,
	A_SOCK_TYPE,
	A_SOCK_PROTO,   /* the protocol, named by the domain (the first argument) */
	A_SOCKADDR,     /* a socket address the call reads; its length is the next argument */
	A_MSG_FLAGS,    /* MSG_* */
	A_SHUT_HOW,     /* shutdown's SHUT_* */
	A_TIMESPEC,
	A_TIMESPEC_OUT,
	A_TIMESPEC_PAIR, /* utimensat's times[2] */
	A_TIMEVAL_OUT,
	A_ITIMERVAL,
	A_ITIMERVAL_OUT,
	A_TIME_OUT,    /* time(2)'s time_t * */
	A_RLIMIT,
	A_RLIMIT_OUT,
	A_RLIMIT_RES,
	A_UTSNAME_OUT,
	A_IOVEC,       /* iovec array the call reads; the count is the next argument */
	A_IOVEC_OUT,   /* iovec array the call fills, ret bytes (output) */
	A_FDPAIR_OUT,  /* pipe's int[2] (output) */
	A_CLOCKID,
	A_TIMER_FLAGS,
	A_WSTATUS_OUT, /* wait4's int * (output) */
	A_WAIT_OPTIONS,
	A_RUSAGE_OUT,
	A_ARCH_PRCTL_CODE,
	A_MADVISE,
	A_MREMAP_FLAGS,
	A_MSYNC_FLAGS,
	A_GRND_FLAGS,
	A_GRND_BUF_OUT, /* getrandom's bytes, always in hex (output) */
	A_DIRENTS_OUT,  /* getdents64's buffer (output) */
	A_ITIMER_WHICH,
	A_RUSAGE_WHO,
	A_RENAME_FLAGS,
	A_STACK,        /* sigaltstack's stack_t */
	A_STACK_OUT,
	A_SIGINFO,
	A_SECCOMP_OP,
	A_SIGSETSIZE,   /* an unsigned size */
	A_ID,           /* a uid/gid/pid: -1 shows as -1 */
	A_INT_ARRAY_OUT, /* getgroups/getresuid style int arrays (output) */
	A_SYSINFO_OUT,
	A_TMS_OUT,
	A_CPUSET,       /* sched_*affinity mask: the length is the previous argument */
	A_CPUSET_OUT,
	A_UINT_OUT,     /* an unsigned int the call writes: [N] */
	A_SIGPROCMASK_HOW,
	A_SIGRETURN,    /* rt_sigreturn's frame: the mask it restores (c->sp) */
	A_RESTART,      /* restart_syscall: the call it resumes (c->prev_nr) */
};

/* A syscall decoded by hand: called for the entry part and again for the exit part. */
typedef void (*st_custom_fn)(struct st_dec *d, struct st_call *c);

struct st_sysent {
	const char *name;
	enum st_ret ret;
	unsigned classes;
	int nargs;
	unsigned char args[6];
	st_custom_fn custom;
};

/* The description of syscall nr, NULL when the hand table does not know it. */
const struct st_sysent *st_sysent(long nr);
/* Whether the kind is filled in by the call (printed at exit). */
bool st_arg_is_output(unsigned char kind);
/* Prints one argument of a kind. */
void st_print_arg(struct st_dec *d, struct st_call *c, int i, unsigned char kind);

/* The hand-decoded syscalls (decode_sys.c). */
void st_dec_execve(struct st_dec *d, struct st_call *c);
void st_dec_clone(struct st_dec *d, struct st_call *c);
void st_dec_clone3(struct st_dec *d, struct st_call *c);
void st_dec_fcntl(struct st_dec *d, struct st_call *c);
void st_dec_ioctl(struct st_dec *d, struct st_call *c);
void st_dec_futex(struct st_dec *d, struct st_call *c);
void st_dec_prctl(struct st_dec *d, struct st_call *c);
void st_dec_ptrace(struct st_dec *d, struct st_call *c);
void st_dec_poll(struct st_dec *d, struct st_call *c);
void st_dec_select(struct st_dec *d, struct st_call *c);
void st_dec_waitid(struct st_dec *d, struct st_call *c);
void st_dec_mmap(struct st_dec *d, struct st_call *c);
/* Sockets (decode_net.c): accept, accept4, getsockname and getpeername share one. */
void st_dec_sockname(struct st_dec *d, struct st_call *c);
void st_dec_recvfrom(struct st_dec *d, struct st_call *c);
void st_dec_sendmsg(struct st_dec *d, struct st_call *c);
void st_dec_recvmsg(struct st_dec *d, struct st_call *c);
/* struct msghdr at addr (msghdr.c), or the address when it cannot be read.
 * user_namelen: the msg_namelen the program offered (recvmsg), NULL for sendmsg;
 * data_size: the bytes the call moved (the iovecs' data stops there), -1: all. */
void st_print_msghdr_at(struct st_dec *d, int tid, uint64_t addr, const int *user_namelen, long data_size);
/* The msg_namelen of the msghdr at addr: false when it cannot be read. */
bool st_msghdr_namelen(struct st_dec *d, int tid, uint64_t addr, int *namelen);
/* execve's argv and envp: ["a", "b"], 0x7ff... / * 2 vars * / (the whole envp with -v). */
void st_print_exec_vectors(struct st_dec *d, int tid, uint64_t argv, uint64_t envp);

#endif
