/* Structure printers shared by the generic and the hand-written decoders. */
#ifndef TOOLS_STRACE_STRUCTS_H
#define TOOLS_STRACE_STRUCTS_H

#include <sys/stat.h>
#include <time.h>

#include "tools/strace/sysent.h"

void st_print_stat(struct sbuf *b, const struct stat *st, bool is_verbose);
void st_print_timespec(struct sbuf *b, const struct timespec *ts);
/* An iovec array of count elements; limit >= 0: the data shown stops after that many
 * bytes in all (what a read returned), -1: no limit. */
void st_print_iovec(struct st_dec *d, int tid, uint64_t addr, long count, long limit);
/* Arguments of the structure kinds (A_STAT_OUT, A_TIMESPEC, ...). */
void st_print_struct_arg(struct st_dec *d, struct st_call *c, int i, unsigned char kind);

#endif
