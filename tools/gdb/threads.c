/* The stub's view of the traced tasks: which exist, which are stopped for us, which
 * processes gdb knows and which it let go (see stub.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/gdb/stub.h"

struct gdb_thread *gdb_find_thread(struct gdb_stub *st, int tid)
{
	for (int i = 0; i < st->nthreads; i++)
		if (st->threads[i].tid == tid)
			return &st->threads[i];
	return NULL;
}

/* The thread's entry, made stopped and without actions when new (NULL when out of
 * memory: the task is then invisible to gdb, never a crash). */
struct gdb_thread *gdb_add_thread(struct gdb_stub *st, int pid, int tid)
{
	struct gdb_thread *t = gdb_find_thread(st, tid);

	if (t) {
		t->pid = pid;
		return t;
	}
	if (st->nthreads == st->cap_threads) {
		int cap = st->cap_threads ? 2 * st->cap_threads : 16;
		struct gdb_thread *n = realloc(st->threads, (size_t)cap * sizeof *n);
		if (!n)
			return NULL;
		st->threads = n;
		st->cap_threads = cap;
	}
	t = &st->threads[st->nthreads++];
	memset(t, 0, sizeof *t);
	t->pid = pid;
	t->tid = tid;
	t->is_stopped = true;
	return t;
}

/* Keeps the order (gdb numbers threads in the order it first sees them). */
void gdb_remove_thread(struct gdb_stub *st, int tid)
{
	struct gdb_thread *t = gdb_find_thread(st, tid);

	if (!t)
		return;
	size_t i = (size_t)(t - st->threads);
	memmove(t, t + 1, (size_t)(st->nthreads - 1 - (int)i) * sizeof *t);
	st->nthreads--;
}

/* pid/tid -1 is all, 0 any; a bare TID (pid 0) names a thread of any process. */
bool gdb_ptid_matches(struct gdb_ptid p, const struct gdb_thread *t)
{
	return (p.pid <= 0 || p.pid == t->pid) && (p.tid <= 0 || p.tid == t->tid);
}

struct gdb_thread *gdb_match_thread(struct gdb_stub *st, struct gdb_ptid p)
{
	for (int i = 0; i < st->nthreads; i++)
		if (!st->threads[i].is_hidden && gdb_ptid_matches(p, &st->threads[i]))
			return &st->threads[i];
	return NULL;
}

/* Hg's thread; when that one is gone (or Hg named "any"), a stopped thread of the same
 * process, then any thread, as gdbserver falls back. */
struct gdb_thread *gdb_general_thread(struct gdb_stub *st)
{
	struct gdb_thread *t = gdb_match_thread(st, st->g_thread);

	if (t && (st->g_thread.tid > 0 || t->is_stopped))
		return t;
	for (int i = 0; i < st->nthreads; i++)
		if (st->threads[i].is_stopped && !st->threads[i].is_hidden &&
		    (st->g_thread.pid <= 0 || st->threads[i].pid == st->g_thread.pid))
			return &st->threads[i];
	return t ? t : gdb_match_thread(st, (struct gdb_ptid){-1, -1});
}

bool gdb_is_detached(struct gdb_stub *st, int pid)
{
	for (int i = 0; i < st->ndetached; i++)
		if (st->detached[i] == pid)
			return true;
	return false;
}

/* With no room left the oldest entry goes: its process is long gone in practice. */
void gdb_add_detached(struct gdb_stub *st, int pid)
{
	if (gdb_is_detached(st, pid))
		return;
	if (st->ndetached == GDB_MAX_DETACHED) {
		memmove(st->detached, st->detached + 1, (GDB_MAX_DETACHED - 1) * sizeof st->detached[0]);
		st->ndetached--;
	}
	st->detached[st->ndetached++] = pid;
}

void gdb_note_pid(struct gdb_stub *st, int pid)
{
	for (int i = 0; i < st->nlive_pids; i++)
		if (st->live_pids[i] == pid)
			return;
	if (st->nlive_pids < GDB_MAX_DETACHED)
		st->live_pids[st->nlive_pids++] = pid;
}

void gdb_forget_pid(struct gdb_stub *st, int pid)
{
	for (int i = 0; i < st->nlive_pids; i++)
		if (st->live_pids[i] == pid) {
			st->live_pids[i] = st->live_pids[--st->nlive_pids];
			return;
		}
}

bool gdb_pid_has_threads(struct gdb_stub *st, int pid)
{
	for (int i = 0; i < st->nthreads; i++)
		if (st->threads[i].pid == pid)
			return true;
	return false;
}
