/* Packets that let the program run or end the debugging: c/C/s/S and vCont (all-stop:
 * every thread runs unless vCont leaves it out), D, k and vKill. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "tools/gdb/stub.h"

int gdb_resume_thread(struct gdb_stub *st, struct gdb_thread *t, enum hvt_resume_how how, int sig)
{
	int err = hvt_resume(st->s, t->tid, how, sig);

	if (err == -ESRCH) {
		gdb_remove_thread(st, t->tid);
		return err;
	}
	if (err == 0) {
		t->last_how = how;
		t->is_stopped = false;
		t->pass_sig = 0;
	}
	return err;
}

/* Runs the threads with an action. A stop still pending from the last stop-everything
 * is reported instead, before anything runs (gdb then decides again). */
static void resume_actions(struct gdb_stub *st)
{
	st->is_running = true;
	for (int i = 0; i < st->nthreads; i++) {
		st->threads[i].is_resumed = st->threads[i].action != GDB_ACT_NONE;
		st->threads[i].is_stepping = st->threads[i].action == GDB_ACT_STEP;
	}
	if (gdb_has_pending(st) || st->nexits)
		goto clear;
	for (int i = 0; i < st->nthreads;) {
		struct gdb_thread *t = &st->threads[i];
		if (!t->is_stopped || t->action == GDB_ACT_NONE || t->is_hidden) {
			i++;
			continue;
		}
		int sig = t->action_sig ? t->action_sig : t->pass_sig;
		enum hvt_resume_how how = t->action == GDB_ACT_STEP ? HVT_STEP : HVT_CONT;
		if (gdb_resume_thread(st, t, how, sig) != -ESRCH)
			i++;
	}
clear:
	for (int i = 0; i < st->nthreads; i++) {
		st->threads[i].action = GDB_ACT_NONE;
		st->threads[i].action_sig = 0;
	}
}

/* A signal in gdb's numbering as Linux's: -EINVAL for one Linux lacks. */
static int parse_signal(const char **p, int *host)
{
	uint64_t g;

	if (gdb_parse_hex(p, &g) || g >= GDB_SIGNAL_LAST)
		return -EINVAL;
	*host = gdb_signal_to_host((int)g);
	return *host < 0 ? -EINVAL : 0;
}

/* "c[addr]", "Csig[;addr]", "s[addr]", "Ssig[;addr]": every thread continues; the Hc
 * thread (or the one that stopped last) gets the step and the signal. */
void gdb_cmd_continue(struct gdb_stub *st, const char *pkt)
{
	const char *p = pkt + 1;
	int sig = 0;
	uint64_t addr;
	bool has_addr = false;

	if ((pkt[0] == 'C' || pkt[0] == 'S') && parse_signal(&p, &sig))
		return gdb_reply_error(st, EINVAL);
	if ((pkt[0] == 'C' || pkt[0] == 'S') && *p == ';')
		p++;
	if (*p) {
		if (gdb_parse_hex(&p, &addr) || *p)
			return gdb_reply_error(st, EINVAL);
		has_addr = true;
	}
	struct gdb_thread *self = gdb_match_thread(st, st->c_thread);
	if (!self || st->c_thread.tid <= 0)
		self = gdb_general_thread(st);
	if (!self && st->nexits) {
		st->is_running = true; /* nothing left to run: the exit is the stop */
		return;
	}
	if (!self)
		return gdb_reply_error(st, ESRCH);
	if (has_addr) {
		struct user_regs_struct r;
		int err = hvt_get_regs(st->s, self->tid, &r);
		if (!err) {
			r.rip = addr;
			err = hvt_set_regs(st->s, self->tid, &r);
		}
		if (err)
			return gdb_reply_error(st, err);
	}
	for (int i = 0; i < st->nthreads; i++) {
		st->threads[i].action = GDB_ACT_CONT;
		st->threads[i].action_sig = 0;
	}
	self->action = pkt[0] == 's' || pkt[0] == 'S' ? GDB_ACT_STEP : GDB_ACT_CONT;
	self->action_sig = sig;
	resume_actions(st);
}

