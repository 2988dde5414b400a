/* The `hvtrace strace` run: start or attach, take every event of the session in order,
 * decode, print, resume. No event is dropped: the loop drains the session until the
 * guest's end (spawned) or the last traced task's end (attached). */
#include <asm/unistd_64.h>
#include <errno.h>
#include <hvtrace.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/strace/session.h"
#include "vmm/sandbox.h"
#include "tools/strace/sysent.h"

/* Set by SIGINT/SIGTERM/SIGHUP: a signal handler can only talk through globals. */
static volatile sig_atomic_t interrupt_count, interrupt_signal;

static void on_interrupt(int sig)
{
	interrupt_signal = sig;
	interrupt_count++;
}

struct st_run {
	const struct st_opts *o;
	hvt_session *s;
	bool is_attached;
	struct st_out out;
	struct st_task **tasks;
	size_t ntasks, cap;
	struct st_fdtrack *ft;
	int handled_interrupts;
	bool has_start_line; /* the spawned program's execve line is printed */
	const char *exec_path;
	/* A spawned program's syscalls come to the recorder, on the threads serving them
	 * (no stop, no switch to this thread); the loop takes the other events. mu
	 * serializes both over everything above. */
	pthread_mutex_t mu;
};

static ssize_t read_mem(void *ctx, int tid, uint64_t addr, void *buf, size_t len)
{
	return hvt_read_mem(ctx, tid, addr, buf, len);
}

static struct st_task *find_task(struct st_run *r, int tid)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i]->tid == tid)
			return r->tasks[i];
	return NULL;
}

static struct st_task *add_task(struct st_run *r, int tid, int pid)
{
	if (r->ntasks == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct st_task **t = realloc(r->tasks, cap * sizeof *t);
		if (!t)
			return NULL;
		r->tasks = t;
		r->cap = cap;
	}
	struct st_task *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->tid = tid;
	t->pid = pid;
	t->prev_nr = -1;
	t->stream = &r->out.main;
	if (r->o->follow == 2 && r->o->outname && st_out_open_own(&r->out, t)) {
		fprintf(stderr, "hvtrace strace: %s.%d: %s\n", r->o->outname, tid, strerror(errno));
		t->stream = &r->out.main;
	}
	r->tasks[r->ntasks++] = t;
	r->out.live_tasks = (int)r->ntasks;
	return t;
}

static void remove_task(struct st_run *r, struct st_task *t)
{
	for (size_t i = 0; i < r->ntasks; i++) {
		if (r->tasks[i] == t) {
			r->tasks[i] = r->tasks[--r->ntasks];
			break;
		}
	}
	r->out.live_tasks = (int)r->ntasks;
	st_out_close_own(t);
	sb_free(&t->args);
	free(t);
}

static void init_dec(struct st_run *r, struct st_dec *d, struct sbuf *out)
{
	memset(d, 0, sizeof *d);
	d->out = out;
	d->fmt = &r->o->fmt;
	d->read = read_mem;
	d->read_ctx = r->s;
	d->ifname = st_host_ifname;
	if (r->o->fmt.show_fdpaths) {
		d->fdpath = st_fdtrack_path;
		d->fdpath_ctx = r->ft;
	}
	sb_init(&d->aux);
}

static bool is_text_wanted(const struct st_run *r)
{
	return r->o->summary != 1;
}

/* The spawned program's first line: strace sees the execve that starts it; here the
 * program starts without one, so the line is made from its initial stack. */
