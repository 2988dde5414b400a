/* The control socket of a running VM (see rpc.h): `hvtrace ps` lists its tasks, and
 * hvt_attach's sessions trace them from another process.
 *
 * One thread accepts; each connection has a thread that serves its requests in order,
 * and an attached one a second thread that pumps the session's events into the event
 * stream. Only the VM's owner may connect (SO_PEERCRED). */
#include "tools/api/control_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "ptrace/host.h"
#include "tools/api/rpc.h"

#define MAX_CONNS 64

struct ctl_server {
	pthread_mutex_t mu;  /* protects k, nconns, conns */
	pthread_cond_t idle; /* nconns reached 0 */
	struct kernel *k;    /* NULL once the guest is gone */
	int lfd;
	int wake[2];         /* a byte here ends the accept loop */
	char path[108];
	pthread_t thread;
	int nconns;
	int conns[MAX_CONNS]; /* fds of live connections (-1: free slot) */
};

struct conn {
	struct ctl_server *srv;
	int fd;
	int slot;
	struct host_session *s; /* once attached */
	pthread_t pump;
	int ev_fd;              /* the server's end of the event stream */
};

static void *pump_main(void *arg)
{
	struct conn *c = arg;
	struct hvt_event ev;

	while (host_wait(c->s, &ev, -1) == 0)
		if (rpc_write_all(c->ev_fd, &ev, sizeof ev))
			break; /* the client is gone: its connection's end detaches */
	shutdown(c->ev_fd, SHUT_WR);
	return NULL;
}

static char task_state(const struct task *t)
{
	if (t->proc->stopped || t->pt.stopped || t->ht.stopped)
		return 'T';
	return t->sleeping ? 'S' : 'R';
}

/* Every task of the guest (zombie processes as one line each). */
static long list_tasks(struct ctl_server *srv, struct rpc_task **out, uint32_t *len)
{
	size_t cap = 64, n = 0;
	struct rpc_task *v = malloc(cap * sizeof *v);

	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&srv->mu);
	struct kernel *k = srv->k;
	if (k) {
		pthread_mutex_lock(&k->mu);
		for (struct process *p = k->procs; p; p = p->all_next) {
			struct task *t = p->threads;
			do {
				if (n == cap) {
					struct rpc_task *w = n * 2 * sizeof *v > RPC_MAX_PAYLOAD ? NULL : realloc(v, n * 2 * sizeof *v);
					if (!w)
						break;
					v = w;
					cap = n * 2;
				}
				struct rpc_task *x = &v[n++];
				memset(x, 0, sizeof *x);
				x->pid = p->pid;
				x->tid = t ? t->tid : p->pid;
				x->ppid = p->parent ? p->parent->pid : 0;
				x->state = t ? task_state(t) : 'Z';
				memcpy(x->comm, p->comm, sizeof x->comm - 1);
			} while (t && (t = t->thread_next));
		}
		pthread_mutex_unlock(&k->mu);
	}
	pthread_mutex_unlock(&srv->mu);
	*out = v;
	*len = (uint32_t)(n * sizeof *v);
	return (long)n;
}

