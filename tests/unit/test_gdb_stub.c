/* The gdb stub's packet handling and all-stop logic (tools/gdb/stub.c, data.c,
 * events.c, resume.c) against a scripted fake of include/hvtrace.h: each test plays
 * gdb on one end of a socketpair while the stub serves the other end in a thread,
 * and checks the replies and the API calls the stub made. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "hvtrace.h"
#include "tools/gdb/stub.h"

/* The fake session ------------------------------------------------------------------ */

#define MEM_BASE 0x10000u
#define MEM_SIZE 4096u
#define MAX_TASKS 8
#define MAX_EVENTS 32

static struct fake {
	pthread_mutex_t mu;
	int pipe[2];                 /* readable while events wait */
	struct hvt_task_info tasks[MAX_TASKS];
	struct user_regs_struct regs[MAX_TASKS];
	int ntasks;
	struct hvt_event events[MAX_EVENTS];
	int nevents;
	uint8_t mem[MEM_SIZE];
	char log[4096];              /* the calls that change things, in order */
} fk = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void logf_(const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(fk.log);

	va_start(ap, fmt);
	vsnprintf(fk.log + n, sizeof fk.log - n, fmt, ap);
	va_end(ap);
}

static int task_index(int tid)
{
	for (int i = 0; i < fk.ntasks; i++)
		if (fk.tasks[i].tid == tid)
			return i;
	return -1;
}

static void push_event_locked(struct hvt_event ev)
{
	if (ev.stopped) {
		int i = task_index(ev.tid);
		if (i >= 0)
			fk.tasks[i].stopped = true;
	}
	fk.events[fk.nevents++] = ev;
	if (write(fk.pipe[1], "e", 1) != 1)
		abort();
}

static void push_event(struct hvt_event ev)
{
	pthread_mutex_lock(&fk.mu);
	push_event_locked(ev);
	pthread_mutex_unlock(&fk.mu);
}

static struct hvt_event stop_event(enum hvt_event_kind kind, int pid, int tid)
{
	return (struct hvt_event){.kind = kind, .pid = pid, .tid = tid, .stopped = true};
}

int hvt_spawn(const struct hvt_spawn_options *o, hvt_session **out) { (void)o; *out = NULL; return -ENOSYS; }
const char *hvt_spawn_error(void) { return "fake"; }
int hvt_attach(const char *vm, int tid, unsigned flags, hvt_session **out) { (void)vm; (void)tid; (void)flags; *out = NULL; return -ENOSYS; }
int hvt_set_flags(hvt_session *s, unsigned flags) { (void)s; (void)flags; return 0; }
int hvt_close(hvt_session *s) { (void)s; return 0; }

int hvt_event_fd(hvt_session *s)
{
	(void)s;
	return fk.pipe[0];
}

int hvt_wait(hvt_session *s, struct hvt_event *ev, int timeout_ms)
{
	(void)s;
	(void)timeout_ms;
	pthread_mutex_lock(&fk.mu);
	int n = fk.nevents;
	if (n) {
		*ev = fk.events[0];
		memmove(fk.events, fk.events + 1, (size_t)--fk.nevents * sizeof *ev);
		char c;
		if (read(fk.pipe[0], &c, 1) != 1)
			abort();
	}
	pthread_mutex_unlock(&fk.mu);
	if (!n && timeout_ms > 0)
		usleep(1000);
	return n ? 0 : -ETIMEDOUT;
}

int hvt_resume(hvt_session *s, int tid, enum hvt_resume_how how, int signo)
{
	(void)s;
	pthread_mutex_lock(&fk.mu);
	int i = task_index(tid);
	if (i >= 0) {
		fk.tasks[i].stopped = false;
		logf_("resume %d %s %d;", tid, how == HVT_STEP ? "step" : "cont", signo);
	}
	pthread_mutex_unlock(&fk.mu);
	return i < 0 ? -ESRCH : 0;
}

