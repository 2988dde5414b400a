/* The guest's /proc (kernel/procfs.c): /proc/self, /proc/thread-self and /proc/PID for
 * guest pids, with status, stat, comm, maps, cmdline, environ, and the exe, cwd and
 * fd/N links. */
#ifndef HV_KERNEL_PROCFS_H
#define HV_KERNEL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

struct task;

/* Opens a /proc file for reading: a host fd, -ENOENT, or -EACCES (writes). */
int procfs_open(struct task *t, const char *path, int flags);
/* readlink of a /proc link: false when path is not under /proc, else *ret is the
 * length written to out (not NUL-counted) or -errno. */
bool procfs_readlink(struct task *t, const char *path, char *out, size_t len, long *ret);

#endif