static void print_start_line(struct st_run *r, struct st_task *t, const struct hvt_event *ev)
{
	struct user_regs_struct regs;
	uint64_t argc;
	struct st_dec d;
	long nr = __NR_execve;

	r->has_start_line = true;
	if (hvt_get_regs(r->s, t->tid, &regs) ||
	    hvt_read_mem(r->s, t->tid, regs.rsp, &argc, sizeof argc) != sizeof argc)
		return;
	t->call = (struct st_call){.tid = t->tid, .nr = nr, .ret = 0, .is_exit = true};
	t->entry_time = ev->time;
	if (r->out.summary && st_filter_syscall(&r->o->filter, nr))
		st_summary_add(r->out.summary, nr, 0, false);
	if (!is_text_wanted(r) || !st_filter_syscall(&r->o->filter, nr) ||
	    !(r->o->filter.status & ST_SUCCESSFUL))
		return;
	sb_reset(&t->args);
	init_dec(r, &d, &t->args);
	st_quote(&t->args, (const unsigned char *)r->exec_path, strlen(r->exec_path), r->o->fmt.xflag, 0);
	sb_puts(&t->args, ", ");
	st_print_exec_vectors(&d, t->tid, regs.rsp + 8, regs.rsp + 8 * (argc + 2));
	t->entry_len = t->args.len;
	t->is_printed = false;
	st_out_exit(&r->out, t, "= 0", &ev->time);
	sb_free(&d.aux);
}

static void on_start(struct st_run *r, const struct hvt_event *ev)
{
	struct st_task *t = find_task(r, ev->tid);
	if (!t)
		t = add_task(r, ev->tid, ev->pid);
	if (!t)
		return;
	st_fdtrack_task(r->ft, ev->tid, ev->pid, ev->parent_tid, ev->is_thread);
	if (!r->is_attached && !r->has_start_line && !ev->parent_tid) {
		print_start_line(r, t, ev);
		return;
	}
	if (r->o->quiet < 1)
		fprintf(stderr, "strace: Process %d attached\n", ev->tid);
}

static void on_syscall_enter(struct st_run *r, struct st_task *t, const struct hvt_event *ev)
{
	t->call = (struct st_call){.tid = t->tid, .nr = ev->nr, .prev_nr = t->prev_nr};
	memcpy(t->call.args, ev->args, sizeof t->call.args);
	if (ev->nr == __NR_rt_sigreturn) {
		struct user_regs_struct regs;
		t->call.sp = ev->sp; /* a recorded call: the task runs on */
		if (ev->stopped && !hvt_get_regs(r->s, t->tid, &regs))
			t->call.sp = regs.rsp;
	}
	t->in_syscall = true;
	t->is_printed = false;
	t->entry_time = ev->time;
	t->is_shown = is_text_wanted(r) && st_filter_syscall(&r->o->filter, ev->nr);
	sb_reset(&t->args);
	if (!t->is_shown && !r->o->fmt.show_fdpaths)
		return;
	struct st_dec d;
	init_dec(r, &d, &t->args);
	st_decode_args(&d, &t->call);
	sb_free(&d.aux);
	t->entry_len = t->args.len;
	/* exit and exit_group do not return: strace ends their line at once. */
	if (st_syscall_ret(ev->nr) == RV_NONE) {
		t->in_syscall = false;
		if (t->is_shown)
			st_out_noreturn(&r->out, t);
		return;
	}
	if (t->is_shown)
		st_out_entry(&r->out, t);
}

static bool is_error(long ret)
{
	return ret < 0 && ret >= -4095;
}

static uint64_t ns_between(const struct timespec *from, const struct timespec *to)
{
	long ns = (to->tv_sec - from->tv_sec) * 1000000000L + (to->tv_nsec - from->tv_nsec);
	return ns > 0 ? (uint64_t)ns : 0;
}

