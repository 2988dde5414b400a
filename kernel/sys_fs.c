/* File syscalls: each guest fd is a host fd, each path goes through kernel/path.c, and
 * every buffer is guest memory reached through the task's page tables. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/page_cache.h"
#include "kernel/procfs.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"

#define MAX_RW_COUNT 0x7ffff000ull /* Linux caps one read/write at this */

/* fd arguments are `unsigned int` in Linux: only the low 32 bits count. */
static int host_fd(struct task *t, uint64_t fd)
{
	if ((uint32_t)fd > INT_MAX)
		return -EBADF;
	return fdt_host_fd(t->proc->files, (int)fd);
}

/* Can an operation on this host fd block (a pipe, a terminal, a socket without
 * O_NONBLOCK)? Those wait in task_wait_host_fd, where signals interrupt them. */
static bool may_block(int hfd)
{
	struct stat st;

	if (fstat(hfd, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))
		return false;
	int fl = fcntl(hfd, F_GETFL);
	return fl >= 0 && !(fl & O_NONBLOCK);
}

/* As Linux's pipe_write(): EPIPE comes with SIGPIPE for the writing thread. */
static void raise_sigpipe(struct task *t)
{
	siginfo_t info;

	memset(&info, 0, sizeof info);
	info.si_signo = SIGPIPE;
	info.si_code = SI_USER;
	info.si_pid = t->proc->pid;
	info.si_uid = t->proc->cred.uid;
	pthread_mutex_lock(&t->k->mu);
	sig_send(t->proc, t, SIGPIPE, &info);
	pthread_mutex_unlock(&t->k->mu);
}

/* Reads or writes user memory [buf, buf+len) against a host fd, at off (or the file
 * position when off < 0). */
static long do_rw(struct task *t, int hfd, uint64_t buf, uint64_t len, bool is_write, int64_t off)
{
	uint64_t done = 0;

	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (len == 0) {
		ssize_t n = is_write ? (off < 0 ? write(hfd, "", 0) : pwrite(hfd, "", 0, off))
				     : (off < 0 ? read(hfd, NULL, 0) : pread(hfd, NULL, 0, off));
		return n < 0 ? -errno : 0;
	}
	bool blocking = may_block(hfd);
	struct page_cache *pc = t->k->pcache;
	pcache_before_io(pc, hfd); /* the file holds what shared mappings wrote */
	while (done < len) {
		if (blocking) {
			/* Ready first, so that the transfer itself cannot sleep where a signal
			 * would not reach it; a write then takes at most what surely fits. */
			int w = task_wait_host_fd(t, hfd, is_write ? POLLOUT : POLLIN);
			if (w < 0)
				return done ? (long)done : (w == -EINTR ? -ERESTARTSYS : w);
		}
		uint64_t want = len - done;
		if (blocking && is_write && want > PIPE_BUF)
			want = PIPE_BUF;
		struct mm_iov io;
		int r = mm_user_iov(t->proc->mm, buf + done, want, !is_write, &io);
		if (r)
			return done ? (long)done : r;
		if (io.faulted && blocking && !is_write) {
			/* As Linux's pipe_read(): a buffer that cannot take the data is EFAULT,
			 * and the data stays in the pipe (a file read gives the part before). */
			mm_iov_release(t->proc->mm, &io);
			return done ? (long)done : -EFAULT;
		}
		ssize_t n;
		do {
			if (is_write)
				n = off < 0 ? writev(hfd, io.iov, io.niov)
					    : pwritev(hfd, io.iov, io.niov, off + (int64_t)done);
			else
				n = off < 0 ? readv(hfd, io.iov, io.niov)
					    : preadv(hfd, io.iov, io.niov, off + (int64_t)done);
		} while (n < 0 && errno == EINTR);
		int e = errno;
		mm_iov_release(t->proc->mm, &io);
		if (is_write && n > 0)
			pcache_after_write(pc, hfd, off < 0 ? -1 : off + (int64_t)done, (uint64_t)n);
		if (n < 0) {
			if (e == EPIPE && is_write)
				raise_sigpipe(t);
			return done ? (long)done : -e;
		}
		done += (uint64_t)n;
		if ((uint64_t)n < io.covered && !(blocking && is_write))
			break;
		if (!is_write && blocking)
			break; /* a read returns what was there */
		if (n == 0)
			break;
	}
	return (long)done;
}

