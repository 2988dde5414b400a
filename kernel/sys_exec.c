/* execve and execveat (Linux's fs/exec.c and binfmt_script.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/exec.h"
#include "kernel/futex.h"
#include "kernel/kernel.h"
#include "kernel/path.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/transport.h"
#include "kernel/uaccess.h"
#include "ptrace/hwbp.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"

#define MAX_ARG_STRLEN (32 * 4096)
#define MAX_ARG_STRINGS 0x7fffffff
#define BINPRM_BUF_SIZE 256
#define MAX_INTERP_DEPTH 4

struct strv {
	char **v;
	int n, cap;
	uint64_t bytes;
};

static void strv_free(struct strv *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int strv_push(struct strv *s, const char *str, bool front)
{
	if (s->n + 2 > s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		char **n = realloc(s->v, (size_t)cap * sizeof *n);
		if (!n)
			return -ENOMEM;
		s->v = n;
		s->cap = cap;
	}
	char *d = strdup(str);
	if (!d)
		return -ENOMEM;
	if (front) {
		memmove(s->v + 1, s->v, (size_t)s->n * sizeof *s->v);
		s->v[0] = d;
	} else {
		s->v[s->n] = d;
	}
	s->n++;
	s->v[s->n] = NULL;
	s->bytes += strlen(str) + 1;
	return 0;
}

/* Copies a NULL-terminated array of user strings (argv or envp; NULL array: empty). */
static long copy_strings(struct task *t, uint64_t uv, struct strv *out, uint64_t limit)
{
	char *buf = malloc(MAX_ARG_STRLEN);
	long r = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t i = 0; uv; i++) {
		uint64_t ptr;
		if ((r = get_user(t, &ptr, uv + i * 8, 8)))
			break;
		if (!ptr)
			break;
		long n = mm_strncpy_from_user(t->proc->mm, buf, ptr, MAX_ARG_STRLEN);
		if (n < 0) {
			r = n == -ENAMETOOLONG ? -E2BIG : n;
			break;
		}
		if ((r = strv_push(out, buf, false)))
			break;
		if (out->bytes + 8ull * (uint64_t)out->n > limit) {
			r = -E2BIG;
			break;
		}
	}
	free(buf);
	if (!out->v && !r) {
		out->v = calloc(16, sizeof *out->v);
		out->cap = 16;
		if (!out->v)
			r = -ENOMEM;
	}
	return r;
}

/* As binfmt_script: "#!interp [arg]" turns argv into interp [arg] path argv[1..].
 * Returns 1 when the file is a script (argv rewritten, *path the interpreter), 0 when
 * not, or -errno. */
static int script_rewrite(struct task *t, int dirfd, char **path, struct strv *argv)
{
	char buf[BINPRM_BUF_SIZE + 1];
	int fd = (*path)[0] ? path_open(t->proc, dirfd, *path, O_RDONLY, 0) : path_dup_guest_fd(t->proc, dirfd);

	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		close(fd);
		return -EACCES; /* as Linux: the script itself must be executable */
	}
	ssize_t n = pread(fd, buf, BINPRM_BUF_SIZE, 0);
	close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = 0;
	char *nl = strchr(buf, '\n');
	if (!nl && n == BINPRM_BUF_SIZE)
		return -ENOEXEC; /* as Linux: the interpreter line must fit */
	if (nl)
		*nl = 0;
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	char *interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	char *arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			arg = p;
			/* The rest of the line is one argument, trailing blanks dropped. */
			char *e = arg + strlen(arg);
			while (e > arg && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
		}
	}
	/* argv[0] is replaced by the script's name as Linux's bprm->filename: the path,
	 * or /dev/fd/N[/path] when it was given relative to a descriptor. */
	char name[GUEST_PATH_MAX + 32];
	if (!(*path)[0]) {
		bool cloexec = false;
		fdt_get_cloexec(t->proc->files, dirfd, &cloexec);
		if (cloexec)
			return -ENOENT; /* the interpreter could not open it after the exec */
		snprintf(name, sizeof name, "/dev/fd/%d", dirfd);
	} else if ((*path)[0] != '/' && dirfd != AT_FDCWD) {
		snprintf(name, sizeof name, "/dev/fd/%d/%s", dirfd, *path);
	} else {
		snprintf(name, sizeof name, "%s", *path);
	}
	int r;
	if (argv->n > 0) {
		argv->bytes -= strlen(argv->v[0]) + 1;
		free(argv->v[0]);
		memmove(argv->v, argv->v + 1, (size_t)argv->n * sizeof *argv->v);
		argv->n--;
	}
	if ((r = strv_push(argv, name, true)) || (arg && (r = strv_push(argv, arg, true))) ||
	    (r = strv_push(argv, interp, true)))
		return r;
	char *ni = strdup(interp);
	if (!ni)
		return -ENOMEM;
	free(*path);
	*path = ni;
	return 1;
}

/* As Linux's de_thread(): every other thread of the group ends before the new image
 * starts. Returns 0, or -EINTR when the caller is being killed itself. */
