/* Parsing the -e qualifiers. The syntax is strace's: [!]ELEM[,ELEM...], where a
 * leading ! negates the whole set and ELEM is a name, a number, %CLASS, /REGEX, all or
 * none; a ? before ELEM lets an unknown name pass silently. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/strace/filter.h"

void st_filter_init(struct st_filter *f)
{
	memset(f->syscalls, 0xff, sizeof f->syscalls);
	f->signals = ~0ull;
	f->status = ST_STATUS_ALL;
}

bool st_filter_syscall(const struct st_filter *f, long nr)
{
	if (nr < 0 || nr >= ST_MAX_NR)
		return true; /* unknown numbers are shown, as strace shows syscall_0x... */
	return (f->syscalls[nr / 64] >> (nr % 64)) & 1;
}

bool st_filter_signal(const struct st_filter *f, int sig)
{
	return sig >= 1 && sig <= 64 && ((f->signals >> (sig - 1)) & 1);
}

static unsigned class_by_name(const char *name)
{
	static const struct {
		const char *name;
		unsigned cls;
	} classes[] = {
		{"file", SC_FILE}, {"process", SC_PROCESS}, {"network", SC_NETWORK},
		{"net", SC_NETWORK}, {"signal", SC_SIGNAL}, {"memory", SC_MEMORY}, {"desc", SC_DESC},
		{"ipc", SC_IPC}, {"creds", SC_CREDS}, {"clock", SC_CLOCK}, {"stat", SC_STAT},
		{"lstat", SC_LSTAT}, {"fstat", SC_FSTAT}, {"%stat", SC_STAT | SC_LSTAT | SC_FSTAT},
		{"statfs", SC_STATFS}, {"%statfs", SC_STATFS}, {"pure", SC_PURE},
	};
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (!strcmp(classes[i].name, name))
			return classes[i].cls;
	return 0;
}

static void set_bit(uint64_t *bits, long n)
{
	bits[n / 64] |= 1ull << (n % 64);
}

static int add_syscalls(struct st_filter *f, const char *elem, char *err, size_t errlen)
{
	bool is_optional = elem[0] == '?';
	if (is_optional)
		elem++;
	if (!strcmp(elem, "all")) {
		memset(f->syscalls, 0xff, sizeof f->syscalls);
		return 0;
	}
	if (!strcmp(elem, "none"))
		return 0;
	if (elem[0] == '/') {
		regex_t re;
		bool is_any = false;
		if (regcomp(&re, elem + 1, REG_EXTENDED | REG_NOSUB)) {
			snprintf(err, errlen, "invalid regular expression '%s'", elem + 1);
			return -EINVAL;
		}
		for (long nr = 0; nr < ST_MAX_NR; nr++) {
			const char *name = st_syscall_name(nr);
			if (name && !regexec(&re, name, 0, NULL, 0)) {
				set_bit(f->syscalls, nr);
				is_any = true;
			}
		}
		regfree(&re);
		if (!is_any && !is_optional) {
			snprintf(err, errlen, "invalid system call '%s'", elem);
			return -EINVAL;
		}
		return 0;
	}
	/* "%file", and the old spelling without %, which strace still accepts. */
	unsigned cls = class_by_name(elem[0] == '%' ? elem + 1 : elem);
	if (cls && (elem[0] == '%' || st_syscall_by_name(elem) < 0)) {
		for (long nr = 0; nr < ST_MAX_NR; nr++)
			if (st_syscall_classes(nr) & cls)
				set_bit(f->syscalls, nr);
		return 0;
	}
	char *end;
	long nr = strtol(elem, &end, 10);
	if (!*elem || *end)
		nr = st_syscall_by_name(elem);
	if (nr < 0 || nr >= ST_MAX_NR) {
		if (is_optional)
			return 0;
		snprintf(err, errlen, "invalid system call '%s'", elem);
		return -EINVAL;
	}
	set_bit(f->syscalls, nr);
	return 0;
}

static int add_signals(struct st_filter *f, const char *elem, char *err, size_t errlen)
{
	if (!strcmp(elem, "all")) {
		f->signals = ~0ull;
		return 0;
	}
	if (!strcmp(elem, "none"))
		return 0;
	int sig = st_signal_by_name(elem);
	if (sig < 1) {
		snprintf(err, errlen, "invalid signal '%s'", elem);
		return -EINVAL;
	}
	f->signals |= 1ull << (sig - 1);
	return 0;
}

static int add_status(struct st_filter *f, const char *elem, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{"successful", ST_SUCCESSFUL}, {"failed", ST_FAILED}, {"unfinished", ST_UNFINISHED},
		{"unavailable", ST_UNAVAILABLE}, {"detached", ST_DETACHED}, {"all", ST_STATUS_ALL},
		{"none", 0},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!strcmp(names[i].name, elem)) {
			f->status |= names[i].bit;
			return 0;
		}
	}
	snprintf(err, errlen, "invalid status '%s'", elem);
	return -EINVAL;
}

int st_filter_parse(struct st_filter *f, const char *expr, char *err, size_t errlen)
{
	enum { TRACE, SIGNAL, STATUS } what = TRACE;
	const char *eq = strchr(expr, '=');
	if (eq) {
		size_t n = (size_t)(eq - expr);
		if ((n == 5 && !strncmp(expr, "trace", n)) || (n == 1 && expr[0] == 't'))
			what = TRACE;
		else if ((n == 6 && !strncmp(expr, "signal", n)) || (n == 7 && !strncmp(expr, "signals", n)) ||
			 (n == 1 && expr[0] == 's'))
			what = SIGNAL;
		else if (n == 6 && !strncmp(expr, "status", n))
			what = STATUS;
		else {
			snprintf(err, errlen, "invalid filter action '%.*s'", (int)n, expr);
			return -EINVAL;
		}
		expr = eq + 1;
	}
	bool is_negated = expr[0] == '!';
	if (is_negated)
		expr++;

	struct st_filter next = *f;
	switch (what) {
	case TRACE: memset(next.syscalls, 0, sizeof next.syscalls); break;
	case SIGNAL: next.signals = 0; break;
	case STATUS: next.status = 0; break;
	}
	char *copy = strdup(expr);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = 0;
	char *save = NULL;
	for (char *elem = strtok_r(copy, ",", &save); elem && !rc; elem = strtok_r(NULL, ",", &save)) {
		switch (what) {
		case TRACE: rc = add_syscalls(&next, elem, err, errlen); break;
		case SIGNAL: rc = add_signals(&next, elem, err, errlen); break;
		case STATUS: rc = add_status(&next, elem, err, errlen); break;
		}
	}
	free(copy);
	if (rc)
		return rc;
	if (is_negated) {
		switch (what) {
		case TRACE:
			for (size_t i = 0; i < ST_MAX_NR / 64; i++)
				next.syscalls[i] = ~next.syscalls[i];
			break;
		case SIGNAL: next.signals = ~next.signals; break;
		case STATUS: next.status = ~next.status & ST_STATUS_ALL; break;
		}
	}
	*f = next;
	return 0;
}
