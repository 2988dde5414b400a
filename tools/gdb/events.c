/* Events from the session and the all-stop model gdb's default mode wants: when one
 * thread stops for something gdb must see, every other thread is stopped (hvt_interrupt)
 * before the stop reply goes out; events other threads had meanwhile stay pending and
 * are reported at the next resume instead of resuming (as gdbserver). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "tools/gdb/stub.h"

static void note_exit(struct gdb_stub *st, int pid, int status)
{
	gdb_forget_pid(st, pid);
	if (st->nexits < GDB_MAX_EXITS)
		st->exits[st->nexits++] = (struct gdb_exit){pid, status};
}

static bool passes(struct gdb_stub *st, int host_sig)
{
	int g = gdb_signal_from_host(host_sig);
	return g > 0 && g < GDB_SIGNAL_LAST && (st->pass_signals[g / 8] & (1u << (g % 8)));
}

/* The guest's end: processes whose exit we did not see get the guest's status. */
static void guest_gone(struct gdb_stub *st, int status)
{
	st->is_guest_gone = true;
	st->guest_status = status;
	while (st->nlive_pids)
		note_exit(st, st->live_pids[0], (status & 0xff) << 8);
	st->nthreads = 0;
}

/* A child gdb is not told of: it runs on unseen. gdb's breakpoints are not in a fork
 * child's copy of the address space (as after Linux's fork); a vfork child steps over
 * its parent's unseen (ptrace/hwbp.c). Its START, when it comes, is resumed unseen. */
static void let_child_go(struct gdb_stub *st, int child_pid)
{
	struct gdb_thread *c = gdb_find_thread(st, child_pid);

	gdb_add_detached(st, child_pid);
	if (c && c->is_stopped)
		gdb_resume_thread(st, c, HVT_CONT, 0);
	gdb_remove_thread(st, child_pid);
}

/* A stop gdb is not told of: the thread goes on as gdb last let it (inside stop_all it
 * stays stopped, to be resumed with the others). */
static void carry_on(struct gdb_stub *st, struct gdb_thread *t)
{
	if (st->is_running && !st->is_stopping && t->is_resumed)
		gdb_resume_thread(st, t, t->last_how, 0);
}

static void set_pending(struct gdb_thread *t, const struct hvt_event *ev)
{
	t->has_pending = true;
	t->pending = *ev;
}

/* An exec replaced the process image: its other threads are gone, the execing one may
 * have taken the pid as tid, and the old address space's breakpoints went with it. */
static void exec_happened(struct gdb_stub *st, const struct hvt_event *ev)
{
	for (int i = 0; i < st->nthreads;) {
		struct gdb_thread *o = &st->threads[i];
		if (o->pid == ev->pid && o->tid != ev->old_tid && o->tid != ev->tid)
			gdb_remove_thread(st, o->tid);
		else
			i++;
	}
	struct gdb_thread *t = gdb_find_thread(st, ev->old_tid);
	if (t && ev->old_tid != ev->tid) {
		gdb_remove_thread(st, ev->tid);
		t = gdb_find_thread(st, ev->old_tid);
		t->tid = ev->tid;
	}
	gdb_drop_bps(st, ev->pid, false);
}

/* The parent's HVT_EV_FORK: reported to gdb (fork:/vfork: stop) when it asked for such
 * events, the child then held until gdb detaches or resumes it; otherwise the child
 * goes its way. The child's START comes after this event (hvtrace.h): its entry is made
 * here, hidden until the fork is reported. */
static void forked(struct gdb_stub *st, struct gdb_thread *t, const struct hvt_event *ev)
{
	if (ev->is_thread) {
		carry_on(st, t); /* not asked for: threads join with their START */
		return;
	}
	if (!(ev->is_vfork ? st->vfork_events : st->fork_events)) {
		let_child_go(st, ev->child_tid);
		carry_on(st, t);
		return;
	}
	set_pending(t, ev);
	struct gdb_thread *c = gdb_add_thread(st, ev->child_tid, ev->child_tid); /* moves t */
	if (!c) {
		/* No room to hold it: gdb hears of neither. */
		t = gdb_find_thread(st, ev->tid);
		t->has_pending = false;
		let_child_go(st, ev->child_tid);
		carry_on(st, t);
		return;
	}
	c->is_stopped = false; /* until its START */
	c->is_hidden = true;
}

