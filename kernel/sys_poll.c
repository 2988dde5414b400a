/* poll, ppoll, select and pselect6 over the host fds behind guest fds. The wait is
 * the host's ppoll, interruptible by signals (kernel/kernel.c: task_poll_host). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"

#define POLL_MAX_FDS 1048576

static bool valid_ts(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* Sets a temporary signal mask for ppoll/pselect (restored after delivery, as
 * sigsuspend does). Returns 0 or -errno. */
static long set_temp_mask(struct task *t, uint64_t usig, uint64_t size)
{
	ksigset_t mask;

	if (!usig)
		return 0;
	if (size != sizeof mask)
		return -EINVAL;
	if (get_user(t, &mask, usig, sizeof mask))
		return -EFAULT;
	pthread_mutex_lock(&t->k->mu);
	t->saved_mask = t->blocked;
	t->restore_saved_mask = true;
	sig_set_blocked(t, mask); /* a signal it lets in ends the wait at once */
	pthread_mutex_unlock(&t->k->mu);
	return 0;
}

/* Undoes set_temp_mask when no signal interrupted the call. */
static void end_temp_mask(struct task *t, uint64_t usig, long r)
{
	if (!usig || r == -ERESTARTNOHAND)
		return; /* the mask stays until the signal is delivered */
	pthread_mutex_lock(&t->k->mu);
	if (t->restore_saved_mask) {
		t->blocked = t->saved_mask;
		t->restore_saved_mask = false;
	}
	pthread_mutex_unlock(&t->k->mu);
}

static long do_poll(struct task *t, uint64_t ufds, uint64_t nfds, const struct timespec *timeout)
{
	if (nfds > POLL_MAX_FDS || nfds > (uint64_t)t->proc->rlim[RLIMIT_NOFILE].rlim_cur)
		return -EINVAL;
	struct pollfd *g = calloc(nfds ? nfds : 1, sizeof *g), *h = calloc(nfds ? nfds : 1, sizeof *h);
	long r = 0;
	if (!g || !h) {
		r = -ENOMEM;
		goto out;
	}
	if (nfds && get_user(t, g, ufds, nfds * sizeof *g)) {
		r = -EFAULT;
		goto out;
	}
	int bad = 0;
	for (uint64_t i = 0; i < nfds; i++) {
		h[i].events = g[i].events;
		h[i].revents = 0;
		if (g[i].fd < 0) {
			h[i].fd = -1; /* ignored, revents 0 */
			continue;
		}
		int hf = fdt_host_fd(t->proc->files, g[i].fd);
		if (hf < 0) {
			h[i].fd = -1;
			h[i].revents = POLLNVAL;
			bad++;
			continue;
		}
		h[i].fd = hf;
	}
	if (bad) {
		/* As Linux: invalid fds count as ready (POLLNVAL); look at the rest at once. */
		struct timespec zero = {0, 0};
		r = task_poll_host(t, h, nfds, &zero);
	} else {
		r = task_poll_host(t, h, nfds, timeout);
	}
	if (r == -EINTR) {
		r = -ERESTARTNOHAND;
		goto out;
	}
	if (r < 0)
		goto out;
	r = 0;
	for (uint64_t i = 0; i < nfds; i++) {
		if (g[i].fd >= 0 && h[i].fd < 0)
			h[i].revents = POLLNVAL;
		g[i].revents = h[i].revents;
		if (g[i].revents)
			r++;
	}
	if (nfds && put_user(t, ufds, g, nfds * sizeof *g))
		r = -EFAULT;
out:
	free(g);
	free(h);
	return r;
}

SYSCALL(poll)
{
	int ms = (int)a[2];
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	return do_poll(t, a[0], a[1], ms < 0 ? NULL : &ts);
}

SYSCALL(ppoll)
{
	struct timespec ts;
	long r;

	if (a[2]) {
		if (get_user(t, &ts, a[2], sizeof ts))
			return -EFAULT;
		if (!valid_ts(&ts))
			return -EINVAL;
	}
	if ((r = set_temp_mask(t, a[3], a[4])))
		return r;
	r = do_poll(t, a[0], a[1], a[2] ? &ts : NULL);
	end_temp_mask(t, a[3], r);
	return r;
}

/* select: fd_sets become a pollfd array (as Linux's do_select semantics allow). */
static long do_select(struct task *t, int n, uint64_t uin, uint64_t uout, uint64_t uex,
		      struct timespec *timeout)
{
	fd_set in, out, ex, rin, rout, rex;
	long r;

