/* The guest's /proc: what programs commonly read about themselves and each other, made
 * from hvtrace's own state (the host's procfs describes hvtrace, and is refused). Each
 * file is generated when opened, into an anonymous host file the guest fd refers to. */
#include "kernel/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/uaccess.h"

/* Splits "/proc/<who>/<rest>": the process and the rest. Preconditions: k->mu held. */
static struct process *lookup(struct task *t, const char *path, const char **rest)
{
	const char *p = path + strlen("/proc/");
	char *end;

	if (!strncmp(p, "self", 4) && (p[4] == '/' || !p[4])) {
		*rest = p + 4;
		return t->proc;
	}
	if (!strncmp(p, "thread-self", 11) && (p[11] == '/' || !p[11])) {
		*rest = p + 11;
		return t->proc;
	}
	long pid = strtol(p, &end, 10);
	if (end == p || (*end != '/' && *end) || pid <= 0 || pid > PID_MAX)
		return NULL;
	*rest = end;
	struct process *proc = kernel_find_process(t->k, (int)pid);
	/* /proc/PID/task/TID/...: what this file system knows is per process (maps, cmdline,
	 * fd...), so a thread's directory shows its process's (gdb reads task/TID/maps). */
	if (proc && !strncmp(end, "/task/", 6)) {
		const char *q = end + 6;
		long tid = strtol(q, &end, 10);
		bool found = false;
		for (struct task *x = proc->threads; x && end != q && tid > 0; x = x->thread_next)
			found |= x->tid == tid;
		if (!found || (*end != '/' && *end))
			return NULL;
		*rest = end;
	}
	return proc;
}

/* As Linux: the state of the group leader; a task reading its own is running. */
static char state_char(const struct process *p, const struct task *reader)
{
	const struct task *l = process_leader(p);

	if (p->state == PROC_ZOMBIE)
		return 'Z';
	if (l && l->pt.stopped)
		return 't';
	if (p->stopped)
		return 'T';
	if (p == reader->proc)
		return 'R';
	return p->threads && p->threads->sleeping ? 'S' : 'R';
}

static const char *state_name(char c)
{
	switch (c) {
	case 'Z': return "zombie";
	case 'T': return "stopped";
	case 't': return "tracing stop";
	case 'R': return "running";
	default: return "sleeping";
	}
}

static int tracer_pid(const struct process *p)
{
	const struct task *l = process_leader(p);

	return l && l->pt.tracer ? l->pt.tracer->proc->pid : 0;
}

/* Preconditions: k->mu held. */
static void write_status(FILE *f, struct process *p, const struct task *reader)
{
	char st = state_char(p, reader);
	const struct task *l = process_leader(p);
	ksigset_t ign = 0, cgt = 0, blk = p->threads ? p->threads->blocked : 0;
	for (int s = 1; s <= HV_NSIG; s++) {
		uint64_t h = p->sighand ? p->sighand->action[s - 1].handler : 0;
		if (h == (uint64_t)(uintptr_t)SIG_IGN)
			ign |= SIGBIT(s);
		else if (h != (uint64_t)(uintptr_t)SIG_DFL)
			cgt |= SIGBIT(s);
	}
	fprintf(f, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		   "TracerPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nThreads:\t%d\n"
		   "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n"
		   "NoNewPrivs:\t%d\nSeccomp:\t%d\n",
		p->comm, p->fs ? p->fs->umask : 0, st, state_name(st), p->pid, p->pid,
		p->parent ? p->parent->pid : 0, tracer_pid(p), p->cred.uid, p->cred.euid, p->cred.suid,
		p->cred.fsuid, p->cred.gid, p->cred.egid, p->cred.sgid, p->cred.fsgid, p->nthreads,
		(unsigned long long)(p->threads ? p->threads->pending.set : 0),
		(unsigned long long)p->shared_pending.set, (unsigned long long)blk,
		(unsigned long long)ign, (unsigned long long)cgt, p->no_new_privs,
		l ? atomic_load(&l->seccomp.mode) : 0);
}

/* Preconditions: k->mu held. As Linux's do_task_stat(), 52 fields. */
static void write_stat(FILE *f, struct process *p, const struct task *reader)
{
	fprintf(f, "%d (%s) %c %d %d %d 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 %d 0 0 0 0 "
		   "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		p->pid, p->comm, state_char(p, reader), p->parent ? p->parent->pid : 0, p->pgid, p->sid,
		p->nthreads);
}

/* Copies [start, end) of p's memory (argv or environ strings). */
static void write_user_range(FILE *f, struct mm *mm, uint64_t start, uint64_t end)
{
	char buf[4096];

	while (start < end) {
		uint64_t n = end - start < sizeof buf ? end - start : sizeof buf;
		if (mm_copy_from_user(mm, buf, start, n))
			return;
		fwrite(buf, 1, n, f);
		start += n;
	}
}