/* cpu_now: the serving thread's CPU time at the exit (for -c without -w). */
static void on_syscall_exit(struct st_run *r, struct st_task *t, const struct hvt_event *ev,
			    const struct timespec *cpu_now)
{
	if (!t->in_syscall)
		return; /* attached inside a syscall: its entry was never seen */
	t->in_syscall = false;
	t->call.ret = ev->ret;
	/* ERESTART_RESTARTBLOCK: the restart_syscall that follows the handler resumes it. */
	if (ev->ret == -516)
		t->prev_nr = t->call.nr;
	t->call.is_exit = true;
	/* As strace: the table counts the calls -e trace= selects (status= filters lines only). */
	if (r->out.summary && st_filter_syscall(&r->o->filter, t->call.nr)) {
		uint64_t ns = r->o->is_wall_clock ? ns_between(&t->entry_time, &ev->time)
						  : ns_between(&t->entry_cpu, cpu_now);
		st_summary_add(r->out.summary, t->call.nr, ns, is_error(ev->ret));
	}
	struct st_dec d;
	struct sbuf ret;
	sb_init(&ret);
	init_dec(r, &d, &t->args);
	/* The table first: the result of open shows the path it now names (-y). */
	if (r->o->fmt.show_fdpaths && !is_error(ev->ret))
		st_fdtrack_syscall(r->ft, &d, &t->call);
	if (t->is_shown) {
		st_decode_args(&d, &t->call);
		d.out = &ret;
		st_decode_ret(&d, &t->call);
	}
	unsigned status = is_error(ev->ret) ? ST_FAILED : ST_SUCCESSFUL;
	if (t->is_shown && (r->o->filter.status & status))
		st_out_exit(&r->out, t, ret.s ? ret.s : "", &ev->time);
	sb_free(&ret);
	sb_free(&d.aux);
}

/* The thread of t's process inside execve, if any: its success ends every other thread
 * of the process (Linux's de_thread), which strace reports as superseded. */
static struct st_task *execing_thread(struct st_run *r, const struct st_task *t)
{
	for (size_t i = 0; i < r->ntasks; i++) {
		struct st_task *o = r->tasks[i];
		if (o != t && o->pid == t->pid && o->in_syscall &&
		    (o->call.nr == __NR_execve || o->call.nr == __NR_execveat))
			return o;
	}
	return NULL;
}

static void on_exited(struct st_run *r, struct st_task *t, const struct hvt_event *ev)
{
	struct st_task *by = execing_thread(r, t);
	if (t->in_syscall && t->is_shown)
		st_out_unfinished(&r->out, t, &ev->time, by != NULL);
	if (by)
		st_out_superseded(&r->out, t, by->tid, &ev->time);
	else
		st_out_task_exit(&r->out, t, ev->status, &ev->time);
	st_fdtrack_exit(r->ft, t->tid);
	remove_task(r, t);
}

/* A task that execs from a non-leader thread takes the pid as its tid (Linux's
 * de_thread): the trace follows it under its new id. */
static void on_exec(struct st_run *r, const struct hvt_event *ev)
{
	if (ev->old_tid && ev->old_tid != ev->tid) {
		struct st_task *old = find_task(r, ev->old_tid), *leader = find_task(r, ev->tid);
		if (leader && old) {
			remove_task(r, leader);
			old = find_task(r, ev->old_tid);
		}
		if (old)
			old->tid = ev->tid;
	}
}

/* Ctrl-C (or SIGTERM, SIGHUP): an attached session detaches, as strace -p; a spawned
 * program's processes get the signal, as strace sends it to the programs it started,
 * and the trace goes on until they end (a program may ignore it). Each process leader
 * is stopped (hvt_interrupt) and the signal goes with its next resume. */
static void handle_interrupt(struct st_run *r)
{
	int n = interrupt_count;
	/* Before the program's first task is seen, the signal waits for it. */
	if (n == r->handled_interrupts || (!r->is_attached && !r->ntasks))
		return;
	r->handled_interrupts = n;
	if (r->is_attached)
		return;
	for (size_t i = 0; i < r->ntasks; i++) {
		struct st_task *t = r->tasks[i];
		if (t->tid == t->pid) {
			t->pending_signal = interrupt_signal;
			hvt_interrupt(r->s, t->tid);
		}
	}
}

static void detach_all(struct st_run *r)
{
	for (size_t i = 0; i < r->ntasks; i++) {
		st_out_detach(&r->out, r->tasks[i]);
		if (r->o->quiet < 1)
			fprintf(stderr, "strace: Process %d detached\n", r->tasks[i]->tid);
	}
	hvt_detach(r->s);
}