	if (n < 0)
		return -EINVAL;
	if (n > FD_SETSIZE * 64 || n > (int)t->proc->rlim[RLIMIT_NOFILE].rlim_cur)
		n = (int)t->proc->rlim[RLIMIT_NOFILE].rlim_cur;
	if (n > FD_SETSIZE)
		return -EINVAL; /* larger sets are not supported yet */
	size_t bytes = ((size_t)n + 63) / 64 * 8;
	FD_ZERO(&in);
	FD_ZERO(&out);
	FD_ZERO(&ex);
	if ((uin && get_user(t, &in, uin, bytes)) || (uout && get_user(t, &out, uout, bytes)) ||
	    (uex && get_user(t, &ex, uex, bytes)))
		return -EFAULT;
	struct pollfd *p = calloc((size_t)n + 1, sizeof *p);
	int *gfd = calloc((size_t)n + 1, sizeof *gfd);
	int np = 0;
	if (!p || !gfd) {
		free(p);
		free(gfd);
		return -ENOMEM;
	}
	for (int fd = 0; fd < n; fd++) {
		short ev = 0;
		if (uin && FD_ISSET(fd, &in))
			ev |= POLLIN;
		if (uout && FD_ISSET(fd, &out))
			ev |= POLLOUT;
		if (uex && FD_ISSET(fd, &ex))
			ev |= POLLPRI;
		if (!ev)
			continue;
		int hf = fdt_host_fd(t->proc->files, fd);
		if (hf < 0) {
			free(p);
			free(gfd);
			return -EBADF;
		}
		p[np] = (struct pollfd){.fd = hf, .events = ev};
		gfd[np++] = fd;
	}
	r = task_poll_host(t, p, (unsigned long)np, timeout);
	if (r == -EINTR) {
		free(p);
		free(gfd);
		return -ERESTARTNOHAND;
	}
	if (r < 0) {
		free(p);
		free(gfd);
		return r;
	}
	FD_ZERO(&rin);
	FD_ZERO(&rout);
	FD_ZERO(&rex);
	r = 0;
	for (int i = 0; i < np; i++) {
		short re = p[i].revents;
		/* As Linux's select: hang-up and errors make a descriptor readable/writable. */
		if ((p[i].events & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR))) {
			FD_SET(gfd[i], &rin);
			r++;
		}
		if ((p[i].events & POLLOUT) && (re & (POLLOUT | POLLERR))) {
			FD_SET(gfd[i], &rout);
			r++;
		}
		if ((p[i].events & POLLPRI) && (re & POLLPRI)) {
			FD_SET(gfd[i], &rex);
			r++;
		}
	}
	free(p);
	free(gfd);
	if ((uin && put_user(t, uin, &rin, bytes)) || (uout && put_user(t, uout, &rout, bytes)) ||
	    (uex && put_user(t, uex, &rex, bytes)))
		return -EFAULT;
	return r;
}

SYSCALL(select)
{
	struct timeval tv;
	struct timespec ts, *tp = NULL, start;

	if (a[4]) {
		if (get_user(t, &tv, a[4], sizeof tv))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		ts.tv_sec = tv.tv_sec + tv.tv_usec / 1000000;
		ts.tv_nsec = (tv.tv_usec % 1000000) * 1000;
		tp = &ts;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	long r = do_select(t, (int)a[0], a[1], a[2], a[3], tp);
	if (tp && r != -EFAULT) {
		/* As Linux: select writes back the time left. */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t left = (ts.tv_sec * 1000000000LL + ts.tv_nsec) -
			       ((now.tv_sec - start.tv_sec) * 1000000000LL + (now.tv_nsec - start.tv_nsec));
		if (left < 0)
			left = 0;
		tv.tv_sec = left / 1000000000LL;
		tv.tv_usec = (left % 1000000000LL) / 1000;
		if (put_user(t, a[4], &tv, sizeof tv) && r >= 0)
			r = -EFAULT;
	}
	return r;
}

SYSCALL(pselect6)
{
	struct timespec ts, *tp = NULL;
	uint64_t sig[2] = {0, 0}; /* { const sigset_t *ss; size_t ss_len; } */
	long r;

	if (a[4]) {
		if (get_user(t, &ts, a[4], sizeof ts))
			return -EFAULT;
		if (!valid_ts(&ts))
			return -EINVAL;
		tp = &ts;
	}
	if (a[5] && get_user(t, sig, a[5], sizeof sig))
		return -EFAULT;
	if ((r = set_temp_mask(t, sig[0], sig[1])))
		return r;
	r = do_select(t, (int)a[0], a[1], a[2], a[3], tp);
	end_temp_mask(t, sig[0], r);
	return r;
}
