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
	pthread_mutex_t lock; /* protects slots and nslots */
	struct fd_entry *slots;
	int nslots;
	int limit; /* RLIMIT_NOFILE */
};

int fdt_create(struct fdtable **out, int limit);
void fdt_destroy(struct fdtable *t);
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