/* The summary's time of a call, as strace's -c: the system time the call cost, which
 * here is the CPU time the host thread serving it spent on it (hvtrace is the
 * guest's kernel). The recorder runs on that thread, so it reads the thread's clock
 * itself, after its own decoding at entry and before it at exit: the tracer's work
 * is not counted, as strace's is not in the tracee's system time. With -w, the
 * wall-clock time between entry and exit instead (the latency, as strace -w). */
static bool wants_cpu_time(const struct st_run *r)
{
	return r->out.summary && !r->o->is_wall_clock;
}

static void read_cpu_clock(struct timespec *ts)
{
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, ts))
		*ts = (struct timespec){0, 0}; /* cannot fail for the calling thread */
}

/* hvt_recorder: a syscall entry or exit of a spawned program, where it is served. */
static void recorder(void *arg, const struct hvt_event *ev)
{
	struct st_run *r = arg;
	struct timespec cpu_now = {0, 0};

	if (ev->kind == HVT_EV_SYSCALL_EXIT && wants_cpu_time(r))
		read_cpu_clock(&cpu_now);
	pthread_mutex_lock(&r->mu);
	struct st_task *t = find_task(r, ev->tid);
	if (!t)
		t = add_task(r, ev->tid, ev->pid);
	if (t && ev->kind == HVT_EV_SYSCALL_ENTER) {
		on_syscall_enter(r, t, ev);
		if (wants_cpu_time(r))
			read_cpu_clock(&t->entry_cpu);
	} else if (t && ev->kind == HVT_EV_SYSCALL_EXIT) {
		on_syscall_exit(r, t, ev, &cpu_now);
	}
	if (r->out.main.f == stderr)
		fflush(stderr);
	pthread_mutex_unlock(&r->mu);
}

static int loop(struct st_run *r)
{
	int status = 0;
	for (;;) {
		struct hvt_event ev;
		pthread_mutex_lock(&r->mu);
		handle_interrupt(r);
		pthread_mutex_unlock(&r->mu);
		if (r->is_attached && interrupt_count) {
			detach_all(r);
			break;
		}
		int rc = hvt_wait(r->s, &ev, 200);
		if (rc == -ETIMEDOUT || rc == -EINTR)
			continue;
		if (rc == -ECHILD)
			break;
		if (rc < 0) {
			fprintf(stderr, "hvtrace strace: hvt_wait: %s\n", strerror(-rc));
			status = 1;
			break;
		}
		if (ev.kind == HVT_EV_GUEST_EXITED) {
			status = ev.status;
			break;
		}
		pthread_mutex_lock(&r->mu);
		if (ev.kind == HVT_EV_START)
			on_start(r, &ev);
		if (ev.kind == HVT_EV_EXEC)
			on_exec(r, &ev);
		struct st_task *t = find_task(r, ev.tid);
		if (!t && ev.stopped)
			t = add_task(r, ev.tid, ev.pid);
		int signo = 0;
		if (t) {
			switch (ev.kind) {
			/* A stop's CPU time is the stopped task's thread's (hvt_event). */
			case HVT_EV_SYSCALL_ENTER:
				on_syscall_enter(r, t, &ev);
				t->entry_cpu = ev.cpu_time;
				break;
			case HVT_EV_SYSCALL_EXIT: on_syscall_exit(r, t, &ev, &ev.cpu_time); break;
			case HVT_EV_SIGNAL:
				st_out_signal(&r->out, t, &ev.info, &ev.time);
				signo = ev.info.si_signo;
				break;
			case HVT_EV_EXITED: on_exited(r, t, &ev); break;
			default: break;
			}
		}
		if (r->out.main.f == stderr)
			fflush(stderr);
		/* Not at a signal stop: there the resume's signal replaces the one delivered. */
		if (t && ev.stopped && t->pending_signal && ev.kind != HVT_EV_SIGNAL) {
			signo = t->pending_signal;
			t->pending_signal = 0;
		}
		bool done = r->is_attached && !r->ntasks && ev.kind == HVT_EV_EXITED;
		pthread_mutex_unlock(&r->mu);
		if (ev.stopped) {
			rc = hvt_resume(r->s, ev.tid, HVT_CONT, signo);
			if (rc && rc != -ESRCH)
				fprintf(stderr, "hvtrace strace: hvt_resume %d: %s\n", ev.tid, strerror(-rc));
		}
		if (done)
			break;
	}
	return status;
}

