/* The state of one `hvtrace strace` run: options, traced tasks, output streams. */
#ifndef TOOLS_STRACE_SESSION_H
#define TOOLS_STRACE_SESSION_H

#include <stdio.h>
#include <time.h>

#include "tools/strace/filter.h"
#include "tools/strace/strace.h"
#include "tools/strace/summary.h"

struct st_opts {
	struct st_fmt fmt;
	struct st_filter filter;
	int follow;          /* 0, 1 (-f), 2 (-ff) */
	const char *outname; /* -o */
	int timestamps;      /* -t 1, -tt 2, -ttt 3 */
	bool is_relative;    /* -r */
	bool show_durations; /* -T */
	int quiet;           /* -q count */
	bool is_json;        /* --json */
	int summary;         /* -c 1, -C 2 */
	bool is_wall_clock;  /* -w: the summary's times are latencies, not CPU time */
	const char *attach;  /* -p VM:PID */
	/* The guest, as `hvtrace run` takes them: --mem, --root, --syscall-transport. */
	uint64_t mem_size;
	const char *root;
	int transport;
	/* Lines are printed whole at syscall exit (no "<unfinished ...>"): -e status=
	 * needs the result before it can choose, --json wants one object per call. */
	bool is_deferred;
};

/* An output file, with the line currently left open on it. */
struct st_stream {
	FILE *f;
	int open_tid;  /* the task whose syscall line is open; 0: none */
	size_t column; /* characters already on the current line */
};

struct st_task {
	int tid, pid;
	bool in_syscall;   /* entry seen, exit not yet */
	bool is_shown;     /* the syscall in progress passes -e trace= */
	bool is_printed;   /* its entry part went out already */
	struct st_call call;
	int pending_signal; /* to send with the next resume (Ctrl-C) */
	long prev_nr;      /* the last call interrupted for restart_syscall, -1 none */
	struct timespec entry_time;
	struct timespec entry_cpu; /* -c: the serving thread's CPU time as the call began */
	struct sbuf args;  /* the arguments' text, the entry part then the exit part */
	size_t entry_len;  /* where the exit part starts in args */
	struct st_stream *stream;
	struct st_stream own_stream; /* -ff */
};

struct st_out {
	const struct st_opts *o;
	struct st_stream main;
	int live_tasks;
	struct timespec last_time; /* -r: the previous line's time */
	struct st_summary *summary;
};

/* Output (output.c). Preconditions for all: t is a live task of the session. */
void st_out_entry(struct st_out *out, struct st_task *t);
/* ret: "= 3" (st_decode_ret's text). */
void st_out_exit(struct st_out *out, struct st_task *t, const char *ret, const struct timespec *now);
/* The task ended inside its syscall: "= ?". is_superseded: ended by another thread's
 * execve (strace then writes no "<unfinished ...>" in the resumed line). */
void st_out_unfinished(struct st_out *out, struct st_task *t, const struct timespec *now,
		       bool is_superseded);
/* exit/exit_group: the whole line at entry, "= ?", as strace prints it. */
void st_out_noreturn(struct st_out *out, struct st_task *t);
/* "+++ superseded by execve in pid N +++": a leader replaced by a thread's execve. */
void st_out_superseded(struct st_out *out, struct st_task *t, int by, const struct timespec *now);
void st_out_signal(struct st_out *out, struct st_task *t, const siginfo_t *si, const struct timespec *now);
void st_out_task_exit(struct st_out *out, struct st_task *t, int status, const struct timespec *now);
/* Closes the open line of every stream: "<detached ...>" at the end of an attach. */
void st_out_detach(struct st_out *out, struct st_task *t);
/* The -ff file of a task: PREFIX.TID. 0 or -errno. */
int st_out_open_own(struct st_out *out, struct st_task *t);
void st_out_close_own(struct st_task *t);

/* JSON (json.c): one object per event. */
/* ret_text: the result as the text line shows it ("= 3"); NULL: the task ended
 * inside the call. */
void st_json_syscall(struct sbuf *b, const struct st_task *t, const char *name,
		     const char *ret_text, const struct timespec *now);
/* Splits an argument list at its top-level ", " (not inside quotes, brackets, braces
 * or comments): calls fn for each argument. */
void st_split_args(const char *s, size_t n, void (*fn)(void *ctx, const char *arg, size_t len), void *ctx);
void st_json_signal(struct sbuf *b, const struct st_task *t, const siginfo_t *si,
		    const struct timespec *now);
void st_json_exit(struct sbuf *b, const struct st_task *t, int status, const struct timespec *now);

/* -y (fdtrack.c): the guest's descriptors as the trace shows them opened. */
struct st_fdtrack;
struct st_fdtrack *st_fdtrack_new(void);
void st_fdtrack_free(struct st_fdtrack *ft);
/* A new task: a thread shares its process's table, a child process gets a copy. */
void st_fdtrack_task(struct st_fdtrack *ft, int tid, int pid, int parent_tid, bool is_thread);
void st_fdtrack_exit(struct st_fdtrack *ft, int tid);
/* The effect of a finished syscall on the table. */
void st_fdtrack_syscall(struct st_fdtrack *ft, struct st_dec *d, const struct st_call *c);
int st_fdtrack_path(void *ctx, int tid, int fd, char *buf, size_t len);

/* The run (session.c). Returns the exit status for hvtrace. */
int st_run(const struct st_opts *o, char **argv);

#endif
