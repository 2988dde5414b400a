/* include/hvtrace.h's calls on a session of this process: each is one operation of the
 * host tracer (ptrace/host.h). */
#include <hvtrace.h>

#include <errno.h>

#include "ptrace/host.h"
#include "tools/api/api.h"

int hvt_set_flags(hvt_session *s, unsigned flags)
{
	return host_set_flags(s->s, flags);
}

int hvt_wait(hvt_session *s, struct hvt_event *ev, int timeout_ms)
{
	return host_wait(s->s, ev, timeout_ms);
}

int hvt_event_fd(hvt_session *s)
{
	return s->s->efd;
}

int hvt_resume(hvt_session *s, int tid, enum hvt_resume_how how, int signo)
{
	return host_resume(s->s, tid, how, signo);
}

int hvt_interrupt(hvt_session *s, int tid)
{
	return host_interrupt(s->s, tid);
}

int hvt_get_regs(hvt_session *s, int tid, struct user_regs_struct *r)
{
	return host_get_regs(s->s, tid, r);
}

int hvt_set_regs(hvt_session *s, int tid, const struct user_regs_struct *r)
{
	return host_set_regs(s->s, tid, r);
}

int hvt_get_fpregs(hvt_session *s, int tid, struct user_fpregs_struct *f)
{
	int r = host_xstate(s->s, tid, f, sizeof *f, false);
	return r < 0 ? r : 0;
}

int hvt_set_fpregs(hvt_session *s, int tid, const struct user_fpregs_struct *f)
{
	int r = host_xstate(s->s, tid, (void *)f, sizeof *f, true);
	return r < 0 ? r : 0;
}

int hvt_get_xstate(hvt_session *s, int tid, void *buf, size_t len)
{
	return host_xstate(s->s, tid, buf, len, false);
}

ssize_t hvt_read_mem(hvt_session *s, int tid, uint64_t addr, void *buf, size_t len)
{
	return host_mem(s->s, tid, addr, buf, len, false);
}

ssize_t hvt_write_mem(hvt_session *s, int tid, uint64_t addr, const void *buf, size_t len)
{
	return host_mem(s->s, tid, addr, (void *)buf, len, true);
}

int hvt_set_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	return host_breakpoint(s->s, tid, type, addr, len, true);
}

int hvt_clear_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	return host_breakpoint(s->s, tid, type, addr, len, false);
}

int hvt_tasks(hvt_session *s, struct hvt_task_info *out, int max)
{
	return host_tasks(s->s, out, max);
}

ssize_t hvt_read_auxv(hvt_session *s, int tid, void *buf, size_t len)
{
	return host_auxv(s->s, tid, buf, len);
}

int hvt_exe_path(hvt_session *s, int tid, char *buf, size_t len)
{
	return host_exe_path(s->s, tid, buf, len);
}

int hvt_detach(hvt_session *s)
{
	return host_detach(s->s);
}

int hvt_kill(hvt_session *s)
{
	return host_kill(s->s, s->spawned);
}