void gdb_handle_event(struct gdb_stub *st, const struct hvt_event *ev)
{
	struct gdb_thread *t;

	if (st->is_debug)
		fprintf(stderr, "event %d pid %d tid %d stopped %d addr %llx sig %d status %#x parent %d child %d%s%s\n",
			ev->kind, ev->pid, ev->tid, ev->stopped, (unsigned long long)ev->addr,
			ev->kind == HVT_EV_SIGNAL ? ev->info.si_signo : 0, ev->status, ev->parent_tid,
			ev->child_tid, ev->is_thread ? " thread" : "", ev->is_vfork ? " vfork" : "");
	if (ev->kind == HVT_EV_GUEST_EXITED) {
		st->has_guest_ended = true;
		guest_gone(st, ev->status);
		return;
	}
	if (ev->kind == HVT_EV_EXITED) {
		gdb_remove_thread(st, ev->tid);
		if (!gdb_is_detached(st, ev->pid) && !gdb_pid_has_threads(st, ev->pid))
			note_exit(st, ev->pid, ev->status);
		return;
	}
	if (ev->kind == HVT_EV_EXEC)
		exec_happened(st, ev);
	bool is_known = gdb_find_thread(st, ev->tid) != NULL;
	if (!(t = gdb_add_thread(st, ev->pid, ev->tid)))
		return;
	t->is_stopped = ev->stopped;
	if (!ev->stopped)
		return;

	/* A process gdb let go: resumed unseen, its signals delivered, its children let go
	 * too (a child of one has no entry: its START lets it go, below). */
	if (gdb_is_detached(st, ev->pid)) {
		if (ev->kind == HVT_EV_FORK && !ev->is_thread)
			gdb_add_detached(st, ev->child_tid);
		gdb_resume_thread(st, t, HVT_CONT, ev->kind == HVT_EV_SIGNAL ? ev->info.si_signo : 0);
		gdb_remove_thread(st, ev->tid); /* not gdb's: never listed */
		return;
	}

	switch (ev->kind) {
	case HVT_EV_START:
		if (ev->is_thread || !ev->parent_tid) {
			/* A new thread joins whatever the others do. */
			gdb_note_pid(st, ev->pid);
			t->is_resumed = st->is_running;
			if (st->is_running && !st->is_stopping)
				gdb_resume_thread(st, t, HVT_CONT, 0);
			return;
		}
		/* A child whose fork gdb hears of waits for gdb; any other goes. */
		if (!is_known)
			let_child_go(st, ev->pid);
		return;
	case HVT_EV_FORK:
		forked(st, t, ev);
		return;
	case HVT_EV_VFORK_DONE:
		if (!st->vfork_events) {
			carry_on(st, t);
			return;
		}
		break;
	case HVT_EV_INTERRUPT:
		/* Outside stop_all it is the late answer to an hvt_interrupt of an earlier
		 * stop_all, which the task outran by stopping for something else (as a
		 * Linux PTRACE_INTERRUPT stays pending): it continues as it was told. */
		carry_on(st, t);
		return;
	case HVT_EV_SIGNAL:
		if (passes(st, ev->info.si_signo)) {
			/* Delivered, and the thread goes on as it was: a step stays a step
			 * (gdb's next over a call that brings a SIGCHLD). */
			if (st->is_running && !st->is_stopping)
				gdb_resume_thread(st, t, t->last_how, ev->info.si_signo);
			else
				t->pass_sig = ev->info.si_signo;
			return;
		}
		break;
	case HVT_EV_BREAKPOINT:
		if (!gdb_find_bp(st, ev->pid, true, ev->addr)) {
			/* Removed while the hit was queued: rip is at addr, run it for real. */
			if (st->is_running && !st->is_stopping)
				gdb_resume_thread(st, t, t->last_how, 0);
			return;
		}
		break;
	default:
		break;
	}
	set_pending(t, ev);
}

