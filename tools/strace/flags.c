/* Flag and constant tables, in the order strace prints them, and their printers. */
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/strace/strace.h"

#define X(v) {(uint64_t)(v), #v}
#define END {0, NULL}

bool st_xlat_find(const struct st_xlat *x, uint64_t v, const char **name)
{
	for (; x->name; x++) {
		if (x->val == v) {
			*name = x->name;
			return true;
		}
	}
	return false;
}

/* Names of the bits set, in table order; what no name covers follows in hex. */
void st_print_flags(struct sbuf *b, const struct st_xlat *x, uint64_t v, const char *dflt)
{
	if (!v) {
		sb_puts(b, dflt ? dflt : "0");
		return;
	}
	bool is_first = true;
	for (; x->name; x++) {
		if (x->val && (v & x->val) == x->val) {
			sb_printf(b, "%s%s", is_first ? "" : "|", x->name);
			v &= ~x->val;
			is_first = false;
		}
	}
	if (v)
		sb_printf(b, "%s%#llx", is_first ? "" : "|", (unsigned long long)v);
}

/* strace's printflags with a default: as st_print_flags, but a value no name covers
 * at all shows with the comment ("0x40 / * SOCK_??? * /"); 0 is "0". */
void st_print_flags_ex(struct sbuf *b, const struct st_xlat *x, uint64_t v, const char *unknown_comment)
{
	uint64_t known = 0;
	for (const struct st_xlat *e = x; e->name; e++)
		if (e->val && (v & e->val) == e->val)
			known |= e->val;
	if (v && !known)
		sb_printf(b, "%#llx /* %s */", (unsigned long long)v, unknown_comment);
	else
		st_print_flags(b, x, v, "0");
}

void st_print_xval(struct sbuf *b, const struct st_xlat *x, uint64_t v, const char *unknown_comment)
{
	const char *name;
	if (st_xlat_find(x, v, &name))
		sb_puts(b, name);
	else if (unknown_comment)
		sb_printf(b, "%#llx /* %s */", (unsigned long long)v, unknown_comment);
	else
		sb_printf(b, "%llu", (unsigned long long)v);
}

/* In the order strace prints them (checked against /usr/bin/strace: O_DIRECTORY and
 * FASYNC come last). O_SYNC and O_TMPFILE include other bits (O_DSYNC, O_DIRECTORY):
 * they come before their parts so that they win. */
const struct st_xlat st_open_flags[] = {
	X(O_CREAT), X(O_EXCL), X(O_NOCTTY), X(O_TRUNC), X(O_APPEND), X(O_NONBLOCK), X(O_SYNC),
	X(O_DSYNC), X(O_DIRECT), {0100000, "O_LARGEFILE"}, X(O_NOFOLLOW), X(O_NOATIME),
	X(O_CLOEXEC), X(O_PATH), {__O_TMPFILE | O_DIRECTORY, "O_TMPFILE"}, X(O_DIRECTORY),
	{O_ASYNC, "FASYNC"}, END,
};

void st_print_open_flags(struct sbuf *b, uint64_t flags)
{
	static const char *const modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	uint64_t rest = flags & ~(uint64_t)O_ACCMODE;
	sb_puts(b, modes[flags & O_ACCMODE]);
	if (rest) {
		sb_putc(b, '|');
		st_print_flags(b, st_open_flags, rest, NULL);
	}
}

void st_print_mode(struct sbuf *b, uint64_t mode)
{
	static const struct st_xlat types[] = {
		X(S_IFREG), X(S_IFDIR), X(S_IFCHR), X(S_IFBLK), X(S_IFIFO), X(S_IFLNK), X(S_IFSOCK), END,
	};
	const char *name;
	if ((mode & S_IFMT) && st_xlat_find(types, mode & S_IFMT, &name))
		sb_printf(b, "%s|", name);
	uint64_t perm = mode & ~(uint64_t)S_IFMT;
	sb_printf(b, "%#03llo", (unsigned long long)perm);
}