/* As hvtrace: a running task stops with HVT_EV_INTERRUPT. */
int hvt_interrupt(hvt_session *s, int tid)
{
	(void)s;
	pthread_mutex_lock(&fk.mu);
	int i = task_index(tid);
	if (i >= 0 && !fk.tasks[i].stopped) {
		logf_("interrupt %d;", tid);
		push_event_locked(stop_event(HVT_EV_INTERRUPT, fk.tasks[i].pid, tid));
	}
	pthread_mutex_unlock(&fk.mu);
	return i < 0 ? -ESRCH : 0;
}

int hvt_get_regs(hvt_session *s, int tid, struct user_regs_struct *r)
{
	(void)s;
	int i = task_index(tid);
	if (i < 0)
		return -ESRCH;
	*r = fk.regs[i];
	return 0;
}

int hvt_set_regs(hvt_session *s, int tid, const struct user_regs_struct *r)
{
	(void)s;
	int i = task_index(tid);
	if (i < 0)
		return -ESRCH;
	fk.regs[i] = *r;
	logf_("setregs %d rip %llx;", tid, r->rip);
	return 0;
}

int hvt_get_fpregs(hvt_session *s, int tid, struct user_fpregs_struct *f)
{
	(void)s;
	(void)tid;
	memset(f, 0, sizeof *f);
	f->cwd = 0x37f;
	f->mxcsr = 0x1f80;
	return 0;
}

int hvt_set_fpregs(hvt_session *s, int tid, const struct user_fpregs_struct *f)
{
	(void)s;
	logf_("setfpregs %d mxcsr %x;", tid, f->mxcsr);
	return 0;
}

int hvt_set_xstate(hvt_session *s, int tid, const void *buf, size_t len)
{
	(void)s;
	(void)buf;
	logf_("setxstate %d %zu;", tid, len);
	return (int)len;
}

int hvt_get_xstate(hvt_session *s, int tid, void *buf, size_t len)
{
	(void)s;
	(void)tid;
	(void)buf;
	(void)len;
	return -ENODEV;
}

ssize_t hvt_read_mem(hvt_session *s, int tid, uint64_t addr, void *buf, size_t len)
{
	(void)s;
	(void)tid;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
		return -EFAULT;
	size_t n = MEM_BASE + MEM_SIZE - addr < len ? MEM_BASE + MEM_SIZE - addr : len;
	memcpy(buf, fk.mem + (addr - MEM_BASE), n);
	return (ssize_t)n;
}

ssize_t hvt_write_mem(hvt_session *s, int tid, uint64_t addr, const void *buf, size_t len)
{
	(void)s;
	(void)tid;
	if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE)
		return -EFAULT;
	memcpy(fk.mem + (addr - MEM_BASE), buf, len);
	return (ssize_t)len;
}

int hvt_set_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	(void)s;
	logf_("set %d %d %llx %zu;", tid, type, (unsigned long long)addr, len);
	return 0;
}

int hvt_clear_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	(void)s;
	logf_("clear %d %d %llx %zu;", tid, type, (unsigned long long)addr, len);
	return 0;
}

int hvt_tasks(hvt_session *s, struct hvt_task_info *out, int max)
{
	(void)s;
	pthread_mutex_lock(&fk.mu);
	int n = fk.ntasks;
	memcpy(out, fk.tasks, (size_t)(n < max ? n : max) * sizeof *out);
	pthread_mutex_unlock(&fk.mu);
	return n;
}

ssize_t hvt_read_auxv(hvt_session *s, int tid, void *buf, size_t len)
{
	(void)s;
	(void)tid;
	static const uint64_t auxv[] = {6, 4096, 0, 0};
	size_t n = len < sizeof auxv ? len : sizeof auxv;
	memcpy(buf, auxv, n);
	return (ssize_t)n;
}

int hvt_exe_path(hvt_session *s, int tid, char *buf, size_t len)
{
	(void)s;
	(void)tid;
	snprintf(buf, len, "/bin/fake");
	return 0;
}

int hvt_open_file(hvt_session *s, int tid, const char *path)
{
	(void)s;
	logf_("open %d %s;", tid, path);
	return -ENOENT;
}

int hvt_detach(hvt_session *s) { (void)s; logf_("detach;"); return 0; }
int hvt_kill(hvt_session *s) { (void)s; logf_("kill;"); return 0; }

/* gdb's end ------------------------------------------------------------------------- */