bool gdb_has_pending(struct gdb_stub *st)
{
	for (int i = 0; i < st->nthreads; i++) {
		struct gdb_thread *t = &st->threads[i];
		if (!t->is_resumed)
			continue;
		if (t->has_pending && t->pending.kind == HVT_EV_BREAKPOINT &&
		    !gdb_find_bp(st, t->pid, true, t->pending.addr))
			t->has_pending = false; /* gdb removed it since: nothing to report */
		/* A step that ended while another thread's stop was reported, and gdb now
		 * continues the thread instead: the step is done, and reporting it would
		 * look like a stray SIGTRAP to gdb (gdbserver drops it too). */
		if (t->has_pending && t->pending.kind == HVT_EV_STEP && !t->is_stepping)
			t->has_pending = false;
		if (t->has_pending)
			return true;
	}
	return false;
}

/* A task that vanished without its EXITED being taken yet, or stopped without an event
 * (hvt_interrupt's "already stopped" case): believe hvt_tasks. */
static void reconcile(struct gdb_stub *st)
{
	struct hvt_task_info info[512];
	int n = hvt_tasks(st->s, info, 512);

	if (n < 0 || n > 512)
		return;
	for (int i = 0; i < st->nthreads;) {
		struct gdb_thread *t = &st->threads[i];
		int j = 0;
		while (j < n && info[j].tid != t->tid)
			j++;
		if (j == n) {
			gdb_remove_thread(st, t->tid);
			continue;
		}
		if (info[j].stopped)
			t->is_stopped = true;
		i++;
	}
}

static bool any_running(struct gdb_stub *st)
{
	for (int i = 0; i < st->nthreads; i++)
		if (!st->threads[i].is_stopped)
			return true;
	return false;
}

/* Bounded: a task that ignores hvt_interrupt for ~10 s is taken as stopped, so the
 * connection is never stuck (its later event is handled as usual). */
void gdb_stop_all(struct gdb_stub *st)
{
	struct hvt_event ev;
	int timeouts = 0;

	st->is_stopping = true;
	for (int i = 0; i < st->nthreads; i++)
		if (!st->threads[i].is_stopped)
			hvt_interrupt(st->s, st->threads[i].tid);
	while (!st->is_guest_gone && any_running(st)) {
		int r = hvt_wait(st->s, &ev, 100);
		if (r == 0) {
			gdb_handle_event(st, &ev);
		} else if (r == -ECHILD) {
			guest_gone(st, st->guest_status);
		} else if (r == -ETIMEDOUT) {
			reconcile(st);
			if (++timeouts == 100) {
				fprintf(stderr, "hvtrace gdb: a task did not stop for hvt_interrupt\n");
				for (int i = 0; i < st->nthreads; i++)
					st->threads[i].is_stopped = true;
			}
		} else {
			break;
		}
	}
	st->is_stopping = false;
}

/* Stop replies ------------------------------------------------------------------------ */

static void reply_exit(struct gdb_stub *st, const struct gdb_exit *e)
{
	if (WIFSIGNALED(e->status))
		gdb_reply(st, "X%02x", gdb_signal_from_host(WTERMSIG(e->status)));
	else
		gdb_reply(st, "W%02x", WEXITSTATUS(e->status));
	if (st->multiprocess)
		gdb_reply(st, ";process:%x", (unsigned)e->pid);
}

static void reply_thread_stop(struct gdb_stub *st, struct gdb_thread *t, int gdb_sig)
{
	gdb_reply(st, "T%02xthread:", gdb_sig);
	gdb_reply_ptid(st, t->pid, t->tid);
	gdb_reply(st, ";");
	gdb_reply_expedite(st, t->tid);
}

/* The siginfo Linux would show at this stop (PTRACE_GETSIGINFO, gdb's $_siginfo): the
 * signal's own, else the SIGTRAP of the trap or ptrace event (arch/x86 traps.c and
 * ptrace_event(): int3 SI_KERNEL, debug registers TRAP_HWBKPT, a step TRAP_TRACE,
 * events SIGTRAP | event << 8). */
