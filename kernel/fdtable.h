/* Guest file descriptors: each is a host file descriptor hvtrace holds for the guest. */
#ifndef HV_KERNEL_FDTABLE_H
#define HV_KERNEL_FDTABLE_H

#include <pthread.h>
#include <stdbool.h>

#define FD_MAX_DEFAULT 1024

struct fd_entry {
	int host_fd; /* -1: slot free */
	bool cloexec;
};

struct fdtable {
	pthread_mutex_t lock; /* protects slots, nslots and refs */
	int refs;             /* processes sharing it (CLONE_FILES) */
	struct fd_entry *slots;
	int nslots;
	int limit; /* RLIMIT_NOFILE */
};

int fdt_create(struct fdtable **out, int limit);
void fdt_destroy(struct fdtable *t);
/* fork(2): a new table with a duplicate of every open descriptor (sharing the open file
 * description, as Linux), close-on-exec flags included. */
int fdt_clone(struct fdtable *src, struct fdtable **out);
/* CLONE_FILES: one more user; fdt_put drops one and destroys the table with the last. */
void fdt_get(struct fdtable *t);
void fdt_put(struct fdtable *t);
/* execve(2): closes every close-on-exec descriptor. */
void fdt_close_on_exec(struct fdtable *t);
/* Installs host_fd at the lowest free guest fd >= min; returns it or -EMFILE. Takes
 * ownership of host_fd (closes it on failure). */
int fdt_install(struct fdtable *t, int host_fd, bool cloexec, int min);
/* Installs host_fd at exactly guest fd, closing what was there. */
int fdt_install_at(struct fdtable *t, int fd, int host_fd, bool cloexec);
/* The host fd behind guest fd, or -EBADF. */
int fdt_host_fd(struct fdtable *t, int fd);
int fdt_close(struct fdtable *t, int fd);
int fdt_get_cloexec(struct fdtable *t, int fd, bool *cloexec);
int fdt_set_cloexec(struct fdtable *t, int fd, bool cloexec);

#endif
