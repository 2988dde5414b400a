/* include/hvtrace.h's calls: on a session of this process, one operation of the host
 * tracer (ptrace/host.h); on an attached one, one request to the VM's control socket
 * (tools/api/remote.c). */
#include <hvtrace.h>

#include <errno.h>
#include <string.h>

#include "ptrace/host.h"
#include "tools/api/api.h"
#include "tools/api/remote.h"
#include "tools/api/rpc.h"

int hvt_set_flags(hvt_session *s, unsigned flags)
{
	if (s->remote)
		return remote_simple(s, RPC_SET_FLAGS, 0, flags, 0, 0);
	return host_set_flags(s->s, flags);
}

int hvt_set_recorder(hvt_session *s, hvt_recorder fn, void *arg)
{
	if (s->remote)
		return -EOPNOTSUPP; /* the recorder runs in the VM's process */
	return host_set_recorder(s->s, fn, arg);
}

int hvt_wait(hvt_session *s, struct hvt_event *ev, int timeout_ms)
{
	if (s->remote)
		return remote_wait(s, ev, timeout_ms);
	return host_wait(s->s, ev, timeout_ms);
}

int hvt_event_fd(hvt_session *s)
{
	return s->remote ? s->ev_fd : s->s->efd;
}

int hvt_resume(hvt_session *s, int tid, enum hvt_resume_how how, int signo)
{
	if (s->remote)
		return remote_simple(s, RPC_RESUME, tid, (uint64_t)how, (uint64_t)(unsigned)signo, 0);
	return host_resume(s->s, tid, how, signo);
}

int hvt_interrupt(hvt_session *s, int tid)
{
	if (s->remote)
		return remote_simple(s, RPC_INTERRUPT, tid, 0, 0, 0);
	return host_interrupt(s->s, tid);
}

int hvt_get_regs(hvt_session *s, int tid, struct user_regs_struct *r)
{
	if (s->remote)
		return (int)remote_get(s, RPC_GET_REGS, tid, 0, 0, r, sizeof *r);
	return host_get_regs(s->s, tid, r);
}

int hvt_set_regs(hvt_session *s, int tid, const struct user_regs_struct *r)
{
	if (s->remote)
		return (int)remote_put(s, RPC_SET_REGS, tid, 0, r, sizeof *r);
	return host_set_regs(s->s, tid, r);
}

int hvt_get_xstate(hvt_session *s, int tid, void *buf, size_t len)
{
	if (s->remote)
		return (int)remote_get(s, RPC_GET_XSTATE, tid, len, 0, buf, len);
	return host_xstate(s->s, tid, buf, len, false);
}

int hvt_set_xstate(hvt_session *s, int tid, const void *buf, size_t len)
{
	if (s->remote)
		return (int)remote_put(s, RPC_SET_XSTATE, tid, 0, buf, len);
	return host_xstate(s->s, tid, (void *)buf, len, true);
}

int hvt_get_fpregs(hvt_session *s, int tid, struct user_fpregs_struct *f)
{
	int r = hvt_get_xstate(s, tid, f, sizeof *f);
	return r < 0 ? r : 0;
}

int hvt_set_fpregs(hvt_session *s, int tid, const struct user_fpregs_struct *f)
{
	int r = hvt_set_xstate(s, tid, f, sizeof *f);
	return r < 0 ? r : 0;
}

ssize_t hvt_read_mem(hvt_session *s, int tid, uint64_t addr, void *buf, size_t len)
{
	if (s->remote)
		return remote_mem(s, tid, addr, buf, len, false);
	return host_mem(s->s, tid, addr, buf, len, false);
}

ssize_t hvt_write_mem(hvt_session *s, int tid, uint64_t addr, const void *buf, size_t len)
{
	if (s->remote)
		return remote_mem(s, tid, addr, (void *)buf, len, true);
	return host_mem(s->s, tid, addr, (void *)buf, len, true);
}

int hvt_set_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	if (s->remote)
		return remote_simple(s, RPC_SET_BP, tid, (uint64_t)type, addr, len);
	return host_breakpoint(s->s, tid, type, addr, len, true);
}

int hvt_clear_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	if (s->remote)
		return remote_simple(s, RPC_CLEAR_BP, tid, (uint64_t)type, addr, len);
	return host_breakpoint(s->s, tid, type, addr, len, false);
}

int hvt_tasks(hvt_session *s, struct hvt_task_info *out, int max)
{
	if (max < 0)
		return -EINVAL;
	if (s->remote)
		return (int)remote_get(s, RPC_TASKS, 0, (uint64_t)max, 0, out, (size_t)max * sizeof *out);
	return host_tasks(s->s, out, max);
}

ssize_t hvt_read_auxv(hvt_session *s, int tid, void *buf, size_t len)
{
	if (s->remote)
		return remote_get(s, RPC_AUXV, tid, len, 0, buf, len);
	return host_auxv(s->s, tid, buf, len);
}

int hvt_exe_path(hvt_session *s, int tid, char *buf, size_t len)
{
	if (s->remote) {
		char path[4096];
		long r = remote_get(s, RPC_EXE, tid, 0, 0, path, sizeof path);
		if (r < 0)
			return (int)r;
		if ((size_t)r >= len)
			return -ENAMETOOLONG;
		path[r] = 0;
		memcpy(buf, path, (size_t)r + 1);
		return (int)r;
	}
	return host_exe_path(s->s, tid, buf, len);
}

int hvt_open_file(hvt_session *s, int tid, const char *path)
{
	if (!path)
		return -EINVAL;
	if (s->remote)
		return remote_open_file(s, tid, path);
	return host_open_file(s->s, tid, path);
}

int hvt_detach(hvt_session *s)
{
	if (s->remote)
		return remote_simple(s, RPC_DETACH, 0, 0, 0, 0);
	return host_detach(s->s);
}

int hvt_kill(hvt_session *s)
{
	if (s->remote)
		return remote_simple(s, RPC_KILL, 0, 0, 0, 0);
	return host_kill(s->s, s->spawned);
}
