/* The state of one gdb connection serving one hvtrace session at a time, shared by the
 * files of the stub: stub.c (connection and dispatch, queries), data.c (registers,
 * memory, breakpoints), threads.c (the thread table), events.c (events, forks,
 * all-stop, stop replies), resume.c (c/s/vCont, detach and kill), target.c (what is
 * debugged: spawn, attach, vRun, vAttach), vfile.c (vFile).
 * Everything runs on one thread: the session's calls are not reentrant. */
#ifndef TOOLS_GDB_STUB_H
#define TOOLS_GDB_STUB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvtrace.h"
#include "tools/gdb/packet.h"
#include "tools/gdb/signals.h"

enum gdb_action { GDB_ACT_NONE, GDB_ACT_CONT, GDB_ACT_STEP };

struct gdb_thread {
	int pid, tid;
	bool is_stopped;          /* stopped for us (its event taken) */
	bool has_pending;         /* an event not yet reported to gdb */
	struct hvt_event pending;
	enum gdb_action action;   /* set by c/s/vCont before resuming */
	int action_sig;           /* Linux signal to resume with */
	enum hvt_resume_how last_how; /* how it was last resumed */
	bool is_resumed;          /* gdb let it run at the last resume: only such
				   * threads' pending stops are reported (a thread
				   * vCont left stopped keeps its stop for later) */
	bool is_stepping;         /* ... and asked it to step */
	bool is_hidden;           /* a fork child whose fork gdb was not told of yet:
				   * not listed, never resumed (see events.c) */
	bool has_siginfo;         /* siginfo: of the last stop reported to gdb */
	siginfo_t siginfo;        /* (qXfer:siginfo:read) */
	int pass_sig;             /* a QPassSignals signal taken while stopping everyone:
				   * delivered when it resumes */
};

struct gdb_bp {
	enum hvt_bp_type type;
	uint64_t addr;
	size_t len;
	int pid;
};

struct gdb_exit {
	int pid, status;
};

#define GDB_MAX_BPS 256
#define GDB_MAX_DETACHED 64
#define GDB_MAX_EXITS 16
#define GDB_REPLY_MAX (2 * GDB_PACKET_MAX + 64)
#define GDB_MAX_RETIRED 16
#define GDB_MAX_FILES 16

struct gdb_stub {
	hvt_session *s;            /* the session being debugged, or NULL (target.c) */
	int fd;                    /* the connection */
	bool is_attached;          /* hvt_attach'ed (detach, not kill, on quit) */
	bool is_sandboxed;         /* confined since the first spawn (vmm/sandbox.h) */
	char **run_argv;           /* the program last run with its arguments (vRun) */
	char vm[256];              /* the VM vAttach attaches in ("": the only one) */
	hvt_session *retired[GDB_MAX_RETIRED]; /* let go, their guests still running */
	int nretired;
	int files[GDB_MAX_FILES];  /* vFile's open files: host fds, -1 free (vfile.c) */
	int fs_pid;                /* vFile:setfs: whose view of files (0: Hg's) */
	bool is_debug;             /* HVTRACE_GDB_DEBUG: log the conversation */
	/* negotiated with gdb's qSupported */
	bool no_ack, multiprocess, swbreak, hwbreak, fork_events, vfork_events, exec_events;
	bool extended;             /* '!' seen: extended-remote */
	bool is_running;           /* resumed: a stop reply is owed */
	bool ctrl_c;               /* gdb asked for an interrupt */
	bool is_guest_gone;        /* HVT_EV_GUEST_EXITED or -ECHILD seen, the session
				    * let go, or none */
	bool has_guest_ended;      /* HVT_EV_GUEST_EXITED seen */
	bool should_quit;          /* end the connection after this reply */
	bool is_stopping;          /* inside stop_all: no thread is resumed */
	int guest_status;

	struct gdb_thread *threads;
	int nthreads, cap_threads;
	int thread_cursor;         /* qsThreadInfo's position */

	struct gdb_bp bps[GDB_MAX_BPS];
	int nbps;
	int detached[GDB_MAX_DETACHED]; /* pids gdb let go (events resumed unseen) */
	int ndetached;
	struct gdb_exit exits[GDB_MAX_EXITS]; /* process exits not yet reported */
	int nexits;
	int live_pids[GDB_MAX_DETACHED]; /* processes gdb knows, for the final W */
	int nlive_pids;

	struct gdb_ptid g_thread, c_thread; /* Hg and Hc */
	uint8_t pass_signals[GDB_SIGNAL_LAST / 8 + 1]; /* QPassSignals, gdb numbers */

	struct gdb_rx rx;
	char reply[GDB_REPLY_MAX];          /* the payload being built */
	size_t reply_len;
	char frame[2 * GDB_REPLY_MAX + 8];  /* the last framed reply (for '-') */
	size_t frame_len;
	char last_stop[512];                /* for '?' */
	char *target_xml;
	int target_xml_len;
};

/* target.c: what is debugged. spawn/attach: 0 or -errno (said on stderr). */
int gdb_target_spawn(struct gdb_stub *st, char *const *argv);
int gdb_target_attach(struct gdb_stub *st, const char *vm, int pid);
void gdb_cmd_vrun(struct gdb_stub *st, const char *args);
void gdb_cmd_vattach(struct gdb_stub *st, const char *args);
void gdb_cmd_monitor(struct gdb_stub *st, const char *args); /* qRcmd */
/* gdb has left: lets go of or ends what is debugged, waits for the guests; returns
 * hvtrace gdb's exit status (the program's, 0 for an attached task). */
