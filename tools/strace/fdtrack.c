/* -y: which file each guest descriptor names. hvtrace's API offers no view of a
 * guest's descriptor table, so the tracer keeps its own, from the calls it sees
 * succeed: open/openat/creat, dup*, fcntl(F_DUPFD*), close, chdir/fchdir, and the
 * close-on-exec descriptors an execve drops. Descriptors made otherwise (pipes,
 * sockets) have no path and show bare, as do those of an attached process's past. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/strace/session.h"
#include "tools/strace/sysent.h"

struct fd_entry {
	char *path;
	bool is_cloexec;
};

/* A descriptor table with its working directory; shared by the threads of a
 * process (refs). */
struct fd_table {
	int refs;
	char *cwd;
	struct fd_entry *fds;
	int nfds;
};

struct task_link {
	int tid;
	struct fd_table *table;
};

struct st_fdtrack {
	struct task_link *tasks;
	size_t ntasks, cap;
};

struct st_fdtrack *st_fdtrack_new(void)
{
	return calloc(1, sizeof(struct st_fdtrack));
}

static void table_put(struct fd_table *t)
{
	if (!t || --t->refs > 0)
		return;
	for (int i = 0; i < t->nfds; i++)
		free(t->fds[i].path);
	free(t->fds);
	free(t->cwd);
	free(t);
}

void st_fdtrack_free(struct st_fdtrack *ft)
{
	if (!ft)
		return;
	for (size_t i = 0; i < ft->ntasks; i++)
		table_put(ft->tasks[i].table);
	free(ft->tasks);
	free(ft);
}

static struct fd_table *table_of(struct st_fdtrack *ft, int tid)
{
	for (size_t i = 0; ft && i < ft->ntasks; i++)
		if (ft->tasks[i].tid == tid)
			return ft->tasks[i].table;
	return NULL;
}

static int set_fd(struct fd_table *t, int fd, const char *path, bool is_cloexec)
{
	if (fd < 0 || fd > 1 << 20)
		return -EBADF;
	if (fd >= t->nfds) {
		int n = fd + 16;
		struct fd_entry *fds = realloc(t->fds, (size_t)n * sizeof *fds);
		if (!fds)
			return -ENOMEM;
		memset(fds + t->nfds, 0, (size_t)(n - t->nfds) * sizeof *fds);
		t->fds = fds;
		t->nfds = n;
	}
	char *copy = path ? strdup(path) : NULL;
	free(t->fds[fd].path);
	t->fds[fd].path = copy;
	t->fds[fd].is_cloexec = is_cloexec;
	return 0;
}

static const char *fd_path(struct fd_table *t, int fd)
{
	return t && fd >= 0 && fd < t->nfds ? t->fds[fd].path : NULL;
}

static struct fd_table *table_copy(const struct fd_table *from)
{
	struct fd_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->refs = 1;
	t->cwd = from && from->cwd ? strdup(from->cwd) : NULL;
	for (int fd = 0; from && fd < from->nfds; fd++)
		if (from->fds[fd].path)
			set_fd(t, fd, from->fds[fd].path, from->fds[fd].is_cloexec);
	return t;
}

/* The first task of a spawned program has the tracer's stdio and directory. */
static struct fd_table *table_initial(void)
{
	struct fd_table *t = table_copy(NULL);
	char path[PATH_MAX], link[64];
	if (!t)
		return NULL;
	if (getcwd(path, sizeof path))
		t->cwd = strdup(path);
	for (int fd = 0; fd < 3; fd++) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof path - 1);
		if (n > 0) {
			path[n] = 0;
			set_fd(t, fd, path, false);
		}
	}
	return t;
}

void st_fdtrack_task(struct st_fdtrack *ft, int tid, int pid, int parent_tid, bool is_thread)
{
	if (!ft || table_of(ft, tid))
		return;
	struct fd_table *parent = table_of(ft, parent_tid ? parent_tid : pid);
	struct fd_table *t;
	if (is_thread && parent) {
		t = parent;
		t->refs++;
	} else {
		t = parent_tid ? table_copy(parent) : table_initial();
	}
	if (!t)
		return;
	if (ft->ntasks == ft->cap) {
		size_t cap = ft->cap ? ft->cap * 2 : 16;
		struct task_link *l = realloc(ft->tasks, cap * sizeof *l);
		if (!l) {
			table_put(t);
			return;
		}
		ft->tasks = l;
		ft->cap = cap;
	}
	ft->tasks[ft->ntasks++] = (struct task_link){tid, t};
}

