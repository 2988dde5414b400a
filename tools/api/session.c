/* include/hvtrace.h for guests of this process: hvt_spawn runs the guest on a thread of
 * its own (kernel/run.c) with a host session (ptrace/host.h) tracing its first task. */
#include <hvtrace.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/run.h"
#include "vmm/log.h"
#include "ptrace/host.h"
#include "tools/api/api.h"

extern char **environ;

static _Thread_local char spawn_error[512];

const char *hvt_spawn_error(void)
{
	return spawn_error;
}

void hvt_set_spawn_error(const char *msg)
{
	snprintf(spawn_error, sizeof spawn_error, "%s", msg);
}

/* hvtrace applies the guest's umask itself: the process's own must not apply on top
 * (as hvtrace run, which clears it). The caller's umask at the first spawn becomes the
 * guest's initial one, for this spawn and the later ones. */
static mode_t saved_umask;
static pthread_once_t umask_once = PTHREAD_ONCE_INIT;

static void take_umask(void)
{
	saved_umask = umask(0);
}

static mode_t caller_umask(void)
{
	pthread_once(&umask_once, take_umask);
	return saved_umask;
}

struct spawn_args {
	struct hvt_session *hs;
	struct hv_run_options opt;
	int argc;
	char **argv;
	char **envp;
	char *path;
	char *root;
};

static void free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static char **copy_strv(char *const *v, int *n)
{
	int c = 0;
	while (v && v[c])
		c++;
	char **out = calloc((size_t)c + 1, sizeof *out);
	if (!out)
		return NULL;
	for (int i = 0; i < c; i++)
		if (!(out[i] = strdup(v[i]))) {
			free_strv(out);
			return NULL;
		}
	if (n)
		*n = c;
	return out;
}

static void free_args(struct spawn_args *a)
{
	free_strv(a->argv);
	free_strv(a->envp);
	free(a->path);
	free(a->root);
	free(a);
}

static void *spawn_main(void *arg)
{
	struct spawn_args *a = arg;
	struct hvt_session *hs = a->hs;
	struct host_session *s = hs->s;

	hv_run_program(&a->opt, a->argc, a->argv, a->envp, &hs->result);
	pthread_mutex_lock(&s->mu);
	/* A guest that started and then failed has no other way to say why: a tracer only
	 * sees its end event. (One that never started: hvt_spawn's error.) */
	if (s->ended && hs->result.outcome == HV_FATAL)
		hv_err("%s", hs->result.message);
	hs->run_done = true;
	/* A guest that never started has no end event: the session ends here. */
	s->ended = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	free_args(a);
	return NULL;
}

char *hvt_find_program(const char *prog)
{
	if (strchr(prog, '/'))
		return strdup(prog);
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		char *buf;
		struct stat st;
		if (asprintf(&buf, "%.*s/%s", (int)(end - path), path, prog) < 0)
			return NULL;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return buf;
		free(buf);
		path = *end ? end + 1 : end;
	}
	return strdup(prog);
}

int hvt_spawn(const struct hvt_spawn_options *o, hvt_session **out)
{
	*out = NULL;
	spawn_error[0] = 0;
	if (!o || !o->argv || !o->argv[0]) {
		hvt_set_spawn_error("no program given");
		return -EINVAL;
	}
	struct hvt_session *hs = calloc(1, sizeof *hs);
	struct spawn_args *a = calloc(1, sizeof *a);
	int r = -ENOMEM;
	if (!hs || !a)
		goto fail;
	if ((r = host_session_create(&hs->s, o->flags)))
		goto fail;
	hs->s->recorder = o->recorder; /* no guest yet: nothing else sees the session */
	hs->s->recorder_arg = o->recorder_arg;
	hs->spawned = true;
	a->hs = hs;
	if (!(a->argv = copy_strv(o->argv, &a->argc)) || !(a->envp = copy_strv(o->envp ? o->envp : environ, NULL)))
		goto fail;
	if (o->root && !(a->root = strdup(o->root)))
		goto fail;
	if (o->path)
		a->path = strdup(o->path);
	else if (!o->root)
		a->path = hvt_find_program(o->argv[0]);
	a->opt.umask = (int)caller_umask();
	a->opt.mem_size = o->mem_size;
	a->opt.root = a->root;
	a->opt.path = a->path;
	a->opt.transport = o->transport;
	a->opt.stdio_set = true;
	memcpy(a->opt.stdio, o->stdio, sizeof a->opt.stdio);
	a->opt.host = hs->s;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	r = -pthread_create(&hs->thread, &attr, spawn_main, a);
	pthread_attr_destroy(&attr);
	if (r) {
		hvt_set_spawn_error("cannot start the guest's thread");
		goto fail;
	}
	a = NULL;
	/* Started (the session has the guest) or failed (the run ended first). */
	struct host_session *s = hs->s;
	pthread_mutex_lock(&s->mu);
	while (!s->k && !hs->run_done)
		pthread_cond_wait(&s->cv, &s->mu);
	bool failed = hs->run_done && hs->result.outcome != HV_EXITED && hs->result.outcome != HV_SIGNALED &&
		      !s->head;
	pthread_mutex_unlock(&s->mu);
	if (failed) {
		pthread_join(hs->thread, NULL);
		hvt_set_spawn_error(hs->result.message);
		r = hs->result.outcome == HV_LOAD_FAILED ? -ENOEXEC : -EIO;
		host_session_free(hs->s);
		free(hs);
		return r;
	}
	*out = hs;
	return 0;
fail:
	if (!spawn_error[0])
		hvt_set_spawn_error(strerror(-r));
	if (a)
		free_args(a);
	if (hs)
		host_session_free(hs->s);
	free(hs);
	return r;
}

int hvt_close(hvt_session *hs)
{
	int status = 0;

	if (!hs)
		return -EINVAL;
	if (hs->remote)
		return hvt_remote_close(hs);
	host_detach(hs->s);
	if (hs->spawned) {
		pthread_join(hs->thread, NULL);
		status = hv_run_status(&hs->result);
	}
	host_session_free(hs->s);
	free(hs);
	return status;
}
