/* The guest's /proc (kernel/procfs.c): /proc/self, /proc/thread-self and /proc/PID for
 * guest pids, with status, stat, comm, maps, cmdline, environ, the exe, cwd and
 * fd/N links, and fd/ as a listable directory. */
#ifndef HV_KERNEL_PROCFS_H
#define HV_KERNEL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct kernel;
struct task;

/* Opens a /proc file for reading: a host fd, -ENOENT, or -EACCES (writes). */
int procfs_open(struct task *t, const char *path, int flags);
/* The same for task tid (-ESRCH when gone), from any thread (a host tracer's): the
 * task is looked up and used under k->mu only. Preconditions: k->mu not held. */
int procfs_open_as(struct kernel *k, int tid, const char *path, int flags);
/* readlink of a /proc link: false when path is not under /proc, else *ret is the
 * length written to out (not NUL-counted) or -errno. */
bool procfs_readlink(struct task *t, const char *path, char *out, size_t len, long *ret);

/* lstat of the /proc link at path: a host symlink to target made at out (unlink it
 * after), and in fix the mode and size Linux gives the link. */
int procfs_link_stand_in(struct task *t, const char *path, const char *target, char *out,
			 size_t len, struct stat *fix);
/* Removes the scratch directory of fd/ listings (at the VM's end). */
void procfs_cleanup(struct kernel *k);

#endif
