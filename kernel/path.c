#include "kernel/path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernel/fdtable.h"
#include "vmm/log.h"

static int has_root(const struct fs_context *fs)
{
	return fs->root_path[0] != 0;
}

static void fs_free(struct fs_context *fs)
{
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	if (fs->cwd_fd >= 0)
		close(fs->cwd_fd);
	free(fs->root_path);
	free(fs);
}

static struct fs_context *fs_alloc(unsigned umask)
{
	struct fs_context *fs = calloc(1, sizeof *fs);

	if (!fs)
		return NULL;
	atomic_store(&fs->refs, 1);
	fs->root_fd = fs->cwd_fd = -1;
	fs->umask = umask;
	return fs;
}

int fs_init(struct fs_context **out, const char *root_dir, unsigned umask)
{
	char *real = NULL;
	struct fs_context *fs = fs_alloc(umask);

	if (!fs)
		return -ENOMEM;
	if (root_dir) {
		real = realpath(root_dir, NULL);
		if (!real) {
			int e = errno;
			fs_free(fs);
			return -e;
		}
		if (!strcmp(real, "/"))
			real[0] = 0;
	} else {
		real = strdup("");
		if (!real) {
			fs_free(fs);
			return -ENOMEM;
		}
	}
	fs->root_path = real;
	fs->root_fd = open(root_dir ? root_dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->root_fd < 0)
		goto fail;
	fs->cwd_fd = root_dir && real[0] ? dup(fs->root_fd) : open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->cwd_fd < 0)
		goto fail;
	if (root_dir && real[0])
		fcntl(fs->cwd_fd, F_SETFD, FD_CLOEXEC);
	*out = fs;
	return 0;
fail: {
	int e = errno;
	fs_free(fs);
	return -e;
}
}

int fs_clone(const struct fs_context *src, struct fs_context **out)
{
	struct fs_context *fs = fs_alloc(src->umask);

	if (!fs)
		return -ENOMEM;
	fs->root_path = strdup(src->root_path);
	fs->root_fd = fcntl(src->root_fd, F_DUPFD_CLOEXEC, 3);
	fs->cwd_fd = fcntl(src->cwd_fd, F_DUPFD_CLOEXEC, 3);
	if (!fs->root_path || fs->root_fd < 0 || fs->cwd_fd < 0) {
		fs_free(fs);
		return -ENOMEM;
	}
	*out = fs;
	return 0;
}

void fs_get(struct fs_context *fs)
{
	atomic_fetch_add(&fs->refs, 1);
}

void fs_put(struct fs_context *fs)
{
	if (fs && atomic_fetch_sub(&fs->refs, 1) == 1)
		fs_free(fs);
}

