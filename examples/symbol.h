/* Finding a function of the traced program by name (libelf), for the examples. */
#ifndef HVT_EXAMPLES_SYMBOL_H
#define HVT_EXAMPLES_SYMBOL_H

#include <stdint.h>

#include <hvtrace.h>

/* The run-time address of function `name` in the program task tid runs (a static
 * executable, or a static PIE relocated by the difference between AT_ENTRY and the
 * file's entry point), or 0 with a message on stderr. */
uint64_t symbol_address(hvt_session *s, int tid, const char *path, const char *name);

#endif
