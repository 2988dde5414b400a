/* Loading a program image into a process: ELF segments, brk, stack, auxv, entry state. */
#ifndef HV_KERNEL_EXEC_H
#define HV_KERNEL_EXEC_H

#include <stddef.h>

#include "kernel/task.h"

/* Replaces t's process image with the ELF at guest path. On failure returns -errno and
 * writes a one-line reason naming the file into why. */
int exec_image(struct task *t, const char *path, int argc, char *const argv[], int envc,
	       char *const envp[], char *why, size_t why_len);

#endif