struct conn {
	struct gdb_stub *st;
	pthread_t thread;
	int fd;        /* our end */
	int stub_fd;
};

static void *serve(void *arg)
{
	struct conn *c = arg;
	gdb_stub_serve(c->st, c->stub_fd);
	return NULL;
}

/* A stub serving a process 1 of ntasks threads (tids 1..n), all stopped, gdb's
 * qSupported already negotiated with multiprocess, swbreak and fork events. */
static struct conn *start(int ntasks)
{
	struct conn *c = calloc(1, sizeof *c);
	int sv[2];

	pthread_mutex_lock(&fk.mu);
	fk.ntasks = ntasks;
	fk.nevents = 0;
	fk.log[0] = 0;
	for (int i = 0; i < ntasks; i++) {
		fk.tasks[i] = (struct hvt_task_info){.pid = 1, .tid = i + 1, .stopped = true, .comm = "fake"};
		memset(&fk.regs[i], 0, sizeof fk.regs[i]);
		fk.regs[i].rip = 0x401000 + (unsigned)i;
		fk.regs[i].cs = 0x33;
	}
	pthread_mutex_unlock(&fk.mu);
	assert_int_equal(pipe(fk.pipe), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c->fd = sv[0];
	c->stub_fd = sv[1];
	c->st = malloc(sizeof *c->st);
	assert_int_equal(gdb_stub_init(c->st), 0);
	c->st->s = (hvt_session *)c;
	c->st->is_guest_gone = false;
	for (int i = 0; i < ntasks; i++) {
		gdb_add_thread(c->st, 1, i + 1);
		gdb_note_pid(c->st, 1);
	}
	c->st->no_ack = true; /* as after QStartNoAckMode */
	c->st->multiprocess = c->st->swbreak = c->st->fork_events = true;
	struct timeval tv = {10, 0};
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	assert_int_equal(pthread_create(&c->thread, NULL, serve, c), 0);
	return c;
}

static void finish(struct conn *c)
{
	close(c->fd);
	pthread_join(c->thread, NULL);
	close(c->stub_fd);
	gdb_stub_free(c->st);
	free(c->st);
	close(fk.pipe[0]);
	close(fk.pipe[1]);
	free(c);
}

static void send_packet(struct conn *c, const char *payload)
{
	char buf[GDB_PACKET_MAX + 8];
	int n = gdb_frame(payload, strlen(payload), false, buf, sizeof buf);
	assert_true(n > 0);
	assert_int_equal(write(c->fd, buf, (size_t)n), n);
}

static int reply_len; /* of the last reply (binary ones hold NULs) */

/* The next reply's payload, run-length decoded, in a static buffer. */
static const char *reply(struct conn *c)
{
	static char raw[2 * GDB_REPLY_MAX], out[2 * GDB_REPLY_MAX];
	struct gdb_rx *rx = malloc(sizeof *rx);
	char ch;

	gdb_rx_init(rx);
	for (;;) {
		assert_int_equal(read(c->fd, &ch, 1), 1);
		enum gdb_rx_result r = gdb_rx_feed(rx, (uint8_t)ch);
		if (r == GDB_RX_PACKET)
			break;
		assert_true(r == GDB_RX_MORE || r == GDB_RX_ACK);
	}
	memcpy(raw, rx->buf, rx->len);
	int n = gdb_unrle(raw, rx->len, out, sizeof out - 1);
	free(rx);
	assert_true(n >= 0);
	out[n] = 0;
	reply_len = n;
	return out;
}

static const char *ask(struct conn *c, const char *payload)
{
	send_packet(c, payload);
	return reply(c);
}

/* The calls made since the last check must be want: waits for them (up to 5 s), since
 * a resume has no reply to wait for. */
static void assert_log(const char *want)
{
	char got[sizeof fk.log];

	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&fk.mu);
		strcpy(got, fk.log);
		pthread_mutex_unlock(&fk.mu);
		if (!strcmp(got, want))
			break;
		usleep(10000);
	}
	pthread_mutex_lock(&fk.mu);
	fk.log[0] = 0;
	pthread_mutex_unlock(&fk.mu);
	assert_string_equal(got, want);
}