SYSCALL(read)
{
	int h = host_fd(t, a[0]);
	return h < 0 ? h : do_rw(t, h, a[1], a[2], false, -1);
}

SYSCALL(write)
{
	int h = host_fd(t, a[0]);
	return h < 0 ? h : do_rw(t, h, a[1], a[2], true, -1);
}

SYSCALL(pread64)
{
	int h = host_fd(t, a[0]);
	if (h < 0)
		return h;
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rw(t, h, a[1], a[2], false, (int64_t)a[3]);
}

SYSCALL(pwrite64)
{
	int h = host_fd(t, a[0]);
	if (h < 0)
		return h;
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rw(t, h, a[1], a[2], true, (int64_t)a[3]);
}

static long do_rwv(struct task *t, uint64_t fd, uint64_t iov_va, uint64_t cnt, bool is_write, int64_t off)
{
	int h = host_fd(t, fd);
	if (h < 0)
		return h;
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (cnt == 0)
		return 0;
	struct iovec *v = malloc(cnt * sizeof *v);
	if (!v)
		return -ENOMEM;
	long r = get_user(t, v, iov_va, cnt * sizeof *v);
	uint64_t total = 0;
	for (uint64_t i = 0; !r && i < cnt; i++) {
		if ((int64_t)v[i].iov_len < 0 || total + v[i].iov_len > (uint64_t)SSIZE_MAX)
			r = -EINVAL;
		total += v[i].iov_len;
	}
	if (r) {
		free(v);
		return r;
	}
	uint64_t done = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		if (!v[i].iov_len)
			continue;
		long n = do_rw(t, h, (uint64_t)(uintptr_t)v[i].iov_base, v[i].iov_len, is_write,
			       off < 0 ? -1 : off + (int64_t)done);
		if (n < 0) {
			r = done ? (long)done : n;
			free(v);
			return r;
		}
		done += (uint64_t)n;
		if ((uint64_t)n < v[i].iov_len)
			break;
	}
	free(v);
	return (long)done;
}

SYSCALL(readv) { return do_rwv(t, a[0], a[1], a[2], false, -1); }
SYSCALL(writev) { return do_rwv(t, a[0], a[1], a[2], true, -1); }
SYSCALL(preadv) { return (int64_t)a[3] < 0 ? -EINVAL : do_rwv(t, a[0], a[1], a[2], false, (int64_t)a[3]); }
SYSCALL(pwritev) { return (int64_t)a[3] < 0 ? -EINVAL : do_rwv(t, a[0], a[1], a[2], true, (int64_t)a[3]); }

static long do_open(struct task *t, int dirfd, uint64_t path_va, int flags, unsigned mode)
{
	char path[GUEST_PATH_MAX];
	long r = get_user_path(t, path, path_va);

	if (r)
		return r;
	mode &= 07777;
	if (flags & (O_CREAT | __O_TMPFILE))
		mode &= ~t->proc->fs->umask;
	int h;
	if (!strncmp(path, "/proc/", 6) && !path_is_proc_self_exe(t->proc, path))
		h = procfs_open(t, path, flags & ~O_CLOEXEC); /* the guest's own /proc */
	else
		h = path_open(t->proc, dirfd, path, flags & ~O_CLOEXEC, mode);
	if (h < 0)
		return h;
	return fdt_install(t->proc->files, h, flags & O_CLOEXEC, 0);
}

SYSCALL(open) { return do_open(t, AT_FDCWD, a[0], (int)a[1], (unsigned)a[2]); }
SYSCALL(openat) { return do_open(t, (int)a[0], a[1], (int)a[2], (unsigned)a[3]); }
SYSCALL(creat) { return do_open(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (unsigned)a[1]); }

SYSCALL(close)
{
	if ((uint32_t)a[0] > INT_MAX)
		return -EBADF;
	return fdt_close(t->proc->files, (int)a[0]);
}

SYSCALL(lseek)
{
	int h = host_fd(t, a[0]);
	if (h < 0)
		return h;
	off_t r = lseek(h, (off_t)a[1], (int)a[2]);
	return r < 0 ? -errno : (long)r;
}

