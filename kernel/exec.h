/* Loading a program image into a process: ELF segments, brk, stack, auxv, entry state. */
#ifndef HV_KERNEL_EXEC_H
#define HV_KERNEL_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/task.h"

/* A loaded image not yet in place (execve's point of no return lies between). */
struct exec_ctx {
	struct mm *mm;
	uint64_t entry, sp;
	char *exe; /* guest path of the file */
};

/* Loads the ELF at guest path (relative to guest fd dirfd; "": the file open on dirfd)
 * into a new address space for t's process. need_x: the
 * file must be executable (execve(2); hvtrace's own command line diagnoses any file).
 * On failure returns -errno and writes a one-line reason naming the file into why. */
int exec_load(struct task *t, int dirfd, const char *path, int argc, char *const argv[], int envc,
	      char *const envp[], bool need_x, struct exec_ctx *out, char *why, size_t why_len);
/* Puts a loaded image in place: the old address space goes, t starts at the entry. */
int exec_commit(struct task *t, struct exec_ctx *ctx);
void exec_abort(struct exec_ctx *ctx);

/* Replaces t's process image with the ELF at guest path. On failure returns -errno and
 * writes a one-line reason naming the file into why. */
int exec_image(struct task *t, const char *path, int argc, char *const argv[], int envc,
	       char *const envp[], char *why, size_t why_len);

#endif