/* The tests -------------------------------------------------------------------------- */

static void registers_read_and_write_through_the_table(void **unused)
{
	(void)unused;
	struct conn *c = start(1);
	const char *r = ask(c, "g");

	/* 16 GPRs + rip (8 each), eflags + 6 segments (4), 8 st (10), 8 x87 control (4),
	 * 16 xmm (16), mxcsr (4), orig_rax, fs_base, gs_base (8), 16 ymmh (16) */
	assert_int_equal(strlen(r), 2 * (17 * 8 + 7 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 3 * 8 + 16 * 16));
	assert_memory_equal(r + 2 * 16 * 8, "0010400000000000", 16); /* rip, little-endian */
	assert_string_equal(ask(c, "p10"), "0010400000000000");
	assert_string_equal(ask(c, "p12"), "33000000");           /* cs */
	assert_string_equal(ask(c, "p20"), "7f030000");           /* fctrl */
	assert_string_equal(ask(c, "P10=2010400000000000"), "OK");
	assert_log("setregs 1 rip 401020;");
	assert_string_equal(ask(c, "P38=801f0000"), "OK");      /* mxcsr unchanged: no write */
	assert_log("");
	assert_string_equal(ask(c, "P38=ff1f0000"), "OK");
	assert_log("setfpregs 1 mxcsr 1fff;");
	assert_true(ask(c, "P3c=00000000000000000000000000000001")[0] == 'E'); /* ymm0h */
	assert_true(ask(c, "p4c")[0] == 'E');                      /* past the last */
	finish(c);
}

static void memory_reads_and_writes(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	assert_string_equal(ask(c, "M10010,3:a1b2c3"), "OK");
	assert_string_equal(ask(c, "m10010,3"), "a1b2c3");
	assert_string_equal(ask(c, "m10ffe,4"), "0000");           /* short: what is mapped */
	assert_true(ask(c, "m20000,4")[0] == 'E');
	assert_true(ask(c, "M20000,1:00")[0] == 'E');
	assert_string_equal(ask(c, "X10020,0:"), "OK");
	finish(c);
}

static void watch_ranges_split_into_aligned_words(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	assert_string_equal(ask(c, "Z2,10003,6"), "OK");
	assert_log("set 1 2 10003 1;set 1 2 10004 4;set 1 2 10008 1;");
	assert_string_equal(ask(c, "z2,10003,6"), "OK");
	assert_log("clear 1 2 10003 1;clear 1 2 10004 4;clear 1 2 10008 1;");
	/* inserting twice is one breakpoint; removing a missing one is fine */
	assert_string_equal(ask(c, "Z0,401000,1"), "OK");
	assert_string_equal(ask(c, "Z0,401000,1"), "OK");
	assert_string_equal(ask(c, "z0,402000,1"), "OK");
	assert_log("set 1 0 401000 1;");
	assert_string_equal(ask(c, "Z1,401008,1"), "OK");
	assert_string_equal(ask(c, "Z4,10010,8"), "OK");
	assert_log("set 1 1 401008 1;set 1 4 10010 8;");
	finish(c);
}

static void a_breakpoint_stops_every_thread_before_the_reply(void **unused)
{
	(void)unused;
	struct conn *c = start(3);

	assert_string_equal(ask(c, "Z0,401000,1"), "OK");
	assert_log("set 1 0 401000 1;");
	send_packet(c, "vCont;c");
	assert_log("resume 1 cont 0;resume 2 cont 0;resume 3 cont 0;");
	struct hvt_event ev = stop_event(HVT_EV_BREAKPOINT, 1, 2);
	ev.addr = 0x401000;
	push_event(ev);
	const char *r = reply(c);
	assert_memory_equal(r, "T05thread:p1.2;", 15);
	assert_non_null(strstr(r, ";swbreak:;"));
	assert_log("interrupt 1;interrupt 3;");
	finish(c);
}

