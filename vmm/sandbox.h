/* hvtrace confines itself once set up (issue #8's "the VMM confines itself"): a seccomp
 * filter on every thread of the process allows the host syscalls it needs (the list and
 * its reasons are in sandbox.c) and stops the process on any other, with a message,
 * so that a bug in a syscall handler cannot be turned into arbitrary host syscalls
 * (no execve, no ptrace of host processes, no mount...). */
#ifndef HV_VMM_SANDBOX_H
#define HV_VMM_SANDBOX_H

#include <stddef.h>

#include <stdbool.h>

/* 0, or -errno with a message in err. Irreversible. */
int sandbox_enter(char *err, size_t errlen);
/* Whether the command-line tools confine themselves: not in sanitizer builds, whose
 * reports start a symbolizer. */
bool sandbox_wanted(void);
/* For the tools after their set-up (the guest exists): sandbox_enter when wanted; on
 * failure the message and exit status 125. */
void sandbox_enter_or_exit(const char *tool);

#endif