_Static_assert(sizeof(siginfo_t) == 128, "gdb reads Linux's 128-byte siginfo_t");

static void stop_siginfo(struct gdb_stub *st, struct gdb_thread *t, const struct hvt_event *ev, bool is_hw_bp)
{
	struct user_regs_struct r;
	siginfo_t *i = &t->siginfo;

	t->has_siginfo = true;
	if (ev->kind == HVT_EV_SIGNAL) {
		*i = ev->info;
		return;
	}
	memset(i, 0, sizeof *i);
	i->si_signo = SIGTRAP;
	switch (ev->kind) {
	case HVT_EV_BREAKPOINT:
	case HVT_EV_WATCHPOINT:
	case HVT_EV_STEP:
		i->si_code = ev->kind == HVT_EV_STEP ? TRAP_TRACE : is_hw_bp || ev->kind == HVT_EV_WATCHPOINT ? TRAP_HWBKPT : SI_KERNEL;
		if (i->si_code != SI_KERNEL && !hvt_get_regs(st->s, t->tid, &r))
			i->si_addr = (void *)(uintptr_t)r.rip;
		break;
	case HVT_EV_FORK:
		i->si_code = SIGTRAP | (ev->is_thread ? PTRACE_EVENT_CLONE : ev->is_vfork ? PTRACE_EVENT_VFORK
								: PTRACE_EVENT_FORK) << 8;
		break;
	case HVT_EV_VFORK_DONE:
		i->si_code = SIGTRAP | PTRACE_EVENT_VFORK_DONE << 8;
		break;
	case HVT_EV_EXEC:
		i->si_code = SIGTRAP | PTRACE_EVENT_EXEC << 8;
		break;
	default: /* the entry stop, an attach: a PTRACE_INTERRUPT-like stop */
		i->si_code = SIGTRAP | PTRACE_EVENT_STOP << 8;
		break;
	}
}
static void reply_stop(struct gdb_stub *st, struct gdb_thread *t)
{
	const struct hvt_event *ev = &t->pending;
	struct gdb_bp *bp = NULL;
	struct gdb_thread *c;
	char path[4096];

	if (ev->kind == HVT_EV_BREAKPOINT)
		bp = gdb_find_bp(st, t->pid, true, ev->addr);
	stop_siginfo(st, t, ev, bp && bp->type == HVT_BP_HW);
	switch (ev->kind) {
	case HVT_EV_SIGNAL:
		reply_thread_stop(st, t, gdb_signal_from_host(ev->info.si_signo));
		return;
	case HVT_EV_FORK:
		reply_thread_stop(st, t, GDB_SIGNAL_TRAP);
		gdb_reply(st, "%s:", ev->is_vfork ? "vfork" : "fork");
		gdb_reply_ptid(st, ev->child_tid, ev->child_tid);
		gdb_reply(st, ";");
		/* gdb knows the child from now on: it detaches or resumes it. */
		if ((c = gdb_find_thread(st, ev->child_tid)))
			c->is_hidden = false;
		gdb_note_pid(st, ev->child_tid);
		return;
	case HVT_EV_VFORK_DONE:
		reply_thread_stop(st, t, GDB_SIGNAL_TRAP);
		gdb_reply(st, "vforkdone:;");
		return;
	case HVT_EV_BREAKPOINT:
		reply_thread_stop(st, t, GDB_SIGNAL_TRAP);
		if (bp && bp->type == HVT_BP_SW && st->swbreak)
			gdb_reply(st, "swbreak:;");
		if (bp && bp->type == HVT_BP_HW && st->hwbreak)
			gdb_reply(st, "hwbreak:;");
		return;
	case HVT_EV_WATCHPOINT:
		reply_thread_stop(st, t, GDB_SIGNAL_TRAP);
		bp = gdb_find_bp(st, t->pid, false, ev->addr);
		gdb_reply(st, "%s:%llx;", !bp || bp->type == HVT_BP_WRITE ? "watch" :
			  bp->type == HVT_BP_READ ? "rwatch" : "awatch", (unsigned long long)ev->addr);
		return;
	case HVT_EV_EXEC:
		reply_thread_stop(st, t, GDB_SIGNAL_TRAP);
		if (st->exec_events && hvt_exe_path(st->s, t->tid, path, sizeof path) >= 0) {
			gdb_reply(st, "exec:");
			gdb_reply_hex(st, path, strlen(path));
			gdb_reply(st, ";");
		}
		return;
	default: /* STEP, or a START gdb had not seen */
		reply_thread_stop(st, t, GDB_SIGNAL_TRAP);
		return;
	}
}