SYSCALL(fstat)
{
	int h = host_fd(t, a[0]);
	struct stat st;

	if (h < 0)
		return h;
	if (fstat(h, &st) < 0)
		return -errno;
	return put_user(t, a[1], &st, sizeof st);
}

/* stat-like lookup of (dirfd, path) with AT_* flags into a host fd to fstat/statx:
 * *fd and *name are what to pass to fstatat/statx on the host. */
struct stat_target {
	struct path_parent pp;
	int fd;
	const char *name;
	int flags;
	bool owns_fd;
	char stand_in[96]; /* a /proc link's host stand-in (procfs_link_stand_in), or "" */
	struct stat fix;   /* with a stand-in: the link's mode and size as Linux shows them */
};

static long stat_lookup(struct task *t, int dirfd, const char *path, int flags, struct stat_target *st)
{
	memset(st, 0, sizeof *st);
	st->fd = -1;
	st->pp.dir_fd = -1;
	if (!path[0]) {
		if (!(flags & AT_EMPTY_PATH))
			return -ENOENT;
		st->fd = dirfd == AT_FDCWD ? t->proc->fs->cwd_fd : fdt_host_fd(t->proc->files, dirfd);
		if (st->fd < 0)
			return st->fd;
		st->name = "";
		st->flags = AT_EMPTY_PATH;
		return 0;
	}
	if (!strncmp(path, "/proc/", 6) && !path_is_proc_self_exe(t->proc, path)) {
		/* The guest's own /proc: its links followed, its files and fd/ as opened. */
		char target[GUEST_PATH_MAX] = "";
		long n = -ENOENT;
		int h;
		if (procfs_readlink(t, path, target, sizeof target, &n) && n >= 0 &&
		    (flags & AT_SYMLINK_NOFOLLOW)) {
			long r = procfs_link_stand_in(t, path, target, st->stand_in, sizeof st->stand_in,
						      &st->fix);
			if (r)
				return r;
			st->fd = AT_FDCWD;
			st->name = st->stand_in;
			st->flags = AT_SYMLINK_NOFOLLOW;
			return 0;
		}
		if (n >= 0 && target[0])
			h = path_open(t->proc, AT_FDCWD, target, O_PATH, 0);
		else
			h = procfs_open(t, path, O_RDONLY);
		if (h < 0)
			return h;
		st->fd = h;
		st->owns_fd = true;
		st->name = "";
		st->flags = AT_EMPTY_PATH;
		return 0;
	}
	if (flags & AT_SYMLINK_NOFOLLOW) {
		long r = path_parent(t->proc, dirfd, path, &st->pp);
		if (r)
			return r;
		st->fd = st->pp.dir_fd;
		st->name = st->pp.last;
		st->flags = AT_SYMLINK_NOFOLLOW;
		return 0;
	}
	int h = path_open(t->proc, dirfd, path, O_PATH, 0);
	if (h < 0)
		return h;
	st->fd = h;
	st->owns_fd = true;
	st->name = "";
	st->flags = AT_EMPTY_PATH;
	return 0;
}

static void stat_done(struct stat_target *st)
{
	if (st->owns_fd)
		close(st->fd);
	if (st->stand_in[0])
		unlink(st->stand_in);
	path_put_parent(&st->pp);
}

static long do_stat(struct task *t, int dirfd, uint64_t path_va, uint64_t buf, int flags)
{
	char path[GUEST_PATH_MAX];
	struct stat_target tg;
	struct stat sb;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if ((r = get_user_path(t, path, path_va)))
		return r;
	if ((r = stat_lookup(t, dirfd, path, flags, &tg)))
		return r;
	r = fstatat(tg.fd, tg.name, &sb, tg.flags) < 0 ? -errno : 0;
	if (tg.stand_in[0]) {
		sb.st_mode = tg.fix.st_mode;
		sb.st_size = tg.fix.st_size;
	}
	stat_done(&tg);
	return r ? r : put_user(t, buf, &sb, sizeof sb);
}

SYSCALL(stat) { return do_stat(t, AT_FDCWD, a[0], a[1], 0); }
SYSCALL(lstat) { return do_stat(t, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW); }
SYSCALL(newfstatat) { return do_stat(t, (int)a[0], a[1], a[2], (int)a[3]); }