/* Turns generated text into a read-only guest-visible host fd. */
static int as_fd(const char *text, size_t len)
{
	int fd = memfd_create("hvtrace-proc", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		done += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	/* Read-only as the guest sees it: reopen through the fd's own magic link. */
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	int ro = open(link, O_RDONLY | O_CLOEXEC);
	close(fd);
	return ro < 0 ? -errno : ro;
}

/* Where a guest fd points: a path inside the guest's root, or what the host says
 * (pipe:[N], anon_inode:...). Preconditions: k->mu held. */
static void fd_target(struct process *p, int h, char *out, size_t len)
{
	const char *scratch = p->k->proc_scratch;
	size_t sl = strlen(scratch);

	if (path_of_host_fd(p, h, out, len)) {
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", h);
		ssize_t n = readlink(link, out, len - 1);
		out[n > 0 ? n : 0] = 0;
	}
	/* An fd/ listing is named PID.SLOT in the scratch directory (fd_dir). */
	if (sl && !strncmp(out, scratch, sl) && out[sl] == '/')
		snprintf(out, len, "/proc/%d/fd", atoi(out + sl + 1));
}

struct fd_link {
	int fd;
	char target[256];
};

/* Preconditions: k->mu held. */
static int collect_fds(struct task *t, struct process *p, struct fd_link **out, int *n)
{
	struct fdtable *ft = p->files;
	int cap = 16, cnt = 0, next_free = -1;
	struct fd_link *v = malloc((size_t)cap * sizeof *v);

	if (!v || !ft)
		return v ? (*out = v, *n = 0, 0) : -ENOMEM;
	for (int fd = 0; fd < ft->nslots || next_free < 0; fd++) {
		int h = fd < ft->nslots ? fdt_host_fd(ft, fd) : -EBADF;
		if (h < 0 && next_free >= 0)
			continue;
		if (cnt == cap) {
			struct fd_link *nv = realloc(v, (size_t)(cap *= 2) * sizeof *v);
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt].fd = fd;
		if (h >= 0) {
			fd_target(p, h, v[cnt].target, sizeof v[cnt].target);
		} else {
			/* As on Linux, the listing shows the fd the reader's open is getting. */
			next_free = fd;
			if (p != t->proc && t->proc->files != ft)
				continue;
			snprintf(v[cnt].target, sizeof v[cnt].target, "/proc/%d/fd", p->pid);
		}
		cnt++;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Removes what a recycled snapshot slot held. */
static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void procfs_cleanup(struct kernel *k)
{
	if (k->proc_scratch[0])
		nftw(k->proc_scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes the scratch directory. Preconditions: k->mu held. */
static int scratch_ready(struct kernel *k)
{
	if (k->proc_scratch[0])
		return 0;
	snprintf(k->proc_scratch, sizeof k->proc_scratch, "/tmp/hvtrace-proc-XXXXXX");
	if (!mkdtemp(k->proc_scratch)) {
		k->proc_scratch[0] = 0;
		return -ENOMEM;
	}
	return 0;
}

int procfs_link_stand_in(struct task *t, const char *path, const char *target, char *out,
			 size_t len, struct stat *fix)
{
	struct kernel *k = t->k;
	const char *rest;

	/* As Linux's proc_fd_link inodes: the mode says how the fd was opened, size 64. */
	memset(fix, 0, sizeof *fix);
	fix->st_mode = S_IFLNK | 0777;
	pthread_mutex_lock(&k->mu);
	struct process *p = lookup(t, path, &rest);
	if (p && !strncmp(rest, "/fd/", 4) && p->files) {
		int h = fdt_host_fd(p->files, atoi(rest + 4));
		int fl = h >= 0 ? fcntl(h, F_GETFL) : -1;
		if (fl >= 0) {
			int acc = fl & O_ACCMODE;
			fix->st_mode = S_IFLNK | (acc != O_WRONLY ? 0500 : 0) | (acc != O_RDONLY ? 0300 : 0);
			fix->st_size = 64;
		}
	}
	pthread_mutex_unlock(&k->mu);

	pthread_mutex_lock(&k->mu);
	int r = scratch_ready(k);
	snprintf(out, len, "%s/link-%u", k->proc_scratch, k->proc_snapshots++);
	pthread_mutex_unlock(&k->mu);
	if (r)
		return r;
	return symlink(target, out) ? -errno : 0;
}

/* /proc/PID/fd as a directory: a snapshot of the fd table made into a host directory of
 * symlinks, so that getdents64, fstatat and readlinkat on the guest's fd work as on any
 * directory. Snapshots live in one scratch directory per VM, removed at its end; a slot
 * is recycled FD_SNAPSHOTS snapshots later (a listing kept open that long reads empty). */
#define FD_SNAPSHOTS 64
static int fd_dir(struct kernel *k, int pid, const struct fd_link *links, int n)
{
	char dir[128];

	pthread_mutex_lock(&k->mu);
	if (scratch_ready(k)) {
		pthread_mutex_unlock(&k->mu);
		return -ENOMEM;
	}
	snprintf(dir, sizeof dir, "%s/%d.%u", k->proc_scratch, pid, k->proc_snapshots++ % FD_SNAPSHOTS);
	pthread_mutex_unlock(&k->mu);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(dir, 0500 | 0200))
		return -errno;
	for (int i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "%s/%d", dir, links[i].fd);
		if (symlink(links[i].target, name))
			return -errno;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int procfs_open(struct task *t, const char *path, int flags)
{
	return procfs_open_as(t->k, t->tid, path, flags);
}

int procfs_open_as(struct kernel *k, int tid, const char *path, int flags)
{
	char *text = NULL;
	size_t len = 0;
	const char *rest;
	int r = -ENOENT;

	if (strncmp(path, "/proc/", 6))
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	/* Only fd/ is a directory here; the files are generated text. */
	bool want_dir = flags & O_DIRECTORY;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&k->mu);
	/* The reader: used only under k->mu (another thread's may end meanwhile). */
	struct task *t = kernel_find_task(k, tid);
	if (!t) {
		pthread_mutex_unlock(&k->mu);
		fclose(f);
		free(text);
		return -ESRCH;
	}
	struct process *p = lookup(t, path, &rest);
	struct mm *mm = NULL;
	struct fd_link *links = NULL;
	int nlinks = 0;
	if (p && (!strcmp(rest, "/fd") || !strcmp(rest, "/fd/"))) {
		r = collect_fds(t, p, &links, &nlinks);
		int pid = p->pid;
		pthread_mutex_unlock(&k->mu);
		fclose(f);
		free(text);
		if (!r)
			r = fd_dir(k, pid, links, nlinks);
		free(links);
		return r;
	}
	if (p) {
		if (!strcmp(rest, "/status")) {
			write_status(f, p, t);
			r = 0;
		} else if (!strcmp(rest, "/stat")) {
			write_stat(f, p, t);
			r = 0;
		} else if (!strcmp(rest, "/comm")) {
			fprintf(f, "%s\n", p->comm);
			r = 0;
		} else if (!strcmp(rest, "/maps") || !strcmp(rest, "/cmdline") || !strcmp(rest, "/environ")) {
			mm = p->mm;
			if (mm)
				mm_get(mm);
			r = 0;
		}
	}
	pthread_mutex_unlock(&k->mu);
	if (mm) {
		/* Outside k->mu: these take the address space's lock. */
		if (!strcmp(rest, "/maps"))
			mm_write_maps(mm, f);
		else if (!strcmp(rest, "/cmdline"))
			write_user_range(f, mm, mm->arg_start, mm->arg_end);
		else
			write_user_range(f, mm, mm->env_start, mm->env_end);
		mm_put(mm, NULL);
	}
	fclose(f);
	if (!r)
		r = want_dir ? -ENOTDIR : as_fd(text, len);
	free(text);
	return r;
}

bool procfs_readlink(struct task *t, const char *path, char *out, size_t len, long *ret)
{
	const char *rest;

	if (strncmp(path, "/proc/", 6))
		return false;
	pthread_mutex_lock(&t->k->mu);
	struct process *p = lookup(t, path, &rest);
	*ret = -ENOENT;
	if (p && !strcmp(rest, "/exe") && p->exe_path) {
		snprintf(out, len, "%s", p->exe_path);
		*ret = (long)strlen(out);
	} else if (p && !strcmp(rest, "/cwd")) {
		*ret = !p->fs || path_of_host_fd(p, p->fs->cwd_fd, out, len) ? -ENOENT : (long)strlen(out);
	} else if (p && !strncmp(rest, "/fd/", 4)) {
		char *end;
		long fd = strtol(rest + 4, &end, 10);
		bool bad = *end || end == rest + 4 || fd < 0 || fd > INT32_MAX;
		int h = bad ? -EBADF : fdt_host_fd(p->files, (int)fd);
		if (h >= 0) {
			fd_target(p, h, out, len);
			*ret = (long)strlen(out);
		}
	}
	pthread_mutex_unlock(&t->k->mu);
	return true;
}