static void vcont_gives_each_thread_its_action(void **unused)
{
	(void)unused;
	struct conn *c = start(3);

	/* gdb's step over a breakpoint: only that thread moves */
	send_packet(c, "vCont;s:p1.2");
	assert_log("resume 2 step 0;");
	push_event(stop_event(HVT_EV_STEP, 1, 2));
	assert_memory_equal(reply(c), "T05thread:p1.2;", 15);
	assert_log("");
	/* then a step with a signal for one thread and continue for the rest */
	send_packet(c, "vCont;S1e:p1.3;c");
	assert_log("resume 1 cont 0;resume 2 cont 0;resume 3 step 10;");
	push_event(stop_event(HVT_EV_STEP, 1, 3));
	assert_memory_equal(reply(c), "T05thread:p1.3;", 15);
	assert_log("interrupt 1;interrupt 2;");
	finish(c);
}

static void passed_signals_never_reach_gdb(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	assert_string_equal(ask(c, "QPassSignals:14;1e"), "OK"); /* SIGCHLD, SIGUSR1 */
	send_packet(c, "c");
	assert_log("resume 1 cont 0;");
	struct hvt_event ev = stop_event(HVT_EV_SIGNAL, 1, 1);
	ev.info.si_signo = SIGUSR1;
	push_event(ev);
	ev.info.si_signo = SIGSEGV;
	push_event(ev);
	assert_memory_equal(reply(c), "T0bthread:p1.1;", 15);  /* gdb's SIGSEGV is 11 */
	assert_log("resume 1 cont 10;");
	/* gdb passes the SIGSEGV on with C0b */
	send_packet(c, "C0b");
	assert_log("resume 1 cont 11;");
	ev = (struct hvt_event){.kind = HVT_EV_EXITED, .pid = 1, .tid = 1, .status = SIGSEGV};
	push_event(ev);
	assert_string_equal(reply(c), "X0b;process:1");
	finish(c);
}

static void a_passed_signal_keeps_a_step_a_step(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	assert_string_equal(ask(c, "QPassSignals:14"), "OK"); /* SIGCHLD */
	send_packet(c, "vCont;s:p1.1");
	assert_log("resume 1 step 0;");
	struct hvt_event ev = stop_event(HVT_EV_SIGNAL, 1, 1);
	ev.info.si_signo = SIGCHLD;
	push_event(ev);
	assert_log("resume 1 step 17;");
	push_event(stop_event(HVT_EV_STEP, 1, 1));
	assert_memory_equal(reply(c), "T05thread:p1.1;", 15);
	finish(c);
}

static void watchpoint_stops_name_their_kind(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	assert_string_equal(ask(c, "Z3,10010,4"), "OK");
	send_packet(c, "c");
	assert_log("set 1 3 10010 4;resume 1 cont 0;");
	struct hvt_event ev = stop_event(HVT_EV_WATCHPOINT, 1, 1);
	ev.addr = 0x10012;
	push_event(ev);
	assert_non_null(strstr(reply(c), ";rwatch:10012;"));
	finish(c);
}

static void add_fake_task(int pid, int tid)
{
	pthread_mutex_lock(&fk.mu);
	fk.tasks[fk.ntasks++] = (struct hvt_task_info){.pid = pid, .tid = tid, .stopped = true};
	pthread_mutex_unlock(&fk.mu);
}

/* hvtrace's order: the parent's FORK stop, then the child's START. */
static void push_fork(int parent, int child, bool is_vfork)
{
	struct hvt_event ev = stop_event(HVT_EV_FORK, parent, parent);
	ev.child_tid = child;
	ev.is_vfork = is_vfork;
	push_event(ev);
	ev = stop_event(HVT_EV_START, child, child);
	ev.parent_tid = parent;
	ev.is_vfork = is_vfork;
	push_event(ev);
}