static int kill_other_threads(struct task *t)
{
	struct kernel *k = t->k;
	struct process *p = t->proc;
	int r = 0;

	pthread_mutex_lock(&k->mu);
	if (p->group_exiting || t->killed) {
		pthread_mutex_unlock(&k->mu);
		return -EINTR;
	}
	if (p->nthreads > 1) {
		for (struct task *x = p->threads; x; x = x->thread_next)
			if (x != t) {
				x->killed = true;
				task_kick(x);
			}
		p->exec_waiter = t;
		while (p->nthreads > 1 && !t->killed) {
			task_sleep_nosignal(t);
		}
		p->exec_waiter = NULL;
		if (t->killed)
			r = -EINTR;
	}
	/* The exec'ing thread becomes the leader: its tid is the pid from now on. */
	if (!r)
		t->tid = p->pid;
	pthread_mutex_unlock(&k->mu);
	return r;
}

/* What execve resets (Linux's begin_new_exec and flush_signal_handlers).
 * Preconditions: k->mu held. */
static void reset_for_exec(struct task *t)
{
	struct process *p = t->proc;

	if (p->sighand->refs > 1) {
		struct sighand *n = malloc(sizeof *n);
		if (n) {
			*n = *p->sighand;
			n->refs = 1;
			p->sighand->refs--;
			p->sighand = n;
		}
	}
	for (int i = 0; i < HV_NSIG; i++) {
		struct ksigaction *a = &p->sighand->action[i];
		if (a->handler != (uint64_t)(uintptr_t)SIG_IGN)
			a->handler = (uint64_t)(uintptr_t)SIG_DFL;
		a->flags = 0;
		a->restorer = 0;
		a->mask = 0;
	}
	t->sas_sp = t->sas_size = 0;
	t->sas_flags = 0;
	t->robust_list_head = t->robust_list_len = 0;
	p->did_exec = true;
	if (t->vfork_parent) {
		t->vfork_parent->vfork_done = true;
		task_kick(t->vfork_parent);
		t->vfork_parent = NULL;
	}
}

static long do_execve(struct task *t, int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, int flags)
{
	char pathbuf[GUEST_PATH_MAX];
	struct strv argv = {0}, envp = {0};
	char why[512];
	long r;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if ((r = mm_strncpy_from_user(t->proc->mm, pathbuf, upath, GUEST_PATH_MAX)) < 0)
		return r;
	if (!pathbuf[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	uint64_t limit = t->proc->rlim[RLIMIT_STACK].rlim_cur / 4;
	if (limit < 32 * 4096)
		limit = 32 * 4096;
	if (limit > (6ull << 30) / 4)
		limit = (6ull << 30) / 4;
	if ((r = copy_strings(t, uargv, &argv, limit)) || (r = copy_strings(t, uenvp, &envp, limit)))
		goto out;
	if (argv.bytes + envp.bytes > limit) {
		r = -E2BIG;
		goto out;
	}
	char *path = strdup(pathbuf);
	if (!path) {
		r = -ENOMEM;
		goto out;
	}
	int depth = 0;
	for (;;) {
		int s = script_rewrite(t, dirfd, &path, &argv);
		if (s < 0) {
			r = s;
			free(path);
			goto out;
		}
		if (!s)
			break;
		dirfd = AT_FDCWD;
		if (++depth > MAX_INTERP_DEPTH) {
			r = -ELOOP;
			free(path);
			goto out;
		}
	}
	struct exec_ctx ctx;
	r = exec_load(t, dirfd, path, argv.n, argv.v, envp.n, envp.v, true, &ctx, why, sizeof why);
	free(path);
	if (r) {
		hv_info("pid %d: execve: %s", t->proc->pid, why);
		goto out;
	}
	/* The point of no return. */
	int old_tid = t->tid; /* PTRACE_EVENT_EXEC reports it */
	if ((r = kill_other_threads(t))) {
		exec_abort(&ctx);
		goto out;
	}
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (!put_user(t, t->clear_child_tid, &zero, sizeof zero))
			futex_wake_addr(t, t->clear_child_tid, 1);
		t->clear_child_tid = 0;
	}
	struct fdtable *files = t->proc->files;
	if (files->refs > 1) {
		struct fdtable *n;
		if (fdt_clone(files, &n) == 0) {
			t->proc->files = n;
			fdt_put(files);
		}
	}
	fdt_close_on_exec(t->proc->files);
	host_exec_begin(t);
	pthread_mutex_lock(&t->k->mu);
	reset_for_exec(t);
	memset(t->tls, 0, sizeof t->tls); /* as Linux's flush_thread() */
	hwbp_exec(t);
	vcpu_set_tls(t->vcpu, t->tls);
	pthread_mutex_unlock(&t->k->mu);
	if ((r = exec_commit(t, &ctx)) || (r = transport_restart(t))) {
		/* Past the point of no return: as Linux, the process dies (SIGSEGV). */
		exec_abort(&ctx);
		pthread_mutex_lock(&t->k->mu);
		sig_group_exit(t->proc, SIGSEGV);
		pthread_mutex_unlock(&t->k->mu);
		r = 0;
	} else {
		if (ptrace_traced(&t->pt))
			ptrace_exec(t, old_tid);
		host_exec(t, old_tid);
	}
out:
	strv_free(&argv);
	strv_free(&envp);
	return r;
}

SYSCALL(execve)
{
	return do_execve(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

SYSCALL(execveat)
{
	return do_execve(t, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}
