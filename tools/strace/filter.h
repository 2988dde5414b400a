/* -e trace=, -e signal= and -e status= sets. */
#ifndef TOOLS_STRACE_FILTER_H
#define TOOLS_STRACE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/strace/strace.h"

/* -e status= classes of a finished syscall. */
enum st_status {
	ST_SUCCESSFUL = 0x1,
	ST_FAILED = 0x2,
	ST_UNFINISHED = 0x4, /* the task ended inside it */
	ST_UNAVAILABLE = 0x8,
	ST_DETACHED = 0x10,
	ST_STATUS_ALL = 0x1f,
};

struct st_filter {
	uint64_t syscalls[ST_MAX_NR / 64]; /* bit nr: shown */
	uint64_t signals;                  /* bit sig-1: shown */
	unsigned status;                   /* enum st_status bits shown */
};

/* Everything shown: strace's default. */
void st_filter_init(struct st_filter *f);
/* Applies one -e argument ("trace=%file,!write", "signal=none", "status=failed",
 * or a bare set, which means trace=). A later set of a kind replaces the earlier one,
 * as strace does. 0, or -EINVAL with the reason in err. */
int st_filter_parse(struct st_filter *f, const char *expr, char *err, size_t errlen);
bool st_filter_syscall(const struct st_filter *f, long nr);
bool st_filter_signal(const struct st_filter *f, int sig);

#endif