int path_check_allowed(int host_fd)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(host_fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
		return -EACCES;
	/* /dev/mem, /dev/kmem and /dev/port: memory of the host itself. */
	if (fstat(host_fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
	    (minor(st.st_rdev) == 1 || minor(st.st_rdev) == 2 || minor(st.st_rdev) == 4))
		return -EACCES;
	return 0;
}

/* The host fd a guest dirfd stands for. */
static int base_fd(struct process *p, int dirfd)
{
	if (dirfd == AT_FDCWD)
		return p->fs->cwd_fd;
	return fdt_host_fd(p->files, dirfd);
}

/* path_of_host_fd in the file-system context fs. */
static int fs_path_of_host_fd(const struct fs_context *fs, int host_fd, char *buf, size_t len)
{
	char link[64], host[GUEST_PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", host_fd);
	n = readlink(link, host, sizeof host - 1);
	if (n < 0)
		return -errno;
	host[n] = 0;
	const char *g = host;
	size_t rl = strlen(fs->root_path);
	if (rl) {
		if (strncmp(host, fs->root_path, rl) || (host[rl] && host[rl] != '/'))
			return -ENOENT; /* outside the root: unreachable */
		g = host[rl] ? host + rl : "/";
	}
	if (strlen(g) + 1 > len)
		return -ERANGE;
	strcpy(buf, g);
	return 0;
}

int path_of_host_fd(struct process *p, int host_fd, char *buf, size_t len)
{
	return fs_path_of_host_fd(p->fs, host_fd, buf, len);
}

/* Under --root: the absolute guest path of (dirfd, path). */
static int absolute(struct process *p, int dirfd, const char *path, char *out)
{
	if (path[0] == '/') {
		if (strlen(path) >= GUEST_PATH_MAX)
			return -ENAMETOOLONG;
		strcpy(out, path);
		return 0;
	}
	int b = base_fd(p, dirfd);
	if (b < 0)
		return b;
	char dir[GUEST_PATH_MAX];
	int r = path_of_host_fd(p, b, dir, sizeof dir);
	if (r)
		return r;
	if (snprintf(out, GUEST_PATH_MAX, "%s/%s", dir, path) >= GUEST_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int fs_openat2_in_root(const struct fs_context *fs, const char *abs, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned)flags,
		.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, fs->root_fd, abs, &how, sizeof how);
	return fd < 0 ? -errno : (int)fd;
}

static int openat2_in_root(struct process *p, const char *abs, int flags, mode_t mode)
{
	return fs_openat2_in_root(p->fs, abs, flags, mode);
}

int path_dup_guest_fd(struct process *p, int fd)
{
	int h = fdt_host_fd(p->files, fd);

	if (h < 0)
		return h;
	int d = fcntl(h, F_DUPFD_CLOEXEC, 3);
	return d < 0 ? -errno : d;
}

bool path_is_proc_self_exe(struct process *p, const char *path)
{
	char own[32];

	if (!strcmp(path, "/proc/self/exe") || !strcmp(path, "/proc/thread-self/exe"))
		return true;
	snprintf(own, sizeof own, "/proc/%d/exe", p->pid);
	return !strcmp(path, own);
}

/* fd itself (or its error) when the guest may have it; else it is closed: the host's
 * procfs and memory devices would expose the VMM (path_check_allowed). */
static int allowed_or_closed(int fd, const char *path)
{
	if (fd < 0)
		return fd;
	int r = path_check_allowed(fd);
	if (r) {
		hv_info("guest open of %s refused: host procfs or memory device", path);
		close(fd);
		return r;
	}
	return fd;
}

int path_open(struct process *p, int dirfd, const char *path, int flags, mode_t mode)
{
	int fd;

	if (!path[0])
		return -ENOENT;
	/* The guest's own /proc/self/exe is its image (the host's would be hvtrace). */
	if (path_is_proc_self_exe(p, path) && p->exe_path && strcmp(p->exe_path, path))
		return path_open(p, AT_FDCWD, p->exe_path, flags, mode);
	flags |= O_CLOEXEC;
	if (has_root(p->fs)) {
		char abs[GUEST_PATH_MAX];
		int r = absolute(p, dirfd, path, abs);
		if (r)
			return r;
		fd = openat2_in_root(p, abs, flags, mode);
	} else {
		int b = path[0] == '/' ? AT_FDCWD : base_fd(p, dirfd);
		if (b < 0 && b != AT_FDCWD)
			return b;
		fd = openat(b, path, flags, mode);
		if (fd < 0)
			fd = -errno;
	}
	return allowed_or_closed(fd, path);
}

int path_parent(struct process *p, int dirfd, const char *path, struct path_parent *out)
{
	size_t len = strlen(path);

	out->dir_fd = -1;
	out->needs_close = 0;
	if (!len)
		return -ENOENT;
	if (len >= GUEST_PATH_MAX)
		return -ENAMETOOLONG;
	/* Split off the last component (trailing slashes stay with it, as Linux sees them). */
	char dir[GUEST_PATH_MAX];
	strcpy(dir, path);
	size_t end = len;
	while (end > 1 && dir[end - 1] == '/')
		end--;
	char *slash = NULL;
	for (size_t i = end; i > 0; i--)
		if (dir[i - 1] == '/') {
			slash = &dir[i - 1];
			break;
		}
	if (!slash) {
		strcpy(out->last, path);
		dir[0] = 0;
	} else {
		strcpy(out->last, slash + 1);
		if (slash == dir)
			strcpy(dir, "/");
		else
			*slash = 0;
	}
	if (!out->last[0])
		strcpy(out->last, "."); /* the path was "/" */

	if (!dir[0] && !has_root(p->fs)) {
		int b = base_fd(p, dirfd);
		if (b < 0)
			return b;
		out->dir_fd = b;
		return 0;
	}
	int fd = path_open(p, dirfd, dir[0] ? dir : ".", O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	out->dir_fd = fd;
	out->needs_close = 1;
	return 0;
}

void path_put_parent(struct path_parent *pp)
{
	if (pp->needs_close && pp->dir_fd >= 0)
		close(pp->dir_fd);
	pp->dir_fd = -1;
}

int path_open_in(struct fs_context *fs, const char *path, int flags)
{
	int fd;

	if (!path[0])
		return -ENOENT;
	flags |= O_CLOEXEC;
	if (has_root(fs)) {
		char abs[GUEST_PATH_MAX], dir[GUEST_PATH_MAX];
		int r = 0;
		if (path[0] == '/')
			r = strlen(path) < GUEST_PATH_MAX ? (strcpy(abs, path), 0) : -ENAMETOOLONG;
		else if (!(r = fs_path_of_host_fd(fs, fs->cwd_fd, dir, sizeof dir)))
			r = snprintf(abs, sizeof abs, "%s/%s", dir, path) >= (int)sizeof abs ? -ENAMETOOLONG : 0;
		if (r)
			return r;
		fd = fs_openat2_in_root(fs, abs, flags, 0);
	} else {
		fd = openat(path[0] == '/' ? AT_FDCWD : fs->cwd_fd, path, flags);
		if (fd < 0)
			fd = -errno;
	}
	return allowed_or_closed(fd, path);
}