/* The first thread with a stop to report: the others keep theirs for the next
 * resumes, each reported before anything runs again. */
static struct gdb_thread *pick_pending(struct gdb_stub *st)
{
	for (int i = 0; i < st->nthreads; i++)
		if (st->threads[i].has_pending && st->threads[i].is_resumed)
			return &st->threads[i];
	return NULL;
}

bool gdb_poll_events(struct gdb_stub *st)
{
	struct hvt_event ev;
	struct gdb_thread *t;

	while (!st->is_guest_gone) {
		int r = hvt_wait(st->s, &ev, 0);
		if (r == -ECHILD)
			guest_gone(st, st->guest_status);
		if (r)
			break;
		gdb_handle_event(st, &ev);
	}
	if (!st->is_running)
		return false;
	bool has_pending = gdb_has_pending(st);
	if (!has_pending && !st->ctrl_c && !st->nexits && !(st->is_guest_gone && !st->nthreads))
		return false;
	gdb_stop_all(st);
	gdb_has_pending(st);
	st->reply_len = 0;
	/* A process's end first: it happened before the stops its end caused (a parent's
	 * SIGCHLD, what its wait returned to). */
	if (st->nexits) {
		reply_exit(st, &st->exits[0]);
		memmove(st->exits, st->exits + 1, (size_t)--st->nexits * sizeof st->exits[0]);
	} else if ((t = pick_pending(st))) {
		reply_stop(st, t);
		t->has_pending = false;
		st->g_thread = (struct gdb_ptid){t->pid, t->tid};
	} else if (st->ctrl_c && ((t = gdb_match_thread(st, st->c_thread)) ||
				  (t = gdb_match_thread(st, (struct gdb_ptid){-1, -1})))) {
		/* As gdbserver's Ctrl-C: a SIGINT to the program, stopped before delivery. */
		memset(&t->siginfo, 0, sizeof t->siginfo);
		t->siginfo.si_signo = SIGINT;
		t->siginfo.si_code = SI_USER;
		t->has_siginfo = true;
		reply_thread_stop(st, t, GDB_SIGNAL_INT);
		st->g_thread = (struct gdb_ptid){t->pid, t->tid};
	} else {
		struct gdb_exit e = {st->nlive_pids ? st->live_pids[0] : 0, (st->guest_status & 0xff) << 8};
		reply_exit(st, &e);
	}
	st->ctrl_c = false;
	st->is_running = false;
	if (st->reply_len < sizeof st->last_stop) {
		memcpy(st->last_stop, st->reply, st->reply_len);
		st->last_stop[st->reply_len] = 0;
	}
	return true;
}

void gdb_interrupt(struct gdb_stub *st)
{
	st->ctrl_c = true;
}

void gdb_cmd_status(struct gdb_stub *st)
{
	struct gdb_thread *t = gdb_general_thread(st);

	if (!t) {
		/* No process (yet, or any more): as gdbserver, a plain exit. */
		gdb_reply(st, "W%02x", (st->guest_status & 0xff));
		return;
	}
	if (!t->has_siginfo) {
		struct hvt_event ev = {.kind = HVT_EV_START};
		stop_siginfo(st, t, &ev, false);
	}
	if (st->last_stop[0] && st->last_stop[0] == 'T') {
		gdb_reply(st, "%s", st->last_stop);
		return;
	}
	reply_thread_stop(st, t, GDB_SIGNAL_TRAP);
	st->g_thread = (struct gdb_ptid){t->pid, t->tid};
}
