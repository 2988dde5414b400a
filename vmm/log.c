#include "vmm/log.h"

#include <stdarg.h>
#include <stdio.h>

/* Set once from the command line before any VM runs; read-only afterwards. */
static bool verbose;

static void emit(const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof line, fmt, ap);

	if (n < 0)
		return;
	/* One write per line so that lines of concurrent tasks never interleave. */
	fprintf(stderr, "hvtrace: %s\n", line);
}

void hv_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
}

void hv_info(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
}

void hv_set_verbose(bool on)
{
	verbose = on;
}

bool hv_is_verbose(void)
{
	return verbose;
}