static long attach(struct conn *c, const struct rpc_req *q, int *pass_fd)
{
	int sv[2];
	long r;

	if (c->s)
		return -EBUSY;
	if ((r = host_session_create(&c->s, (unsigned)q->a[0] & ~HVT_STOP_AT_ENTRY)))
		return r;
	pthread_mutex_lock(&c->srv->mu);
	r = c->srv->k ? host_attach(c->s, c->srv->k, q->tid, q->a[0] & HVT_TRACE_FOLLOW) : -ESRCH;
	pthread_mutex_unlock(&c->srv->mu);
	if (!r && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		r = -errno;
	if (!r) {
		c->ev_fd = sv[0];
		*pass_fd = sv[1];
		if ((r = -pthread_create(&c->pump, NULL, pump_main, c))) {
			close(sv[0]);
			close(sv[1]);
			*pass_fd = -1;
		}
	}
	if (r) {
		host_detach(c->s);
		host_session_free(c->s);
		c->s = NULL;
	}
	return r;
}

/* Serves one request; out/out_len: the response's payload (malloc'd). */
static long serve(struct conn *c, const struct rpc_req *q, const uint8_t *in, void **out, uint32_t *out_len,
		  int *pass_fd)
{
	struct host_session *s = c->s;
	uint64_t len;

	if (q->op == RPC_LIST)
		return list_tasks(c->srv, (struct rpc_task **)out, out_len);
	if (q->op == RPC_ATTACH)
		return attach(c, q, pass_fd);
	if (!s)
		return -ESRCH;
	switch (q->op) {
	case RPC_SET_FLAGS:
		return host_set_flags(s, (unsigned)q->a[0] & ~HVT_STOP_AT_ENTRY);
	case RPC_RESUME:
		return q->a[1] > 64 ? -EINVAL : host_resume(s, q->tid, (enum hvt_resume_how)q->a[0], (int)q->a[1]);
	case RPC_INTERRUPT:
		return host_interrupt(s, q->tid);
	case RPC_GET_REGS:
		if (!(*out = malloc(sizeof(struct user_regs_struct))))
			return -ENOMEM;
		*out_len = sizeof(struct user_regs_struct);
		return host_get_regs(s, q->tid, *out);
	case RPC_SET_REGS:
		if (q->len != sizeof(struct user_regs_struct))
			return -EINVAL;
		return host_set_regs(s, q->tid, (const struct user_regs_struct *)in);
	case RPC_GET_XSTATE:
	case RPC_READ_MEM:
	case RPC_AUXV:
	case RPC_EXE:
		len = q->op == RPC_READ_MEM ? q->a[1] : q->op == RPC_EXE ? 4096 : q->a[0];
		if (len > RPC_MAX_PAYLOAD)
			return -EINVAL;
		if (!(*out = malloc(len ? len : 1)))
			return -ENOMEM;
		long r = q->op == RPC_GET_XSTATE ? host_xstate(s, q->tid, *out, len, false)
		       : q->op == RPC_READ_MEM ? host_mem(s, q->tid, q->a[0], *out, len, false)
		       : q->op == RPC_AUXV ? host_auxv(s, q->tid, *out, len)
		       : host_exe_path(s, q->tid, *out, len);
		*out_len = r < 0 ? 0 : q->op == RPC_EXE ? (uint32_t)r + 1 : (uint32_t)r;
		return r;
	case RPC_SET_XSTATE:
		return host_xstate(s, q->tid, (void *)in, q->len, true);
	case RPC_WRITE_MEM:
		return host_mem(s, q->tid, q->a[0], (void *)in, q->len, true);
	case RPC_SET_BP:
	case RPC_CLEAR_BP:
		return host_breakpoint(s, q->tid, (enum hvt_bp_type)q->a[0], q->a[1], q->a[2], q->op == RPC_SET_BP);
	case RPC_TASKS: {
		uint64_t max = q->a[0] > RPC_MAX_PAYLOAD / sizeof(struct hvt_task_info) ? RPC_MAX_PAYLOAD / sizeof(struct hvt_task_info) : q->a[0];
		if (!(*out = calloc(max ? max : 1, sizeof(struct hvt_task_info))))
			return -ENOMEM;
		int n = host_tasks(s, *out, (int)max);
		*out_len = (uint32_t)((uint64_t)n < max ? (uint64_t)n : max) * sizeof(struct hvt_task_info);
		return n;
	}
	case RPC_OPEN_FILE: {
		/* The path: NUL-terminated, exactly the payload. */
		if (q->len < 2 || q->len > 4096 || in[q->len - 1] || strlen((const char *)in) != q->len - 1)
			return -EINVAL;
		int fd = host_open_file(s, q->tid, (const char *)in);
		if (fd < 0)
			return fd;
		*pass_fd = fd; /* sent with the response, then closed here */
		return 0;
	}
	case RPC_DETACH:
		return host_detach(s);
	case RPC_KILL:
		return host_kill(s, false);
	}
	return -EINVAL;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct ctl_server *srv = c->srv;
	struct rpc_req q;
	uint8_t *in = NULL;

	while (rpc_read_all(c->fd, &q, sizeof q) == 0) {
		if (q.magic != RPC_MAGIC || q.len > RPC_MAX_PAYLOAD)
			break; /* not our protocol: the connection ends */
		free(in);
		if (!(in = malloc(q.len ? q.len : 1)) || rpc_read_all(c->fd, in, q.len))
			break;
		void *out = NULL;
		uint32_t out_len = 0;
		int pass_fd = -1;
		struct rpc_resp a = {0};
		a.ret = serve(c, &q, in, &out, &out_len, &pass_fd);
		a.len = a.ret < 0 ? 0 : out_len;
		int r = rpc_send_with_fd(c->fd, &a, sizeof a, pass_fd);
		if (!r && a.len)
			r = rpc_write_all(c->fd, out, a.len);
		free(out);
		if (pass_fd >= 0)
			close(pass_fd);
		if (r)
			break;
	}
	free(in);
	/* The client is gone (or the VM is): what it traced runs on untraced. */
	if (c->s) {
		host_detach(c->s);
		pthread_join(c->pump, NULL);
		close(c->ev_fd);
		host_session_free(c->s);
	}
	int slot = c->slot;
	pthread_mutex_lock(&srv->mu);
	srv->conns[slot] = -1;
	close(c->fd);
	free(c);
	/* The last touch of srv: ctl_server_stop frees it once nconns is 0. */
	if (--srv->nconns == 0)
		pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->mu);
	return NULL;
}