static void fork_exec_and_exit_are_reported(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	send_packet(c, "c");
	assert_log("resume 1 cont 0;");
	add_fake_task(2, 2);
	push_fork(1, 2, false);
	const char *r = reply(c);
	assert_memory_equal(r, "T05thread:p1.1;", 15);  /* the parent, stopped at the fork */
	assert_non_null(strstr(r, "fork:p2.2;"));
	/* the child is held, and listed once gdb knows it */
	assert_string_equal(ask(c, "qfThreadInfo"), "mp1.1,p2.2");
	assert_log("");
	/* gdb lets the child go */
	assert_string_equal(ask(c, "D;2"), "OK");
	send_packet(c, "c");
	assert_log("resume 2 cont 0;resume 1 cont 0;");
	c->st->exec_events = true;
	struct hvt_event ev = stop_event(HVT_EV_EXEC, 1, 1);
	ev.old_tid = 1;
	push_event(ev);
	assert_non_null(strstr(reply(c), "exec:2f62696e2f66616b65;")); /* "/bin/fake" */
	send_packet(c, "c");
	assert_log("resume 1 cont 0;");
	push_event((struct hvt_event){.kind = HVT_EV_EXITED, .pid = 1, .tid = 1, .status = 7 << 8});
	assert_string_equal(reply(c), "W07;process:1");
	finish(c);
}

static void vfork_and_vforkdone_are_reported(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	c->st->vfork_events = true;
	send_packet(c, "c");
	assert_log("resume 1 cont 0;");
	add_fake_task(2, 2);
	push_fork(1, 2, true);
	assert_non_null(strstr(reply(c), "vfork:p2.2;"));
	/* gdb keeps both (detach-on-fork off) and runs the child alone */
	send_packet(c, "vCont;c:p2.-1");
	assert_log("resume 2 cont 0;");
	push_event((struct hvt_event){.kind = HVT_EV_EXITED, .pid = 2, .tid = 2, .status = 0});
	assert_string_equal(reply(c), "W00;process:2");
	send_packet(c, "vCont;c:p1.-1");
	assert_log("resume 1 cont 0;");
	struct hvt_event ev = stop_event(HVT_EV_VFORK_DONE, 1, 1);
	ev.child_tid = 2;
	push_event(ev);
	const char *r = reply(c);
	assert_memory_equal(r, "T05thread:p1.1;", 15);
	assert_non_null(strstr(r, "vforkdone:;"));
	finish(c);
}

static void forks_gdb_did_not_ask_for_run_on_unseen(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	c->st->fork_events = false;
	send_packet(c, "c");
	assert_log("resume 1 cont 0;");
	add_fake_task(2, 2);
	push_fork(1, 2, false);
	/* the parent goes on from its fork stop, the child from its first */
	assert_log("resume 1 cont 0;resume 2 cont 0;");
	assert_string_equal(ask(c, "qfThreadInfo"), "mp1.1");
	finish(c);
}

static void siginfo_is_the_stop_signal(void **unused)
{
	(void)unused;
	struct conn *c = start(1);
	uint8_t raw[256];
	siginfo_t si;

	/* the entry stop: a SIGTRAP */
	ask(c, "?");
	const char *r = ask(c, "qXfer:siginfo:read::0,200");
	assert_int_equal(r[0], 'l');
	assert_int_equal(gdb_unescape(r + 1, (size_t)reply_len - 1, raw, sizeof raw), (int)sizeof si);
	memcpy(&si, raw, sizeof si);
	assert_int_equal(si.si_signo, SIGTRAP);
	send_packet(c, "c");
	assert_log("resume 1 cont 0;");
	struct hvt_event ev = stop_event(HVT_EV_SIGNAL, 1, 1);
	ev.info.si_signo = SIGSEGV;
	ev.info.si_code = SEGV_MAPERR;
	ev.info.si_addr = (void *)8;
	push_event(ev);
	assert_memory_equal(reply(c), "T0bthread:p1.1;", 15);
	r = ask(c, "qXfer:siginfo:read::0,200");
	assert_int_equal(gdb_unescape(r + 1, (size_t)reply_len - 1, raw, sizeof raw), (int)sizeof si);
	memcpy(&si, raw, sizeof si);
	assert_int_equal(si.si_signo, SIGSEGV);
	assert_int_equal(si.si_code, SEGV_MAPERR);
	assert_ptr_equal(si.si_addr, (void *)8);
	/* in slices, as gdb may ask */
	assert_int_equal(ask(c, "qXfer:siginfo:read::70,20")[0], 'l');
	assert_int_equal(reply_len, 1 + 16);
	assert_true(ask(c, "qXfer:siginfo:read::zz,20")[0] == 'E');
	finish(c);
}

