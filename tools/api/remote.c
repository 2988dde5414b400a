/* Sessions of hvt_attach: each call is one request on the VM's control socket (rpc.h);
 * events arrive on the event stream the attach handed over. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/api/api.h"
#include "tools/api/remote.h"
#include "tools/api/rpc.h"

/* One request and its response. A connection that fails is dead for good (-EPIPE). */
static long call_fd(int fd, uint32_t op, int tid, uint64_t a0, uint64_t a1, uint64_t a2, const void *in,
		    uint32_t in_len, void *out, uint32_t out_max, int *passed)
{
	struct rpc_req q = {.magic = RPC_MAGIC, .op = op, .tid = tid, .len = in_len, .a = {a0, a1, a2}};
	struct rpc_resp a;
	int r, pfd = -1;

	if (in_len > RPC_MAX_PAYLOAD)
		return -EINVAL;
	if ((r = rpc_write_all(fd, &q, sizeof q)) || (in_len && (r = rpc_write_all(fd, in, in_len))))
		return r == -EPIPE || r == -ECONNRESET ? -EPIPE : r;
	if ((r = passed ? rpc_recv_with_fd(fd, &a, sizeof a, &pfd) : rpc_read_all(fd, &a, sizeof a)))
		return -EPIPE;
	if (passed)
		*passed = pfd;
	if (a.len > out_max || a.len > RPC_MAX_PAYLOAD) {
		if (pfd >= 0)
			close(pfd);
		return -EPROTO;
	}
	if (a.len && rpc_read_all(fd, out, a.len))
		return -EPIPE;
	return (long)a.ret;
}

static long call(hvt_session *s, uint32_t op, int tid, uint64_t a0, uint64_t a1, uint64_t a2, const void *in,
		 uint32_t in_len, void *out, uint32_t out_max)
{
	return call_fd(s->fd, op, tid, a0, a1, a2, in, in_len, out, out_max, NULL);
}

static int open_vm(const char *vm)
{
	char path[256];
	int r = rpc_socket_path(vm, path, sizeof path);

	if (r) {
		char msg[512];
		snprintf(msg, sizeof msg, "VM '%s': %s", vm, r == -EINVAL ? "not a VM id or a socket path" : strerror(-r));
		hvt_set_spawn_error(msg);
		return r;
	}
	int fd = rpc_connect(path);
	if (fd < 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "VM '%s' (%s): %s", vm, path,
			 fd == -ENOENT || fd == -ECONNREFUSED ? "no such running VM (see hvtrace ps)" : strerror(-fd));
		hvt_set_spawn_error(msg);
	}
	return fd;
}

int hvt_attach(const char *vm, int tid, unsigned flags, hvt_session **out)
{
	*out = NULL;
	if (!vm || tid <= 0) {
		hvt_set_spawn_error("attach: expected VM:PID");
		return -EINVAL;
	}
	int fd = open_vm(vm);
	if (fd < 0)
		return fd;
	int ev = -1;
	long r = call_fd(fd, RPC_ATTACH, tid, flags, 0, 0, NULL, 0, NULL, 0, &ev);
	if (r < 0 || ev < 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "attach to %s:%d: %s", vm, tid,
			 r == -ESRCH ? "no such task" : r == -EBUSY ? "already traced by another host session" :
			 strerror(r < 0 ? (int)-r : EPROTO));
		hvt_set_spawn_error(msg);
		close(fd);
		if (ev >= 0)
			close(ev);
		return r < 0 ? (int)r : -EPROTO;
	}
	hvt_session *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		close(ev);
		return -ENOMEM;
	}
	s->remote = true;
	s->fd = fd;
	s->ev_fd = ev;
	*out = s;
	return 0;
}

int hvt_list_vm(const char *vm, struct rpc_task **tasks)
{
	*tasks = NULL;
	int fd = open_vm(vm);
	if (fd < 0)
		return fd;
	struct rpc_task *v = malloc(RPC_MAX_PAYLOAD);
	long r = v ? call_fd(fd, RPC_LIST, 0, 0, 0, 0, NULL, 0, v, RPC_MAX_PAYLOAD, NULL) : -ENOMEM;
	close(fd);
	if (r < 0) {
		free(v);
		return (int)r;
	}
	*tasks = v;
	return (int)r;
}

int remote_wait(hvt_session *s, struct hvt_event *ev, int timeout_ms)
{
	struct pollfd p = {.fd = s->ev_fd, .events = POLLIN};
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	/* The server writes whole events; the end of the stream is the end of the session. */
	return rpc_read_all(s->ev_fd, ev, sizeof *ev) ? -ECHILD : 0;
}

int remote_simple(hvt_session *s, int op, int tid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return (int)call(s, (uint32_t)op, tid, a0, a1, a2, NULL, 0, NULL, 0);
}

long remote_get(hvt_session *s, int op, int tid, uint64_t a0, uint64_t a1, void *out, size_t len)
{
	return call(s, (uint32_t)op, tid, a0, a1, 0, NULL, 0, out, len > RPC_MAX_PAYLOAD ? RPC_MAX_PAYLOAD : (uint32_t)len);
}

long remote_put(hvt_session *s, int op, int tid, uint64_t a0, const void *in, size_t len)
{
	return call(s, (uint32_t)op, tid, a0, 0, 0, in, (uint32_t)len, NULL, 0);
}

ssize_t remote_mem(hvt_session *s, int tid, uint64_t addr, void *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done > RPC_MAX_PAYLOAD ? RPC_MAX_PAYLOAD : len - done;
		long r = write ? remote_put(s, RPC_WRITE_MEM, tid, addr + done, (const char *)buf + done, n)
			       : remote_get(s, RPC_READ_MEM, tid, addr + done, n, (char *)buf + done, n);
		if (r < 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return (ssize_t)done;
}

int remote_open_file(hvt_session *s, int tid, const char *path)
{
	size_t n = strlen(path) + 1;
	int fd = -1;

	if (n > 4096)
		return -ENAMETOOLONG;
	long r = call_fd(s->fd, RPC_OPEN_FILE, tid, 0, 0, 0, path, (uint32_t)n, NULL, 0, &fd);
	if (r < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return r < 0 ? (int)r : -EPROTO;
	}
	return fd;
}

int hvt_remote_close(hvt_session *s)
{
	call(s, RPC_DETACH, 0, 0, 0, 0, NULL, 0, NULL, 0);
	close(s->fd);
	close(s->ev_fd);
	free(s);
	return 0;
}