static void accept_one(struct ctl_server *srv)
{
	int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct ucred cr;
	socklen_t crl = sizeof cr;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0 || cr.uid != geteuid()) {
		close(fd); /* only the VM's owner may look into it */
		return;
	}
	struct conn *c = calloc(1, sizeof *c);
	pthread_mutex_lock(&srv->mu);
	int slot = -1;
	for (int i = 0; i < MAX_CONNS && slot < 0; i++)
		if (srv->conns[i] < 0)
			slot = i;
	if (!c || slot < 0 || !srv->k) {
		pthread_mutex_unlock(&srv->mu);
		free(c);
		close(fd);
		return;
	}
	*c = (struct conn){.srv = srv, .fd = fd, .slot = slot, .ev_fd = -1};
	srv->conns[slot] = fd;
	srv->nconns++;
	pthread_mutex_unlock(&srv->mu);
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, conn_main, c)) {
		pthread_mutex_lock(&srv->mu);
		srv->conns[slot] = -1;
		srv->nconns--;
		pthread_mutex_unlock(&srv->mu);
		close(fd);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

static void *accept_main(void *arg)
{
	struct ctl_server *srv = arg;
	struct pollfd p[2] = {{.fd = srv->lfd, .events = POLLIN}, {.fd = srv->wake[0], .events = POLLIN}};

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
			accept_one(srv);
	}
	return NULL;
}

int ctl_server_start(struct ctl_server **out, const char *path, struct kernel *k, char *err, size_t errlen)
{
	struct ctl_server *srv = calloc(1, sizeof *srv);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int r;

	*out = NULL;
	if (!srv)
		return -ENOMEM;
	pthread_mutex_init(&srv->mu, NULL);
	pthread_cond_init(&srv->idle, NULL);
	srv->k = k;
	srv->lfd = srv->wake[0] = srv->wake[1] = -1;
	for (int i = 0; i < MAX_CONNS; i++)
		srv->conns[i] = -1;
	if (path) {
		r = strlen(path) < sizeof srv->path ? 0 : -ENAMETOOLONG;
		if (!r)
			strcpy(srv->path, path);
	} else {
		char id[32];
		snprintf(id, sizeof id, "%d", (int)getpid());
		char dir[256];
		if (!(r = rpc_socket_dir(dir, sizeof dir, 1)))
			r = rpc_socket_path(id, srv->path, sizeof srv->path);
	}
	if (r) {
		snprintf(err, errlen, "control socket %s: %s", path ? path : "directory", strerror(-r));
		goto fail;
	}
	strcpy(sa.sun_path, srv->path);
	srv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* A leftover socket of a VM that is gone is replaced; a live one is not. */
	int probe = rpc_connect(srv->path);
	if (probe >= 0) {
		close(probe);
		snprintf(err, errlen, "control socket %s: in use by a running VM", srv->path);
		r = -EADDRINUSE;
		goto fail;
	}
	if (probe == -ECONNREFUSED)
		unlink(srv->path);
	mode_t old = umask(0177); /* owner-only from the start */
	r = srv->lfd < 0 || bind(srv->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(srv->lfd, 16) < 0 ? -errno : 0;
	umask(old);
	if (!r && pipe2(srv->wake, O_CLOEXEC) < 0)
		r = -errno;
	if (!r)
		r = -pthread_create(&srv->thread, NULL, accept_main, srv);
	if (r) {
		snprintf(err, errlen, "control socket %s: %s", srv->path, strerror(-r));
		unlink(srv->path);
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->wake[0] >= 0) {
		close(srv->wake[0]);
		close(srv->wake[1]);
	}
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
	return r;
}

const char *ctl_server_path(const struct ctl_server *srv)
{
	return srv->path;
}

void ctl_server_stop(struct ctl_server *srv)
{
	if (!srv)
		return;
	if (write(srv->wake[1], "x", 1) < 0) {
		/* A pipe with room for a byte: cannot fail. */
	}
	pthread_join(srv->thread, NULL);
	unlink(srv->path);
	pthread_mutex_lock(&srv->mu);
	srv->k = NULL;
	/* Ends the connections: their threads finish the request they serve (a kill of
	 * the guest ends the guest, and so comes here, before its reply is written), then
	 * read the end of the stream, detach and go. */
	for (int i = 0; i < MAX_CONNS; i++)
		if (srv->conns[i] >= 0)
			shutdown(srv->conns[i], SHUT_RD);
	while (srv->nconns > 0)
		pthread_cond_wait(&srv->idle, &srv->mu);
	pthread_mutex_unlock(&srv->mu);
	close(srv->lfd);
	close(srv->wake[0]);
	close(srv->wake[1]);
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
}