void st_fdtrack_exit(struct st_fdtrack *ft, int tid)
{
	for (size_t i = 0; ft && i < ft->ntasks; i++) {
		if (ft->tasks[i].tid == tid) {
			table_put(ft->tasks[i].table);
			ft->tasks[i] = ft->tasks[--ft->ntasks];
			return;
		}
	}
}

/* base + "/" + rel with "." and ".." folded, as the kernel's d_path would show it
 * (symlinks are not resolved: the tracer cannot see the guest's tree). */
static void join_path(const char *base, const char *rel, char *out, size_t len)
{
	char tmp[PATH_MAX * 2];
	if (rel[0] == '/' || !base)
		snprintf(tmp, sizeof tmp, "%s", rel);
	else
		snprintf(tmp, sizeof tmp, "%s/%s", base, rel);
	size_t n = 0;
	out[0] = 0;
	char *save = NULL;
	for (char *part = strtok_r(tmp, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			char *slash = strrchr(out, '/');
			n = slash ? (size_t)(slash - out) : 0;
			out[n] = 0;
			continue;
		}
		int w = snprintf(out + n, len - n, "/%s", part);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	if (!n)
		snprintf(out, len, "/");
}

static bool read_path(struct st_dec *d, int tid, uint64_t addr, char *buf, size_t len)
{
	if (!addr)
		return false;
	ssize_t n = d->read(d->read_ctx, tid, addr, buf, len - 1);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return memchr(buf, 0, (size_t)n) != NULL;
}

static void opened(struct fd_table *t, struct st_dec *d, const struct st_call *c, int dirfd,
		   uint64_t path_addr, uint64_t flags)
{
	char rel[PATH_MAX], full[PATH_MAX];
	if (!read_path(d, c->tid, path_addr, rel, sizeof rel))
		return;
	const char *base = dirfd == AT_FDCWD ? t->cwd : fd_path(t, dirfd);
	join_path(base, rel, full, sizeof full);
	set_fd(t, (int)c->ret, full, flags & O_CLOEXEC);
}

void st_fdtrack_syscall(struct st_fdtrack *ft, struct st_dec *d, const struct st_call *c)
{
	struct fd_table *t = table_of(ft, c->tid);
	const char *name = st_syscall_name(c->nr);
	const uint64_t *a = c->args;
	if (!t || !name)
		return;
	if (!strcmp(name, "open")) {
		opened(t, d, c, AT_FDCWD, a[0], a[1]);
	} else if (!strcmp(name, "openat")) {
		opened(t, d, c, (int)a[0], a[1], a[2]);
	} else if (!strcmp(name, "creat")) {
		opened(t, d, c, AT_FDCWD, a[0], 0);
	} else if (!strcmp(name, "dup") || !strcmp(name, "dup2")) {
		set_fd(t, (int)c->ret, fd_path(t, (int)a[0]), false);
	} else if (!strcmp(name, "dup3")) {
		set_fd(t, (int)c->ret, fd_path(t, (int)a[0]), a[2] & O_CLOEXEC);
	} else if (!strcmp(name, "fcntl")) {
		if (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC)
			set_fd(t, (int)c->ret, fd_path(t, (int)a[0]), a[1] == F_DUPFD_CLOEXEC);
		else if (a[1] == F_SETFD && (int)a[0] >= 0 && (int)a[0] < t->nfds)
			t->fds[(int)a[0]].is_cloexec = a[2] & FD_CLOEXEC;
	} else if (!strcmp(name, "close")) {
		set_fd(t, (int)a[0], NULL, false);
	} else if (!strcmp(name, "chdir")) {
		char rel[PATH_MAX], full[PATH_MAX];
		if (read_path(d, c->tid, a[0], rel, sizeof rel)) {
			join_path(t->cwd, rel, full, sizeof full);
			free(t->cwd);
			t->cwd = strdup(full);
		}
	} else if (!strcmp(name, "fchdir")) {
		const char *p = fd_path(t, (int)a[0]);
		if (p) {
			free(t->cwd);
			t->cwd = strdup(p);
		}
	} else if (!strcmp(name, "execve") || !strcmp(name, "execveat")) {
		for (int fd = 0; fd < t->nfds; fd++)
			if (t->fds[fd].is_cloexec)
				set_fd(t, fd, NULL, false);
	}
}

int st_fdtrack_path(void *ctx, int tid, int fd, char *buf, size_t len)
{
	struct fd_table *t = table_of(ctx, tid);
	const char *p = fd == AT_FDCWD ? (t ? t->cwd : NULL) : fd_path(t, fd);
	if (!p)
		return -ENOENT;
	snprintf(buf, len, "%s", p);
	return 0;
}