SYSCALL(statx)
{
	char path[GUEST_PATH_MAX];
	struct stat_target tg;
	struct statx sx;
	int flags = (int)a[2];
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((r = get_user_path(t, path, a[1])))
		return r;
	if ((r = stat_lookup(t, (int)a[0], path, flags, &tg)))
		return r;
	r = syscall(SYS_statx, tg.fd, tg.name, tg.flags | (flags & AT_STATX_SYNC_TYPE),
		    (unsigned)a[3], &sx) < 0 ? -errno : 0;
	if (tg.stand_in[0]) {
		sx.stx_mode = (uint16_t)tg.fix.st_mode;
		sx.stx_size = (uint64_t)tg.fix.st_size;
	}
	stat_done(&tg);
	return r ? r : put_user(t, a[4], &sx, sizeof sx);
}

SYSCALL(ioctl)
{
	int h = host_fd(t, a[0]);
	unsigned long req = (unsigned)a[1];

	if (h < 0)
		return h;
	switch (req) {
	case TCGETS: {
		struct termios tio; /* glibc's struct termios starts with the kernel's 36 bytes */
		if (ioctl(h, TCGETS, &tio) < 0)
			return -errno;
		return put_user(t, a[2], &tio, 36);
	}
	case TIOCGWINSZ: {
		struct winsize ws;
		if (ioctl(h, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return put_user(t, a[2], &ws, sizeof ws);
	}
	case FIONREAD: {
		int n;
		if (ioctl(h, FIONREAD, &n) < 0)
			return -errno;
		return put_user(t, a[2], &n, sizeof n);
	}
	case FIOCLEX:
	case FIONCLEX:
		return fdt_set_cloexec(t->proc->files, (int)a[0], req == FIOCLEX);
	default:
		hv_info("pid %d: ioctl %#lx on fd %d not implemented -> ENOTTY", t->proc->pid, req, (int)a[0]);
		return -ENOTTY;
	}
}

static long do_readlink(struct task *t, int dirfd, uint64_t path_va, uint64_t buf, uint64_t size)
{
	char path[GUEST_PATH_MAX], target[GUEST_PATH_MAX];
	struct path_parent pp;
	long r, n;

	if ((int64_t)size <= 0)
		return -EINVAL;
	if ((r = get_user_path(t, path, path_va)))
		return r;
	if (procfs_readlink(t, path, target, sizeof target, &n)) {
		if (n < 0)
			return n;
	} else {
		if ((r = path_parent(t->proc, dirfd, path, &pp)))
			return r;
		n = readlinkat(pp.dir_fd, pp.last, target, sizeof target);
		r = n < 0 ? -errno : 0;
		path_put_parent(&pp);
		if (r)
			return r;
	}
	if ((uint64_t)n > size)
		n = (long)size;
	r = put_user(t, buf, target, (uint64_t)n);
	return r ? r : n;
}

SYSCALL(readlink) { return do_readlink(t, AT_FDCWD, a[0], a[1], a[2]); }
SYSCALL(readlinkat) { return do_readlink(t, (int)a[0], a[1], a[2], a[3]); }

SYSCALL(getcwd)
{
	char cwd[GUEST_PATH_MAX];
	int r = path_of_host_fd(t->proc, t->proc->fs->cwd_fd, cwd, sizeof cwd);

	if (r)
		return r;
	uint64_t len = strlen(cwd) + 1;
	if (len > a[1])
		return -ERANGE;
	r = put_user(t, a[0], cwd, len);
	return r ? r : (long)len;
}

static long set_cwd(struct task *t, int h)
{
	struct stat st;

	if (fstat(h, &st) < 0) {
		int e = errno;
		close(h);
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(h);
		return -ENOTDIR;
	}
	/* dup3 onto the same number swaps the directory atomically: a thread or a CLONE_FS
	 * process resolving a path at this moment sees the old or the new one, never a
	 * closed (or reused) descriptor. */
	int r = dup3(h, t->proc->fs->cwd_fd, O_CLOEXEC) < 0 ? -errno : 0;
	close(h);
	return r;
}

SYSCALL(chdir)
{
	char path[GUEST_PATH_MAX];
	long r = get_user_path(t, path, a[0]);

	if (r)
		return r;
	int h = path_open(t->proc, AT_FDCWD, path, O_PATH | O_DIRECTORY, 0);
	if (h < 0)
		return h;
	if (faccessat(h, "", X_OK, AT_EMPTY_PATH) < 0 && errno == EACCES) {
		close(h);
		return -EACCES;
	}
	return set_cwd(t, h);
}

SYSCALL(fchdir)
{
	int h = host_fd(t, a[0]);

	if (h < 0)
		return h;
	int d = fcntl(h, F_DUPFD_CLOEXEC, 0);
	return d < 0 ? -errno : set_cwd(t, d);
}

static long do_access(struct task *t, int dirfd, uint64_t path_va, int mode, int flags)
{
	char path[GUEST_PATH_MAX];
	struct stat_target tg;
	long r;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((r = get_user_path(t, path, path_va)))
		return r;
	if ((r = stat_lookup(t, dirfd, path, flags, &tg)))
		return r;
	r = syscall(SYS_faccessat2, tg.fd, tg.name, mode, tg.flags | (flags & AT_EACCESS)) < 0 ? -errno : 0;
	stat_done(&tg);
	return r;
}

SYSCALL(access) { return do_access(t, AT_FDCWD, a[0], (int)a[1], 0); }
SYSCALL(faccessat) { return do_access(t, (int)a[0], a[1], (int)a[2], 0); }
SYSCALL(faccessat2) { return do_access(t, (int)a[0], a[1], (int)a[2], (int)a[3]); }

/* Runs op on the parent directory and last component of a guest path. */
static long with_parent(struct task *t, int dirfd, uint64_t path_va,
			long (*op)(struct task *, struct path_parent *, uint64_t), uint64_t arg)
{
	char path[GUEST_PATH_MAX];
	struct path_parent pp;
	long r;

	if ((r = get_user_path(t, path, path_va)))
		return r;
	if ((r = path_parent(t->proc, dirfd, path, &pp)))
		return r;
	r = op(t, &pp, arg);
	path_put_parent(&pp);
	return r;
}

static long op_unlink(struct task *t, struct path_parent *pp, uint64_t flags)
{
	(void)t;
	return unlinkat(pp->dir_fd, pp->last, (int)flags) < 0 ? -errno : 0;
}

static long op_mkdir(struct task *t, struct path_parent *pp, uint64_t mode)
{
	return mkdirat(pp->dir_fd, pp->last, (mode_t)(mode & 07777 & ~t->proc->fs->umask)) < 0 ? -errno : 0;
}

SYSCALL(unlink) { return with_parent(t, AT_FDCWD, a[0], op_unlink, 0); }
SYSCALL(rmdir) { return with_parent(t, AT_FDCWD, a[0], op_unlink, AT_REMOVEDIR); }
SYSCALL(unlinkat)
{
	if (a[2] & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return with_parent(t, (int)a[0], a[1], op_unlink, a[2]);
}
SYSCALL(mkdir) { return with_parent(t, AT_FDCWD, a[0], op_mkdir, a[1]); }
SYSCALL(mkdirat) { return with_parent(t, (int)a[0], a[1], op_mkdir, a[2]); }

static long do_rename(struct task *t, int olddir, uint64_t old_va, int newdir, uint64_t new_va, unsigned flags)
{
	char oldp[GUEST_PATH_MAX], newp[GUEST_PATH_MAX];
	struct path_parent po, pn;
	long r;

	if ((r = get_user_path(t, oldp, old_va)) || (r = get_user_path(t, newp, new_va)))
		return r;
	if ((r = path_parent(t->proc, olddir, oldp, &po)))
		return r;
	if ((r = path_parent(t->proc, newdir, newp, &pn))) {
		path_put_parent(&po);
		return r;
	}
	r = syscall(SYS_renameat2, po.dir_fd, po.last, pn.dir_fd, pn.last, flags) < 0 ? -errno : 0;
	path_put_parent(&pn);
	path_put_parent(&po);
	return r;
}

SYSCALL(rename) { return do_rename(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL(renameat) { return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], 0); }
SYSCALL(renameat2) { return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4]); }

static long dup_to(struct task *t, uint64_t oldfd, int newfd, bool cloexec)
{
	int h = host_fd(t, oldfd);

	if (h < 0)
		return h;
	int d = fcntl(h, F_DUPFD_CLOEXEC, 0);
	if (d < 0)
		return -errno;
	if (newfd < 0)
		return fdt_install(t->proc->files, d, cloexec, -newfd - 1);
	return fdt_install_at(t->proc->files, newfd, d, cloexec);
}

SYSCALL(dup) { return dup_to(t, a[0], -1, false); }

SYSCALL(dup2)
{
	uint32_t oldfd = (uint32_t)a[0], newfd = (uint32_t)a[1];

	if (newfd > INT_MAX || (int)newfd >= t->proc->files->limit)
		return -EBADF;
	if (oldfd == newfd) {
		int h = host_fd(t, oldfd);
		return h < 0 ? h : (long)newfd;
	}
	return dup_to(t, oldfd, (int)newfd, false);
}

SYSCALL(dup3)
{
	uint32_t oldfd = (uint32_t)a[0], newfd = (uint32_t)a[1];

	if ((uint32_t)a[2] & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd > INT_MAX || (int)newfd >= t->proc->files->limit)
		return -EBADF;
	return dup_to(t, oldfd, (int)newfd, a[2] & O_CLOEXEC);
}

SYSCALL(fcntl)
{
	int h = host_fd(t, a[0]);
	int fd = (int)a[0];
	long r;

	if (h < 0)
		return h;
	switch ((int)a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a[2] > INT_MAX || (int)a[2] >= t->proc->files->limit)
			return -EINVAL;
		return dup_to(t, a[0], -(int)a[2] - 1, (int)a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD: {
		bool c;
		r = fdt_get_cloexec(t->proc->files, fd, &c);
		return r ? r : (c ? FD_CLOEXEC : 0);
	}
	case F_SETFD:
		return fdt_set_cloexec(t->proc->files, fd, a[2] & FD_CLOEXEC);
	case F_GETFL:
		r = fcntl(h, F_GETFL);
		return r < 0 ? -errno : r;
	case F_SETFL:
		r = fcntl(h, F_SETFL, (int)a[2]);
		return r < 0 ? -errno : r;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW: {
		struct flock fl;
		if ((r = get_user(t, &fl, a[2], sizeof fl)))
			return r;
		if (fcntl(h, (int)a[1], &fl) < 0)
			return -errno;
		if ((int)a[1] == F_GETLK || (int)a[1] == F_OFD_GETLK)
			return put_user(t, a[2], &fl, sizeof fl);
		return 0;
	}
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		r = fcntl(h, (int)a[1], (int)a[2]);
		return r < 0 ? -errno : r;
	default:
		hv_info("pid %d: fcntl cmd %d not implemented -> EINVAL", t->proc->pid, (int)a[1]);
		return -EINVAL;
	}
}

SYSCALL(getdents64)
{
	int h = host_fd(t, a[0]);
	uint64_t count = a[2] > 65536 ? 65536 : a[2];

	if (h < 0)
		return h;
	char *buf = malloc(count ? count : 1);
	if (!buf)
		return -ENOMEM;
	long n = syscall(SYS_getdents64, h, buf, count);
	long r = n < 0 ? -errno : 0;
	if (!r && n > 0)
		r = put_user(t, a[1], buf, (uint64_t)n);
	free(buf);
	return r ? r : n;
}

/* Shared mappings of the file see the new size: pages past it read as zero. */
static long truncate_host(struct task *t, int h, off_t len)
{
	pcache_before_io(t->k->pcache, h);
	if (ftruncate(h, len) < 0)
		return -errno;
	pcache_after_write(t->k->pcache, h, -1, 0);
	return 0;
}

SYSCALL(ftruncate)
{
	int h = host_fd(t, a[0]);

	if (h < 0)
		return h;
	return truncate_host(t, h, (off_t)a[1]);
}

SYSCALL(truncate)
{
	char path[GUEST_PATH_MAX];
	long r = get_user_path(t, path, a[0]);

	if (r)
		return r;
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	int h = path_open(t->proc, AT_FDCWD, path, O_WRONLY, 0);
	if (h < 0)
		return h == -ENXIO ? -EINVAL : h;
	r = truncate_host(t, h, (off_t)a[1]);
	close(h);
	return r;
}

SYSCALL(fsync)
{
	int h = host_fd(t, a[0]);
	if (h < 0)
		return h;
	pcache_before_io(t->k->pcache, h);
	return fsync(h) < 0 ? -errno : 0;
}

SYSCALL(fdatasync)
{
	int h = host_fd(t, a[0]);
	if (h < 0)
		return h;
	pcache_before_io(t->k->pcache, h);
	return fdatasync(h) < 0 ? -errno : 0;
}

SYSCALL(umask)
{
	unsigned old = t->proc->fs->umask;

	t->proc->fs->umask = (unsigned)a[0] & 0777;
	return old;
}

static long do_pipe(struct task *t, uint64_t fds_va, int flags)
{
	int hp[2], gp[2];

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (pipe2(hp, O_CLOEXEC | (flags & (O_NONBLOCK | O_DIRECT))) < 0)
		return -errno;
	gp[0] = fdt_install(t->proc->files, hp[0], flags & O_CLOEXEC, 0);
	if (gp[0] < 0) {
		close(hp[1]);
		return gp[0];
	}
	gp[1] = fdt_install(t->proc->files, hp[1], flags & O_CLOEXEC, 0);
	if (gp[1] < 0) {
		fdt_close(t->proc->files, gp[0]);
		return gp[1];
	}
	long r = put_user(t, fds_va, gp, sizeof gp);
	if (r) {
		fdt_close(t->proc->files, gp[0]);
		fdt_close(t->proc->files, gp[1]);
	}
	return r;
}

SYSCALL(pipe) { return do_pipe(t, a[0], 0); }
SYSCALL(pipe2) { return do_pipe(t, a[0], (int)a[1]); }

SYSCALL(utimensat)
{
	int dirfd = (int)a[0], flags = (int)a[3];
	struct timespec ts[2], *tp = NULL;
	char path[GUEST_PATH_MAX];
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a[2]) {
		if (get_user(t, ts, a[2], sizeof ts))
			return -EFAULT;
		tp = ts;
	}
	if (!a[1]) {
		/* futimens(): the fd itself. */
		int h = host_fd(t, (uint64_t)(unsigned)dirfd);
		if (h < 0)
			return h;
		return futimens(h, tp) < 0 ? -errno : 0;
	}
	if ((r = get_user_path(t, path, a[1])))
		return r;
	struct path_parent pp;
	if ((r = path_parent(t->proc, dirfd, path, &pp)))
		return r;
	r = utimensat(pp.dir_fd, pp.last, tp, flags & AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	path_put_parent(&pp);
	return r;
}

/* A host path name for (dirfd, path) for the few calls that have no *at() form
 * (xattrs, statfs). Under --root there is none that stays inside the root: -ENOTSUP. */
static long host_path_name(struct task *t, int dirfd, const char *path, char *out, size_t len)
{
	struct fs_context *fs = t->proc->fs;

	if (fs->root_path[0])
		return -ENOTSUP;
	int base = path[0] == '/' ? -1 : (dirfd == AT_FDCWD ? fs->cwd_fd : fdt_host_fd(t->proc->files, dirfd));
	if (path[0] != '/' && base < 0)
		return base;
	int n = path[0] == '/' ? snprintf(out, len, "%s", path)
			       : snprintf(out, len, "/proc/self/fd/%d/%s", base, path);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* getxattr (with uname) or listxattr (uname 0) on guest fd fd, or on upath when fd < 0
 * (follow: not the l* variant). */
static long xattr_read(struct task *t, uint64_t upath, int fd, uint64_t uname, uint64_t ubuf, uint64_t size,
		       bool follow)
{
	char path[GUEST_PATH_MAX], host[GUEST_PATH_MAX + 32], name[256];
	long r;

	if (uname && mm_strncpy_from_user(t->proc->mm, name, uname, sizeof name) < 0)
		return -ERANGE;
	if (size > 65536)
		size = 65536; /* XATTR_SIZE_MAX and XATTR_LIST_MAX */
	char *buf = size ? malloc(size) : NULL;
	if (size && !buf)
		return -ENOMEM;
	if (fd >= 0) {
		int h = host_fd(t, (uint64_t)fd);
		r = h < 0 ? h : uname ? fgetxattr(h, name, buf, size) : flistxattr(h, buf, size);
	} else if (!(r = get_user_path(t, path, upath)) &&
		   !(r = host_path_name(t, AT_FDCWD, path, host, sizeof host))) {
		if (uname)
			r = follow ? getxattr(host, name, buf, size) : lgetxattr(host, name, buf, size);
		else
			r = follow ? listxattr(host, buf, size) : llistxattr(host, buf, size);
	}
	if (r == -1)
		r = -errno;
	if (r > 0 && size && put_user(t, ubuf, buf, (uint64_t)r))
		r = -EFAULT;
	free(buf);
	return r;
}

SYSCALL(getxattr) { return xattr_read(t, a[0], -1, a[1], a[2], a[3], true); }
SYSCALL(lgetxattr) { return xattr_read(t, a[0], -1, a[1], a[2], a[3], false); }
SYSCALL(fgetxattr) { return xattr_read(t, 0, (int)a[0], a[1], a[2], a[3], true); }
SYSCALL(listxattr) { return xattr_read(t, a[0], -1, 0, a[1], a[2], true); }
SYSCALL(llistxattr) { return xattr_read(t, a[0], -1, 0, a[1], a[2], false); }
SYSCALL(flistxattr) { return xattr_read(t, 0, (int)a[0], 0, a[1], a[2], true); }

SYSCALL(statfs)
{
	char path[GUEST_PATH_MAX], host[GUEST_PATH_MAX + 32];
	struct statfs st;
	long r;

	if ((r = get_user_path(t, path, a[0])))
		return r;
	if (t->proc->fs->root_path[0]) {
		/* Under --root: through an O_PATH fd opened inside the root. */
		int h = path_open(t->proc, AT_FDCWD, path, O_PATH, 0);
		if (h < 0)
			return h;
		r = fstatfs(h, &st) < 0 ? -errno : 0;
		close(h);
	} else {
		if ((r = host_path_name(t, AT_FDCWD, path, host, sizeof host)))
			return r;
		r = statfs(host, &st) < 0 ? -errno : 0;
	}
	return r ? r : put_user(t, a[1], &st, sizeof st);
}

SYSCALL(fstatfs)
{
	struct statfs st;
	int h = host_fd(t, a[0]);

	if (h < 0)
		return h;
	if (fstatfs(h, &st) < 0)
		return -errno;
	return put_user(t, a[1], &st, sizeof st);
}

static long do_fchmodat(struct task *t, int dirfd, uint64_t upath, unsigned mode, int flags)
{
	char path[GUEST_PATH_MAX];
	struct path_parent pp;
	long r;

	if (flags & ~AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	if ((r = get_user_path(t, path, upath)) || (r = path_parent(t->proc, dirfd, path, &pp)))
		return r;
	/* Linux's fchmodat follows the link; AT_SYMLINK_NOFOLLOW on a link is EOPNOTSUPP. */
	r = fchmodat(pp.dir_fd, pp.last, mode & 07777, flags) < 0 ? -errno : 0;
	path_put_parent(&pp);
	return r;
}

SYSCALL(chmod) { return do_fchmodat(t, AT_FDCWD, a[0], (unsigned)a[1], 0); }
SYSCALL(fchmodat) { return do_fchmodat(t, (int)a[0], a[1], (unsigned)a[2], 0); }

SYSCALL(fchmod)
{
	int h = host_fd(t, a[0]);

	if (h < 0)
		return h;
	return fchmod(h, (mode_t)(a[1] & 07777)) < 0 ? -errno : 0;
}

static long do_fchownat(struct task *t, int dirfd, uint64_t upath, uint64_t uid, uint64_t gid, int flags)
{
	char path[GUEST_PATH_MAX];
	struct path_parent pp;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((r = get_user_path(t, path, upath)) || (r = path_parent(t->proc, dirfd, path, &pp)))
		return r;
	r = fchownat(pp.dir_fd, pp.last, (uid_t)uid, (gid_t)gid, flags & AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	path_put_parent(&pp);
	return r;
}

SYSCALL(chown) { return do_fchownat(t, AT_FDCWD, a[0], a[1], a[2], 0); }
SYSCALL(lchown) { return do_fchownat(t, AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW); }
SYSCALL(fchownat) { return do_fchownat(t, (int)a[0], a[1], a[2], a[3], (int)a[4]); }

SYSCALL(fchown)
{
	int h = host_fd(t, a[0]);

	if (h < 0)
		return h;
	return fchown(h, (uid_t)a[1], (gid_t)a[2]) < 0 ? -errno : 0;
}
