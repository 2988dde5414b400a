/* The -c / -C table: calls, errors and time per syscall. */
#ifndef TOOLS_STRACE_SUMMARY_H
#define TOOLS_STRACE_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "tools/strace/strace.h"

struct st_summary {
	struct {
		uint64_t calls, errors, ns;
	} per[ST_MAX_NR];
};

void st_summary_add(struct st_summary *s, long nr, uint64_t ns, bool is_error);
/* strace's layout: header, dashes, one row per syscall by time (most first), dashes,
 * total. The times are what the caller added: the host's CPU time serving each call
 * (strace's system time), or with -w the wall-clock time between entry and exit. */
void st_summary_print(FILE *f, const struct st_summary *s);

#endif