static void kill_of_one_process_leaves_the_other(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	send_packet(c, "c");
	assert_log("resume 1 cont 0;");
	add_fake_task(2, 2);
	push_fork(1, 2, false);
	reply(c);
	/* SIGKILL as it resumes, and its end is not reported */
	send_packet(c, "vKill;2");
	assert_log("resume 2 cont 9;");
	push_event((struct hvt_event){.kind = HVT_EV_EXITED, .pid = 2, .tid = 2, .status = SIGKILL});
	assert_string_equal(reply(c), "OK");
	assert_string_equal(ask(c, "qfThreadInfo"), "mp1.1");
	assert_true(ask(c, "vKill;zz")[0] == 'E');
	assert_true(ask(c, "vKill;5")[0] == 'E');
	finish(c);
}

static void vrun_vattach_and_vfile_answer_even_when_they_fail(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	assert_true(ask(c, "vRun;zz")[0] == 'E');
	assert_true(ask(c, "vRun;;61")[0] == 'E');   /* a process is being debugged */
	assert_true(ask(c, "vAttach;0")[0] == 'E');
	assert_true(ask(c, "vAttach;2")[0] == 'E');  /* the same */
	assert_string_equal(ask(c, "vFile:setfs:1"), "F0");
	assert_string_equal(ask(c, "vFile:open:2f78,0,0"), "F-1,2");
	assert_log("open 1 /x;");
	assert_string_equal(ask(c, "vFile:open:2f78,241,1c0"), "F-1,d"); /* no writes */
	assert_string_equal(ask(c, "vFile:pread:0,10,0"), "F-1,9");
	/* once killed, vRun starts anew (here the fake cannot: an error) */
	assert_string_equal(ask(c, "vKill;1"), "OK");
	assert_log("kill;");
	assert_true(ask(c, "vRun;;61")[0] == 'E');
	assert_string_equal(ask(c, "?"), "W00");
	finish(c);
}

static void ctrl_c_stops_a_running_program(void **unused)
{
	(void)unused;
	struct conn *c = start(2);

	send_packet(c, "vCont;c:p1.-1");
	assert_int_equal(write(c->fd, "\x03", 1), 1);
	assert_memory_equal(reply(c), "T02thread:p1.1;", 15);
	assert_log("resume 1 cont 0;resume 2 cont 0;interrupt 1;interrupt 2;");
	assert_memory_equal(ask(c, "?"), "T02thread:p1.1;", 15);
	finish(c);
}

static void detach_and_kill_end_the_session(void **unused)
{
	(void)unused;
	struct conn *c = start(1);

	assert_string_equal(ask(c, "Z0,401000,1"), "OK");
	assert_string_equal(ask(c, "D"), "OK");
	assert_log("set 1 0 401000 1;clear 1 0 401000 1;detach;");
	finish(c);
	c = start(1);
	assert_string_equal(ask(c, "vKill;1"), "OK");
	assert_log("kill;");
	finish(c);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registers_read_and_write_through_the_table),
		cmocka_unit_test(memory_reads_and_writes),
		cmocka_unit_test(watch_ranges_split_into_aligned_words),
		cmocka_unit_test(a_breakpoint_stops_every_thread_before_the_reply),
		cmocka_unit_test(vcont_gives_each_thread_its_action),
		cmocka_unit_test(passed_signals_never_reach_gdb),
		cmocka_unit_test(a_passed_signal_keeps_a_step_a_step),
		cmocka_unit_test(watchpoint_stops_name_their_kind),
		cmocka_unit_test(fork_exec_and_exit_are_reported),
		cmocka_unit_test(vfork_and_vforkdone_are_reported),
		cmocka_unit_test(forks_gdb_did_not_ask_for_run_on_unseen),
		cmocka_unit_test(siginfo_is_the_stop_signal),
		cmocka_unit_test(kill_of_one_process_leaves_the_other),
		cmocka_unit_test(vrun_vattach_and_vfile_answer_even_when_they_fail),
		cmocka_unit_test(ctrl_c_stops_a_running_program),
		cmocka_unit_test(detach_and_kill_end_the_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
