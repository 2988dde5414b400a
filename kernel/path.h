/* Guest paths resolved on the host file system, optionally inside --root DIR (then
 * with openat2(RESOLVE_IN_ROOT), so that neither ".." nor symlinks leave DIR).
 * The host's procfs is never handed to the guest: through /proc/<hvtrace>/mem it would
 * reach the VMM's memory. */
#ifndef HV_KERNEL_PATH_H
#define HV_KERNEL_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "kernel/task.h"

#define GUEST_PATH_MAX 4096

/* A new file-system context: root_dir NULL is the host's "/" and hvtrace's working
 * directory. */
int fs_init(struct fs_context **out, const char *root_dir, unsigned umask);
/* fork(2) without CLONE_FS: a copy of src. */
int fs_clone(const struct fs_context *src, struct fs_context **out);
/* CLONE_FS and threads: one more user; fs_put drops one, freeing with the last. */
void fs_get(struct fs_context *fs);
void fs_put(struct fs_context *fs);

/* openat(2) for the guest: a host fd (O_CLOEXEC on the host) or -errno. */
int path_open(struct process *p, int dirfd, const char *path, int flags, mode_t mode);
/* Opens path (no O_CREAT) as a process with file-system context fs would, from any
 * thread (a host tracer's: it holds a reference to fs): a host fd or -errno. Not the
 * guest's /proc (kernel/procfs.h). */
int path_open_in(struct fs_context *fs, const char *path, int flags);
/* A host fd for the file open on guest fd (execveat AT_EMPTY_PATH), close-on-exec. */
int path_dup_guest_fd(struct process *p, int fd);
/* Is path the guest's /proc/self/exe (or /proc/PID/exe of itself)? */
bool path_is_proc_self_exe(struct process *p, const char *path);

/* For operations on a last component that must not be followed (unlink, mkdir, lstat,
 * readlink, rename...): *dir_fd is a host directory fd to use with *last; close it with
 * path_put_parent. With *needs_close false, dir_fd is borrowed. */
struct path_parent {
	int dir_fd;
	int needs_close;
	char last[GUEST_PATH_MAX];
};
int path_parent(struct process *p, int dirfd, const char *path, struct path_parent *out);
void path_put_parent(struct path_parent *pp);

/* The guest-visible absolute path of a host directory/file fd (getcwd, /proc/self/exe). */
int path_of_host_fd(struct process *p, int host_fd, char *buf, size_t len);

/* Is this host fd something the guest must never hold (the host's procfs, /dev/mem)? */
int path_check_allowed(int host_fd);

#endif
