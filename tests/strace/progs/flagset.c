/* Calls made for their arguments' decoding: every open flag, socket domains and
 * types, statx flags and masks, mmap flags. Their results differ under hvtrace (no
 * sockets, no MAP_FIXED_NOREPLACE at page 0): run_strace_diff.sh compares arguments. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	syscall(SYS_openat, AT_FDCWD, "/nonexistent",
		O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |
			O_ASYNC | O_DIRECT | 0100000 | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC,
		0600);
	syscall(SYS_openat, AT_FDCWD, "/nonexistent", O_RDWR | O_SYNC | O_PATH);
	syscall(SYS_openat, AT_FDCWD, "/nonexistent", O_RDWR | O_TMPFILE, 0600);
	syscall(SYS_openat, AT_FDCWD, "/nonexistent", 3 | 0x40000000);
	syscall(SYS_fcntl, 1, F_SETFL, O_NONBLOCK | O_APPEND);
	socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
	socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	struct statx sx;
	statx(AT_FDCWD, "/nonexistent", AT_STATX_DONT_SYNC, STATX_ALL, &sx);
	statx(AT_FDCWD, "/nonexistent", AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_BTIME, &sx);
	syscall(SYS_mmap, 0, 4096, 7, 0x22 | 0x100000, -1, 0);
	syscall(SYS_madvise, 0, 4096, 4);
	syscall(SYS_clock_nanosleep, 1, 1, 0, 0);
	syscall(SYS_access, "/nonexistent", F_OK);
	syscall(SYS_faccessat2, AT_FDCWD, "/nonexistent", X_OK, AT_EACCESS);
	syscall(SYS_unlinkat, AT_FDCWD, "/nonexistent", AT_REMOVEDIR);
	syscall(SYS_prlimit64, 0, 7, 0, 0);
	syscall(SYS_setitimer, 0, 0, 0);
	syscall(SYS_wait4, -1, 0, 1 | 0x40000000, 0);
	/* Calls hvtrace does not serve (ENOSYS there), decoded all the same. */
	symlink("/etc/passwd", "/tmp/hvt_strace_flagset.lnk");
	unlink("/tmp/hvt_strace_flagset.lnk");
	link("/nonexistent", "/tmp/hvt_strace_flagset.x");
	syscall(SYS_mknodat, AT_FDCWD, "/nonexistent/n", 0644, 0);
	syscall(SYS_mknodat, AT_FDCWD, "/nonexistent/c", S_IFCHR | 0600, 0x0103);
	syscall(SYS_memfd_create, "mem", 1);
	syscall(SYS_eventfd2, 0, 0x80000);
	syscall(SYS_epoll_create1, 0x80000);
	flock(0, LOCK_SH | LOCK_NB);
	syscall(SYS_mlock, 0, 0);
	syscall(SYS_close_range, 100, ~0u, 0);
	return 0;
}