/* -p VM:PID: the VM as `hvtrace ps` names it (or its socket path), and a guest tid. */
static int attach(struct st_run *r, unsigned flags)
{
	char *spec = strdup(r->o->attach);
	if (!spec)
		return -ENOMEM;
	char *colon = strrchr(spec, ':');
	char *end;
	long tid = colon ? strtol(colon + 1, &end, 10) : 0;
	if (!colon || !*(colon + 1) || *end || tid <= 0) {
		fprintf(stderr, "hvtrace strace: -p %s: expected VM:PID (a VM of `hvtrace ps`)\n", r->o->attach);
		free(spec);
		return -EINVAL;
	}
	*colon = 0;
	int rc = hvt_attach(spec, (int)tid, flags, &r->s);
	if (rc)
		fprintf(stderr, "hvtrace strace: attach %s: %s\n", r->o->attach,
			hvt_spawn_error()[0] ? hvt_spawn_error() : strerror(-rc));
	free(spec);
	r->is_attached = true;
	return rc;
}

int st_run(const struct st_opts *o, char **argv)
{
	struct st_run r = {.o = o, .mu = PTHREAD_MUTEX_INITIALIZER};
	struct st_summary *summary = NULL;
	char *exec_path = NULL;
	int status = 1, rc;
	unsigned flags = HVT_TRACE_SYSCALLS | HVT_TRACE_SIGNALS | HVT_TRACE_EXEC |
			 (o->follow ? HVT_TRACE_FOLLOW : 0);

	r.out.o = o;
	r.out.main.f = stderr;
	if (o->outname && o->follow < 2 && !(r.out.main.f = fopen(o->outname, "w"))) {
		fprintf(stderr, "hvtrace strace: %s: %s\n", o->outname, strerror(errno));
		return 1;
	}
	if (o->summary && !(summary = calloc(1, sizeof *summary)))
		goto out;
	r.out.summary = summary;
	if (!(r.ft = st_fdtrack_new()))
		goto out;

	struct sigaction sa = {.sa_handler = on_interrupt};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (o->attach) {
		rc = attach(&r, flags);
	} else {
		/* With --root the program is the guest's: its path is looked up there. */
		exec_path = o->root ? strdup(argv[0]) : hvt_find_program(argv[0]);
		r.exec_path = exec_path ? exec_path : argv[0];
		struct hvt_spawn_options so = {
			.path = r.exec_path,
			.argv = argv,
			.stdio = {-1, -1, -1},
			.flags = flags | HVT_STOP_AT_ENTRY,
			.root = o->root,
			.mem_size = o->mem_size,
			.transport = o->transport,
			.recorder = recorder,
			.recorder_arg = &r,
		};
		rc = hvt_spawn(&so, &r.s);
		if (rc)
			fprintf(stderr, "hvtrace strace: %s\n", hvt_spawn_error()[0] ? hvt_spawn_error() : strerror(-rc));
		else
			sandbox_enter_or_exit("hvtrace strace"); /* set up: confined from here */
	}
	if (rc) {
		status = o->attach ? 1 : (rc == -ENOEXEC || rc == -ENOENT ? 127 : 126);
		goto out;
	}
	status = loop(&r);
	if (summary)
		st_summary_print(r.out.main.f ? r.out.main.f : stderr, summary);
	if (r.is_attached) {
		hvt_close(r.s);
	} else {
		int closed = hvt_close(r.s);
		if (!status)
			status = closed;
	}
out:
	while (r.ntasks)
		remove_task(&r, r.tasks[r.ntasks - 1]);
	free(r.tasks);
	st_fdtrack_free(r.ft);
	free(summary);
	free(exec_path);
	if (r.out.main.f && r.out.main.f != stderr)
		fclose(r.out.main.f);
	else
		fflush(stderr);
	return status;
}
