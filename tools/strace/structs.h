/* Structure printers shared by the generic and the hand-written decoders. */
#ifndef TOOLS_STRACE_STRUCTS_H
#define TOOLS_STRACE_STRUCTS_H

#include <sys/stat.h>
#include <time.h>

#include "tools/strace/sysent.h"

void st_print_stat(struct sbuf *b, const struct stat *st, bool is_verbose);
void st_print_timespec(struct sbuf *b, const struct timespec *ts);
/* Arguments of the structure kinds (A_STAT_OUT, A_TIMESPEC, ...). */
void st_print_struct_arg(struct st_dec *d, struct st_call *c, int i, unsigned char kind);

#endif
