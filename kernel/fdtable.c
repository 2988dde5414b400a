#include "kernel/fdtable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int fdt_create(struct fdtable **out, int limit)
{
	struct fdtable *t = calloc(1, sizeof *t);

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->limit = limit;
	t->refs = 1;
	*out = t;
	return 0;
}

void fdt_destroy(struct fdtable *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nslots; i++)
		if (t->slots[i].host_fd >= 0)
			close(t->slots[i].host_fd);
	free(t->slots);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Preconditions: t->lock held. */
static int grow(struct fdtable *t, int need)
{
	if (need <= t->nslots)
		return 0;
	int n = t->nslots ? t->nslots : 16;
	while (n < need)
		n *= 2;
	struct fd_entry *s = realloc(t->slots, n * sizeof *s);
	if (!s)
		return -ENOMEM;
	for (int i = t->nslots; i < n; i++)
		s[i] = (struct fd_entry){.host_fd = -1};
	t->slots = s;
	t->nslots = n;
	return 0;
}

int fdt_install(struct fdtable *t, int host_fd, bool cloexec, int min)
{
	int fd = -EMFILE;

	if (min < 0)
		min = 0;
	pthread_mutex_lock(&t->lock);
	for (int i = min; i < t->limit; i++) {
		if (i >= t->nslots && grow(t, i + 1)) {
			fd = -ENOMEM;
			break;
		}
		if (t->slots[i].host_fd < 0) {
			t->slots[i] = (struct fd_entry){.host_fd = host_fd, .cloexec = cloexec};
			fd = i;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (fd < 0)
		close(host_fd);
	return fd;
}

int fdt_install_at(struct fdtable *t, int fd, int host_fd, bool cloexec)
{
	int old = -1, r = fd;

	if (fd < 0 || fd >= t->limit) {
		close(host_fd);
		return -EBADF;
	}
	pthread_mutex_lock(&t->lock);
	if (grow(t, fd + 1)) {
		r = -ENOMEM;
		close(host_fd);
	} else {
		old = t->slots[fd].host_fd;
		t->slots[fd] = (struct fd_entry){.host_fd = host_fd, .cloexec = cloexec};
	}
	pthread_mutex_unlock(&t->lock);
	if (old >= 0)
		close(old);
	return r;
}

int fdt_host_fd(struct fdtable *t, int fd)
{
	int h = -EBADF;

	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nslots && t->slots[fd].host_fd >= 0)
		h = t->slots[fd].host_fd;
	pthread_mutex_unlock(&t->lock);
	return h;
}

int fdt_close(struct fdtable *t, int fd)
{
	int h = -EBADF;

	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nslots && t->slots[fd].host_fd >= 0) {
		h = t->slots[fd].host_fd;
		t->slots[fd].host_fd = -1;
	}
	pthread_mutex_unlock(&t->lock);
	if (h < 0)
		return h;
	/* As Linux: close releases the descriptor even when the underlying close fails. */
	return close(h) < 0 && errno != EINTR ? -errno : 0;
}

int fdt_get_cloexec(struct fdtable *t, int fd, bool *cloexec)
{
	int r = -EBADF;

	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nslots && t->slots[fd].host_fd >= 0) {
		*cloexec = t->slots[fd].cloexec;
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int fdt_set_cloexec(struct fdtable *t, int fd, bool cloexec)
{
	int r = -EBADF;

	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->nslots && t->slots[fd].host_fd >= 0) {
		t->slots[fd].cloexec = cloexec;
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

int fdt_clone(struct fdtable *src, struct fdtable **out)
{
	struct fdtable *t;
	int r;

	if ((r = fdt_create(&t, src->limit)))
		return r;
	pthread_mutex_lock(&src->lock);
	if ((r = grow(t, src->nslots)) == 0) {
		for (int i = 0; i < src->nslots; i++) {
			if (src->slots[i].host_fd < 0)
				continue;
			int h = fcntl(src->slots[i].host_fd, F_DUPFD_CLOEXEC, 3);
			if (h < 0) {
				r = errno == EMFILE || errno == ENFILE ? -ENOMEM : -errno;
				break;
			}
			t->slots[i] = (struct fd_entry){.host_fd = h, .cloexec = src->slots[i].cloexec};
		}
	}
	pthread_mutex_unlock(&src->lock);
	if (r) {
		fdt_destroy(t);
		return r;
	}
	*out = t;
	return 0;
}

void fdt_get(struct fdtable *t)
{
	pthread_mutex_lock(&t->lock);
	t->refs++;
	pthread_mutex_unlock(&t->lock);
}

void fdt_put(struct fdtable *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	int left = --t->refs;
	pthread_mutex_unlock(&t->lock);
	if (!left)
		fdt_destroy(t);
}

void fdt_close_on_exec(struct fdtable *t)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->nslots; i++) {
		if (t->slots[i].host_fd >= 0 && t->slots[i].cloexec) {
			close(t->slots[i].host_fd);
			t->slots[i].host_fd = -1;
		}
	}
	pthread_mutex_unlock(&t->lock);
}
