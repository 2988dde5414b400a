/* The -c summary table. */
#include <stdlib.h>
#include <string.h>

#include "tools/strace/summary.h"

void st_summary_add(struct st_summary *s, long nr, uint64_t ns, bool is_error)
{
	if (nr < 0 || nr >= ST_MAX_NR)
		return;
	s->per[nr].calls++;
	s->per[nr].errors += is_error;
	s->per[nr].ns += ns;
}

struct row {
	long nr;
	uint64_t calls, errors, ns;
};

/* Most time first; ties in syscall-number order, as strace's table shows them. */
static int by_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static const char dashes[] = "------ ----------- ----------- --------- --------- ----------------\n";

void st_summary_print(FILE *f, const struct st_summary *s)
{
	struct row rows[ST_MAX_NR];
	size_t n = 0;
	uint64_t total_ns = 0, total_calls = 0, total_errors = 0;

	for (long nr = 0; nr < ST_MAX_NR; nr++) {
		if (!s->per[nr].calls)
			continue;
		rows[n++] = (struct row){nr, s->per[nr].calls, s->per[nr].errors, s->per[nr].ns};
		total_ns += s->per[nr].ns;
		total_calls += s->per[nr].calls;
		total_errors += s->per[nr].errors;
	}
	qsort(rows, n, sizeof rows[0], by_time);

	fprintf(f, "%% time     seconds  usecs/call     calls    errors syscall\n");
	fputs(dashes, f);
	for (size_t i = 0; i < n; i++) {
		const char *name = st_syscall_name(rows[i].nr);
		double pct = total_ns ? 100.0 * (double)rows[i].ns / (double)total_ns : 0.0;
		fprintf(f, "%6.2f %11.6f %11llu %9llu %9.llu ", pct, (double)rows[i].ns / 1e9,
			(unsigned long long)(rows[i].ns / 1000 / rows[i].calls),
			(unsigned long long)rows[i].calls, (unsigned long long)rows[i].errors);
		if (name)
			fprintf(f, "%s\n", name);
		else
			fprintf(f, "syscall_%#lx\n", rows[i].nr);
	}
	fputs(dashes, f);
	fprintf(f, "%6.2f %11.6f %11llu %9llu %9.llu total\n", total_ns ? 100.0 : 0.0,
		(double)total_ns / 1e9,
		(unsigned long long)(total_calls ? total_ns / 1000 / total_calls : 0),
		(unsigned long long)total_calls, (unsigned long long)total_errors);
}