/* "vCont;ACTION[:ptid];..." (args without the "vCont;"): each thread takes the first
 * action whose thread id matches it (one without an id matches all). */
void gdb_cmd_vcont(struct gdb_stub *st, const char *args)
{
	const char *p = args;
	bool any = false;

	for (int i = 0; i < st->nthreads; i++) {
		st->threads[i].action = GDB_ACT_NONE;
		st->threads[i].action_sig = 0;
	}
	while (*p) {
		char op = *p++;
		int sig = 0;
		struct gdb_ptid id = {-1, -1};
		if (op != 'c' && op != 'C' && op != 's' && op != 'S')
			goto bad; /* t and r are not offered in vCont? */
		if ((op == 'C' || op == 'S') && parse_signal(&p, &sig))
			goto bad;
		if (*p == ':' && (p++, gdb_parse_ptid(&p, &id)))
			goto bad;
		if (*p && *p++ != ';')
			goto bad;
		for (int i = 0; i < st->nthreads; i++) {
			struct gdb_thread *t = &st->threads[i];
			if (t->action != GDB_ACT_NONE || !gdb_ptid_matches(id, t))
				continue;
			t->action = op == 's' || op == 'S' ? GDB_ACT_STEP : GDB_ACT_CONT;
			t->action_sig = sig;
			any = true;
		}
	}
	if (!any && !st->nexits)
		return gdb_reply_error(st, ESRCH);
	resume_actions(st);
	return;
bad:
	for (int i = 0; i < st->nthreads; i++)
		st->threads[i].action = GDB_ACT_NONE;
	gdb_reply_error(st, EINVAL);
}

/* Lets one process of several go: its breakpoints out, its threads resumed, and its
 * later events resumed unseen. */
static void detach_process(struct gdb_stub *st, int pid)
{
	gdb_drop_bps(st, pid, true);
	gdb_add_detached(st, pid);
	gdb_forget_pid(st, pid);
	for (int i = 0; i < st->nthreads;) {
		struct gdb_thread *t = &st->threads[i];
		if (t->pid != pid) {
			i++;
			continue;
		}
		int sig = t->has_pending && t->pending.kind == HVT_EV_SIGNAL ? t->pending.info.si_signo : t->pass_sig;
		int hidden_child = t->has_pending && t->pending.kind == HVT_EV_FORK ? t->pending.child_tid : 0;
		if (t->is_stopped)
			hvt_resume(st->s, t->tid, HVT_CONT, sig);
		gdb_remove_thread(st, t->tid);
		/* A fork gdb was never told of: its child goes too (the table changed:
		 * start over). */
		if (hidden_child) {
			detach_process(st, hidden_child);
			i = 0;
		}
	}
}

/* "D" or "D;pid". */
void gdb_cmd_detach(struct gdb_stub *st, const char *pkt)
{
	const char *p = pkt + 1;
	uint64_t pid = 0;
	bool others = false;

	if (*p == ';' && (p++, gdb_parse_hex(&p, &pid)))
		return gdb_reply_error(st, EINVAL);
	if (*p)
		return gdb_reply_error(st, EINVAL);
	for (int i = 0; i < st->nthreads; i++)
		if (pid && st->threads[i].pid != (int)pid)
			others = true;
	if ((pid && !gdb_pid_has_threads(st, (int)pid)) || !st->s || !st->nthreads)
		return gdb_reply_error(st, ESRCH);
	if (others) {
		detach_process(st, (int)pid);
		gdb_reply(st, "OK");
		return;
	}
	/* The last process: the whole session lets go. */
	for (int i = 0; i < st->nthreads; i++)
		gdb_drop_bps(st, st->threads[i].pid, true);
	int err = hvt_detach(st->s);
	if (err)
		return gdb_reply_error(st, err);
	st->nthreads = 0;
	st->nlive_pids = 0;
	st->is_guest_gone = true; /* nothing more to see on this session */
	st->should_quit = !st->extended;
	gdb_reply(st, "OK");
}