const struct st_xlat st_mfd_flags[] = {
	{1, "MFD_CLOEXEC"}, {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"}, END,
};
/* eventfd2's flags; epoll_create1, inotify_init1 and timerfd_create use the same two
 * bits, named after their own call by strace. */
const struct st_xlat st_efd_flags[] = {{1, "EFD_SEMAPHORE"}, {04000, "EFD_NONBLOCK"}, {02000000, "EFD_CLOEXEC"}, END};
static const struct st_xlat epoll_flags[] = {{02000000, "EPOLL_CLOEXEC"}, END};
static const struct st_xlat inotify_flags[] = {{04000, "IN_NONBLOCK"}, {02000000, "IN_CLOEXEC"}, END};
static const struct st_xlat tfd_flags[] = {{04000, "TFD_NONBLOCK"}, {02000000, "TFD_CLOEXEC"}, END};
const struct st_xlat *st_fd_create_flags(const char *call)
{
	if (!strcmp(call, "epoll_create1"))
		return epoll_flags;
	if (!strcmp(call, "inotify_init1"))
		return inotify_flags;
	if (!strcmp(call, "timerfd_create"))
		return tfd_flags;
	return st_efd_flags;
}
const struct st_xlat st_flock_ops[] = {{1, "LOCK_SH"}, {2, "LOCK_EX"}, {4, "LOCK_NB"}, {8, "LOCK_UN"}, END};

const struct st_xlat st_access_modes[] = {X(R_OK), X(W_OK), X(X_OK), END};
const struct st_xlat st_statx_attrs[] = {
	{0x4, "STATX_ATTR_COMPRESSED"}, {0x10, "STATX_ATTR_IMMUTABLE"}, {0x20, "STATX_ATTR_APPEND"},
	{0x40, "STATX_ATTR_NODUMP"}, {0x800, "STATX_ATTR_ENCRYPTED"}, {0x1000, "STATX_ATTR_AUTOMOUNT"},
	{0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"}, {0x200000, "STATX_ATTR_DAX"}, END,
};
/* statx's flags: the sync type is a 2-bit field whose 0 has a name. */
void st_print_statx_flags(struct sbuf *b, uint64_t flags)
{
	uint64_t sync = flags & AT_STATX_SYNC_TYPE;
	flags &= ~(uint64_t)AT_STATX_SYNC_TYPE;
	if (sync == AT_STATX_FORCE_SYNC)
		sb_puts(b, "AT_STATX_FORCE_SYNC");
	else if (sync == AT_STATX_DONT_SYNC)
		sb_puts(b, "AT_STATX_DONT_SYNC");
	else if (sync)
		sb_printf(b, "%#llx", (unsigned long long)sync);
	else
		sb_puts(b, "AT_STATX_SYNC_AS_STAT");
	if (flags) {
		sb_putc(b, '|');
		st_print_flags(b, st_at_flags, flags, NULL);
	}
}

const struct st_xlat st_at_flags[] = {
	X(AT_SYMLINK_NOFOLLOW), X(AT_REMOVEDIR), X(AT_SYMLINK_FOLLOW), X(AT_NO_AUTOMOUNT),
	X(AT_EMPTY_PATH), X(AT_STATX_FORCE_SYNC), X(AT_STATX_DONT_SYNC), X(AT_RECURSIVE), END,
};
const struct st_xlat st_access_flags[] = {
	X(AT_SYMLINK_NOFOLLOW), X(AT_EACCESS), X(AT_EMPTY_PATH), END,
};
const struct st_xlat st_prot_flags[] = {
	X(PROT_READ), X(PROT_WRITE), X(PROT_EXEC), X(PROT_GROWSDOWN), X(PROT_GROWSUP), END,
};
const struct st_xlat st_map_flags[] = {
	X(MAP_FIXED), X(MAP_ANONYMOUS), X(MAP_32BIT), X(MAP_GROWSDOWN), X(MAP_DENYWRITE),
	X(MAP_EXECUTABLE), X(MAP_LOCKED), X(MAP_NORESERVE), X(MAP_POPULATE), X(MAP_NONBLOCK),
	X(MAP_STACK), X(MAP_HUGETLB), X(MAP_SYNC), X(MAP_FIXED_NOREPLACE), END,
};
const struct st_xlat st_clone_flags[] = {
	X(CLONE_VM), X(CLONE_FS), X(CLONE_FILES), X(CLONE_SIGHAND), X(CLONE_PIDFD), X(CLONE_PTRACE),
	X(CLONE_VFORK), X(CLONE_PARENT), X(CLONE_THREAD), X(CLONE_NEWNS), X(CLONE_SYSVSEM),
	X(CLONE_SETTLS), X(CLONE_PARENT_SETTID), X(CLONE_CHILD_CLEARTID), X(CLONE_DETACHED),
	X(CLONE_UNTRACED), X(CLONE_CHILD_SETTID), X(CLONE_NEWCGROUP), X(CLONE_NEWUTS),
	X(CLONE_NEWIPC), X(CLONE_NEWUSER), X(CLONE_NEWPID), X(CLONE_NEWNET), X(CLONE_IO), END,
};
const struct st_xlat st_clone3_flags[] = {
	X(CLONE_VM), X(CLONE_FS), X(CLONE_FILES), X(CLONE_SIGHAND), X(CLONE_PIDFD), X(CLONE_PTRACE),
	X(CLONE_VFORK), X(CLONE_PARENT), X(CLONE_THREAD), X(CLONE_NEWNS), X(CLONE_SYSVSEM),
	X(CLONE_SETTLS), X(CLONE_PARENT_SETTID), X(CLONE_CHILD_CLEARTID), X(CLONE_DETACHED),
	X(CLONE_UNTRACED), X(CLONE_CHILD_SETTID), X(CLONE_NEWCGROUP), X(CLONE_NEWUTS),
	X(CLONE_NEWIPC), X(CLONE_NEWUSER), X(CLONE_NEWPID), X(CLONE_NEWNET), X(CLONE_IO),
	{0x100000000ull, "CLONE_CLEAR_SIGHAND"}, {0x200000000ull, "CLONE_INTO_CGROUP"}, END,
};
/* WSTOPPED, not its alias WUNTRACED: strace's name for 2. */
const struct st_xlat st_wait_options[] = {
	X(WNOHANG), X(WSTOPPED), X(WEXITED), X(WCONTINUED), X(WNOWAIT), X(__WNOTHREAD), X(__WALL),
	X(__WCLONE), END,
};
const struct st_xlat st_idtype[] = {X(P_ALL), X(P_PID), X(P_PGID), X(P_PIDFD), END};
const struct st_xlat st_fcntl_cmds[] = {
	X(F_DUPFD), X(F_GETFD), X(F_SETFD), X(F_GETFL), X(F_SETFL), X(F_GETLK), X(F_SETLK),
	X(F_SETLKW), X(F_SETOWN), X(F_GETOWN), X(F_SETSIG), X(F_GETSIG), X(F_SETOWN_EX),
	X(F_GETOWN_EX), X(F_OFD_GETLK), X(F_OFD_SETLK), X(F_OFD_SETLKW), X(F_SETLEASE),
	X(F_GETLEASE), X(F_NOTIFY), X(F_DUPFD_CLOEXEC), X(F_SETPIPE_SZ), X(F_GETPIPE_SZ),
	X(F_ADD_SEALS), X(F_GET_SEALS), END,
};
const struct st_xlat st_fd_flags[] = {X(FD_CLOEXEC), END};
const struct st_xlat st_seek_whence[] = {
	X(SEEK_SET), X(SEEK_CUR), X(SEEK_END), X(SEEK_DATA), X(SEEK_HOLE), END,
};
const struct st_xlat st_sigprocmask_how[] = {X(SIG_BLOCK), X(SIG_UNBLOCK), X(SIG_SETMASK), END};
const struct st_xlat st_sa_flags[] = {
	{0x04000000, "SA_RESTORER"}, X(SA_ONSTACK), X(SA_RESTART), X(SA_NODEFER), X(SA_RESETHAND),
	X(SA_SIGINFO), X(SA_NOCLDSTOP), X(SA_NOCLDWAIT), END,
};
const struct st_xlat st_ss_flags[] = {X(SS_ONSTACK), X(SS_DISABLE), {1u << 31, "SS_AUTODISARM"}, END};
const struct st_xlat st_poll_events[] = {
	X(POLLIN), X(POLLPRI), X(POLLOUT), X(POLLERR), X(POLLHUP), X(POLLNVAL), X(POLLRDNORM),
	X(POLLRDBAND), X(POLLWRNORM), X(POLLWRBAND), X(POLLMSG), X(POLLREMOVE), X(POLLRDHUP), END,
};
const struct st_xlat st_clock_ids[] = {
	X(CLOCK_REALTIME), X(CLOCK_MONOTONIC), X(CLOCK_PROCESS_CPUTIME_ID), X(CLOCK_THREAD_CPUTIME_ID),
	X(CLOCK_MONOTONIC_RAW), X(CLOCK_REALTIME_COARSE), X(CLOCK_MONOTONIC_COARSE), X(CLOCK_BOOTTIME),
	X(CLOCK_REALTIME_ALARM), X(CLOCK_BOOTTIME_ALARM), X(CLOCK_TAI), END,
};
const struct st_xlat st_timer_flags[] = {X(TIMER_ABSTIME), END};
const struct st_xlat st_rlimit_resources[] = {
	X(RLIMIT_CPU), X(RLIMIT_FSIZE), X(RLIMIT_DATA), X(RLIMIT_STACK), X(RLIMIT_CORE),
	X(RLIMIT_RSS), X(RLIMIT_NPROC), X(RLIMIT_NOFILE), X(RLIMIT_MEMLOCK), X(RLIMIT_AS),
	X(RLIMIT_LOCKS), X(RLIMIT_SIGPENDING), X(RLIMIT_MSGQUEUE), X(RLIMIT_NICE), X(RLIMIT_RTPRIO),
	X(RLIMIT_RTTIME), END,
};
const struct st_xlat st_madvise_advice[] = {
	X(MADV_NORMAL), X(MADV_RANDOM), X(MADV_SEQUENTIAL), X(MADV_WILLNEED), X(MADV_DONTNEED),
	X(MADV_FREE), X(MADV_REMOVE), X(MADV_DONTFORK), X(MADV_DOFORK), X(MADV_MERGEABLE),
	X(MADV_UNMERGEABLE), X(MADV_HUGEPAGE), X(MADV_NOHUGEPAGE), X(MADV_DONTDUMP), X(MADV_DODUMP),
	X(MADV_WIPEONFORK), X(MADV_KEEPONFORK), X(MADV_COLD), X(MADV_PAGEOUT), X(MADV_HWPOISON), END,
};
const struct st_xlat st_mremap_flags[] = {X(MREMAP_MAYMOVE), X(MREMAP_FIXED), {4, "MREMAP_DONTUNMAP"}, END};
const struct st_xlat st_msync_flags[] = {X(MS_ASYNC), X(MS_INVALIDATE), X(MS_SYNC), END};
const struct st_xlat st_futex_ops[] = {
	X(FUTEX_WAIT), X(FUTEX_WAKE), X(FUTEX_FD), X(FUTEX_REQUEUE), X(FUTEX_CMP_REQUEUE),
	X(FUTEX_WAKE_OP), X(FUTEX_LOCK_PI), X(FUTEX_UNLOCK_PI), X(FUTEX_TRYLOCK_PI),
	X(FUTEX_WAIT_BITSET), X(FUTEX_WAKE_BITSET), X(FUTEX_WAIT_REQUEUE_PI),
	X(FUTEX_CMP_REQUEUE_PI), X(FUTEX_LOCK_PI2), END,
};
const struct st_xlat st_arch_prctl_codes[] = {
	{0x1001, "ARCH_SET_GS"}, {0x1002, "ARCH_SET_FS"}, {0x1003, "ARCH_GET_FS"},
	{0x1004, "ARCH_GET_GS"}, {0x1011, "ARCH_GET_CPUID"}, {0x1012, "ARCH_SET_CPUID"},
	{0x3001, "ARCH_CET_STATUS"}, END,
};
const struct st_xlat st_prctl_options[] = {
	X(PR_SET_PDEATHSIG), X(PR_GET_PDEATHSIG), X(PR_GET_DUMPABLE), X(PR_SET_DUMPABLE),
	X(PR_GET_KEEPCAPS), X(PR_SET_KEEPCAPS), X(PR_SET_NAME), X(PR_GET_NAME), X(PR_GET_SECCOMP),
	X(PR_SET_SECCOMP), X(PR_CAPBSET_READ), X(PR_GET_TIMERSLACK), X(PR_SET_TIMERSLACK),
	X(PR_SET_PTRACER), X(PR_SET_CHILD_SUBREAPER), X(PR_GET_CHILD_SUBREAPER),
	X(PR_SET_NO_NEW_PRIVS), X(PR_GET_NO_NEW_PRIVS), X(PR_GET_TID_ADDRESS), X(PR_SET_MM),
	X(PR_SET_VMA), END,
};
const struct st_xlat st_ptrace_requests[] = {
	X(PTRACE_TRACEME), X(PTRACE_PEEKTEXT), X(PTRACE_PEEKDATA), X(PTRACE_PEEKUSER),
	X(PTRACE_POKETEXT), X(PTRACE_POKEDATA), X(PTRACE_POKEUSER), X(PTRACE_CONT), X(PTRACE_KILL),
	X(PTRACE_SINGLESTEP), X(PTRACE_GETREGS), X(PTRACE_SETREGS), X(PTRACE_GETFPREGS),
	X(PTRACE_SETFPREGS), X(PTRACE_ATTACH), X(PTRACE_DETACH), X(PTRACE_GETFPXREGS),
	X(PTRACE_SETFPXREGS), X(PTRACE_SYSCALL), X(PTRACE_GET_THREAD_AREA),
	X(PTRACE_SET_THREAD_AREA), X(PTRACE_ARCH_PRCTL), X(PTRACE_SYSEMU),
	X(PTRACE_SYSEMU_SINGLESTEP), X(PTRACE_SINGLEBLOCK), X(PTRACE_SETOPTIONS),
	X(PTRACE_GETEVENTMSG), X(PTRACE_GETSIGINFO), X(PTRACE_SETSIGINFO), X(PTRACE_GETREGSET),
	X(PTRACE_SETREGSET), X(PTRACE_SEIZE), X(PTRACE_INTERRUPT), X(PTRACE_LISTEN),
	X(PTRACE_PEEKSIGINFO), X(PTRACE_GETSIGMASK), X(PTRACE_SETSIGMASK),
	X(PTRACE_SECCOMP_GET_FILTER), X(PTRACE_SECCOMP_GET_METADATA), X(PTRACE_GET_SYSCALL_INFO), END,
};
const struct st_xlat st_grnd_flags[] = {X(GRND_NONBLOCK), X(GRND_RANDOM), X(GRND_INSECURE), END};
const struct st_xlat st_itimer_which[] = {X(ITIMER_REAL), X(ITIMER_VIRTUAL), X(ITIMER_PROF), END};
const struct st_xlat st_rusage_who[] = {X(RUSAGE_SELF), X(RUSAGE_CHILDREN), X(RUSAGE_THREAD), END};
const struct st_xlat st_rename_flags[] = {{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}, END};
const struct st_xlat st_seccomp_ops[] = {
	{0, "SECCOMP_SET_MODE_STRICT"}, {1, "SECCOMP_SET_MODE_FILTER"},
	{2, "SECCOMP_GET_ACTION_AVAIL"}, {3, "SECCOMP_GET_NOTIF_SIZES"}, END,
};
/* The composites first: strace prints STATX_BASIC_STATS|STATX_MNT_ID. */
const struct st_xlat st_statx_mask[] = {
	{0xfff, "STATX_ALL"}, X(STATX_BASIC_STATS), X(STATX_TYPE), X(STATX_MODE), X(STATX_NLINK), X(STATX_UID), X(STATX_GID), X(STATX_ATIME),
	X(STATX_MTIME), X(STATX_CTIME), X(STATX_INO), X(STATX_SIZE), X(STATX_BLOCKS),
	X(STATX_BTIME), X(STATX_MNT_ID), END,
};
