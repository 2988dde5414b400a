/* The guest's /proc: what programs commonly read about themselves and each other, made
 * from hvtrace's own state (the host's procfs describes hvtrace, and is refused). Each
 * file is generated when opened, into an anonymous host file the guest fd refers to. */
#include "kernel/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
	return kernel_find_process(t->k, (int)pid);
}

/* As Linux: the state of the group leader; a task reading its own is running. */
static char state_char(const struct process *p, const struct task *reader)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
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
	case 'R': return "running";
	default: return "sleeping";
	}
}

/* Preconditions: k->mu held. */
static void write_status(FILE *f, struct process *p, const struct task *reader)
{
	char st = state_char(p, reader);
	ksigset_t ign = 0, cgt = 0, blk = p->threads ? p->threads->blocked : 0;
	for (int s = 1; s <= HV_NSIG; s++) {
		uint64_t h = p->sighand ? p->sighand->action[s - 1].handler : 0;
		if (h == (uint64_t)(uintptr_t)SIG_IGN)
			ign |= SIGBIT(s);
		else if (h != (uint64_t)(uintptr_t)SIG_DFL)
			cgt |= SIGBIT(s);
	}
	fprintf(f, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		   "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nThreads:\t%d\n"
		   "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n"
		   "NoNewPrivs:\t%d\nSeccomp:\t0\n",
		p->comm, p->umask, st, state_name(st), p->pid, p->pid,
		p->parent ? p->parent->pid : 0, getuid(), geteuid(), geteuid(), geteuid(), getgid(),
		getegid(), getegid(), getegid(), p->nthreads,
		(unsigned long long)(p->threads ? p->threads->pending.set : 0),
		(unsigned long long)p->shared_pending.set, (unsigned long long)blk,
		(unsigned long long)ign, (unsigned long long)cgt, p->no_new_privs);
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

int procfs_open(struct task *t, const char *path, int flags)
{
	char *text = NULL;
	size_t len = 0;
	const char *rest;
	int r = -ENOENT;

	if (strncmp(path, "/proc/", 6))
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&t->k->mu);
	struct process *p = lookup(t, path, &rest);
	struct mm *mm = NULL;
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
	pthread_mutex_unlock(&t->k->mu);
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
		r = as_fd(text, len);
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
		*ret = path_of_host_fd(p, p->fs.cwd_fd, out, len) ? -ENOENT : (long)strlen(out);
	} else if (p && !strncmp(rest, "/fd/", 4)) {
		char *end;
		long fd = strtol(rest + 4, &end, 10);
		int h = *end || fd < 0 || fd > INT32_MAX ? -EBADF : fdt_host_fd(p->files, (int)fd);
		if (h >= 0) {
			/* A path inside the guest's root, or what the host says (pipe:[N]...). */
			if (path_of_host_fd(p, h, out, len)) {
				char link[64];
				snprintf(link, sizeof link, "/proc/self/fd/%d", h);
				ssize_t n = readlink(link, out, len - 1);
				out[n > 0 ? n : 0] = 0;
			}
			*ret = (long)strlen(out);
		}
	}
	pthread_mutex_unlock(&t->k->mu);
	return true;
}