/* Takes events until the killed tasks are gone (bounded: ~10 s). */
static void drain_after_kill(struct gdb_stub *st)
{
	struct hvt_event ev;

	for (int i = 0; i < 100 && !st->is_guest_gone && st->nthreads; i++) {
		int r = hvt_wait(st->s, &ev, 100);
		if (r == -ECHILD)
			st->is_guest_gone = true;
		else if (r == 0)
			gdb_handle_event(st, &ev);
	}
	st->nthreads = 0;
	st->nexits = 0;
	st->nlive_pids = 0;
}

/* "k" (no reply): hvt_kill ends the traced processes. */
void gdb_cmd_kill(struct gdb_stub *st, const char *pkt)
{
	int err = st->nthreads ? hvt_kill(st->s) : 0;

	if (err && err != -ESRCH)
		return gdb_reply_error(st, err);
	drain_after_kill(st);
	st->is_running = false;
	if (pkt[0] == 'k')
		st->should_quit = !st->extended;
	else
		gdb_reply(st, "OK");
}

/* Ends process pid alone, others live on: SIGKILL, sent as it resumes (hvt_resume's
 * signal), then its end taken (bounded: ~10 s) and not reported: gdb asked for it. */
static int kill_one(struct gdb_stub *st, int pid)
{
	struct gdb_thread *t = NULL;
	struct hvt_event ev;

	/* A fork gdb was not told of yet: its child is let go, as a detach does. */
	for (int i = 0; i < st->nthreads; i++) {
		struct gdb_thread *x = &st->threads[i];
		if (x->pid == pid && x->has_pending && x->pending.kind == HVT_EV_FORK) {
			x->has_pending = false;
			detach_process(st, x->pending.child_tid);
			i = -1; /* the table changed */
		}
	}
	for (int i = 0; i < st->nthreads && !t; i++)
		if (st->threads[i].pid == pid && st->threads[i].is_stopped)
			t = &st->threads[i];
	if (!t)
		return -EBUSY; /* all-stop: cannot happen while gdb sends packets */
	int err = hvt_resume(st->s, t->tid, HVT_CONT, SIGKILL);
	if (err)
		return err;
	t->is_stopped = false;
	for (int i = 0; i < 100 && !st->is_guest_gone && gdb_pid_has_threads(st, pid); i++)
		if (hvt_wait(st->s, &ev, 100) == 0)
			gdb_handle_event(st, &ev);
	for (int i = 0; i < st->nexits;)
		if (st->exits[i].pid == pid)
			st->exits[i] = st->exits[--st->nexits];
		else
			i++;
	gdb_forget_pid(st, pid);
	return gdb_pid_has_threads(st, pid) ? -ETIMEDOUT : 0;
}

/* "vKill;PID" (OK): that process ends; the last one gdb has ends with everything. */
void gdb_cmd_vkill(struct gdb_stub *st, const char *args)
{
	const char *p = args;
	uint64_t pid;
	bool others = false;

	if (gdb_parse_hex(&p, &pid) || *p || pid > 0x3fffffff)
		return gdb_reply_error(st, EINVAL);
	if (!st->s || !gdb_pid_has_threads(st, (int)pid))
		return gdb_reply_error(st, ESRCH);
	for (int i = 0; i < st->nthreads; i++)
		others |= st->threads[i].pid != (int)pid && !st->threads[i].is_hidden;
	if (!others)
		return gdb_cmd_kill(st, "vKill");
	int err = kill_one(st, (int)pid);
	if (err)
		return gdb_reply_error(st, err);
	gdb_reply(st, "OK");
}