int gdb_target_finish(struct gdb_stub *st);
void gdb_free_argv(char **v);

/* vfile.c */
void gdb_cmd_vfile(struct gdb_stub *st, const char *args);
void gdb_files_close_all(struct gdb_stub *st);

/* stub.c */
/* A stub with no target yet (gdb_target_spawn/attach give it one). */
int gdb_stub_init(struct gdb_stub *st);
void gdb_stub_free(struct gdb_stub *st);
/* Serves the connection fd until gdb leaves or the guest ends: 0, or -errno. */
int gdb_stub_serve(struct gdb_stub *st, int fd);
/* Reply building: bounded appends to st->reply. */
void gdb_reply(struct gdb_stub *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gdb_reply_bytes(struct gdb_stub *st, const void *data, size_t len);
void gdb_reply_hex(struct gdb_stub *st, const void *data, size_t len);
void gdb_reply_error(struct gdb_stub *st, int err);
/* Appends a thread id as gdb expects it (pPID.TID with multiprocess). */
void gdb_reply_ptid(struct gdb_stub *st, int pid, int tid);

/* threads.c */
struct gdb_thread *gdb_find_thread(struct gdb_stub *st, int tid);
struct gdb_thread *gdb_add_thread(struct gdb_stub *st, int pid, int tid);
void gdb_remove_thread(struct gdb_stub *st, int tid);
/* The thread a ptid (from H, vCont...) designates among the live ones: the first match,
 * or NULL. */
struct gdb_thread *gdb_match_thread(struct gdb_stub *st, struct gdb_ptid p);
bool gdb_ptid_matches(struct gdb_ptid p, const struct gdb_thread *t);
/* The thread register and memory packets apply to (Hg), or NULL. */
struct gdb_thread *gdb_general_thread(struct gdb_stub *st);
bool gdb_is_detached(struct gdb_stub *st, int pid);
void gdb_add_detached(struct gdb_stub *st, int pid);
/* The processes gdb knows of (for the exit reports). */
void gdb_note_pid(struct gdb_stub *st, int pid);
void gdb_forget_pid(struct gdb_stub *st, int pid);
bool gdb_pid_has_threads(struct gdb_stub *st, int pid);

/* data.c: each handles one packet (its payload in pkt) and builds the reply. */
void gdb_cmd_read_regs(struct gdb_stub *st, const char *pkt);
void gdb_cmd_write_regs(struct gdb_stub *st, const char *pkt);
void gdb_cmd_read_reg(struct gdb_stub *st, const char *pkt);
void gdb_cmd_write_reg(struct gdb_stub *st, const char *pkt);
void gdb_cmd_read_mem(struct gdb_stub *st, const char *pkt);
void gdb_cmd_write_mem(struct gdb_stub *st, const char *pkt);
void gdb_cmd_write_mem_binary(struct gdb_stub *st, const char *pkt, size_t len);
void gdb_cmd_breakpoint(struct gdb_stub *st, const char *pkt);
/* The breakpoint of ours an event at addr belongs to, or NULL. */
struct gdb_bp *gdb_find_bp(struct gdb_stub *st, int pid, bool is_exec, uint64_t addr);
/* Forgets (and removes from pid's address space, when remove) every breakpoint. */
void gdb_drop_bps(struct gdb_stub *st, int pid, bool remove);
/* Appends the expedited registers (rbp, rsp, rip) of tid to a stop reply. */
void gdb_reply_expedite(struct gdb_stub *st, int tid);

/* resume.c */
/* Resumes a stopped thread with its action (or how/sig): 0 or -errno (a vanished task
 * is forgotten). */
int gdb_resume_thread(struct gdb_stub *st, struct gdb_thread *t, enum hvt_resume_how how, int sig);
void gdb_cmd_continue(struct gdb_stub *st, const char *pkt);  /* c C s S */
void gdb_cmd_vcont(struct gdb_stub *st, const char *pkt);
void gdb_cmd_detach(struct gdb_stub *st, const char *pkt);
void gdb_cmd_kill(struct gdb_stub *st, const char *pkt);     /* k */
void gdb_cmd_vkill(struct gdb_stub *st, const char *args);
/* events.c */
/* Takes one event into the thread table: a stop to report becomes the thread's pending
 * one; the rest are dealt with here (new threads, passed signals, detached processes). */
void gdb_handle_event(struct gdb_stub *st, const struct hvt_event *ev);
/* Stops every running thread (all-stop) and takes their events. */
void gdb_stop_all(struct gdb_stub *st);
/* Whether a resumed thread has a stop to report (stale breakpoint hits are dropped
 * here). */
bool gdb_has_pending(struct gdb_stub *st);
/* Takes the session's waiting events; when running and something is reportable, stops
 * every thread and replies with the stop. Returns whether a reply was sent... as the
 * reply: true when st->reply holds a stop reply to send. */
bool gdb_poll_events(struct gdb_stub *st);
/* Ctrl-C: stops everything; the stop reply follows from gdb_poll_events. */
void gdb_interrupt(struct gdb_stub *st);
/* The reply to '?': the last stop, or a fresh one. */
void gdb_cmd_status(struct gdb_stub *st);

#endif
