/* Linux <-> gdb signal numbers (see signals.h). */
#include <errno.h>
#include <signal.h>

#include "tools/gdb/signals.h"

/* gdb's numbers of Linux signals 1..31 (SIGSTKFLT has none). */
static const unsigned char host_to_gdb[32] = {
	[SIGHUP] = 1, [SIGINT] = 2, [SIGQUIT] = 3, [SIGILL] = 4, [SIGTRAP] = 5,
	[SIGABRT] = 6, [SIGBUS] = 10, [SIGFPE] = 8, [SIGKILL] = 9, [SIGUSR1] = 30,
	[SIGSEGV] = 11, [SIGUSR2] = 31, [SIGPIPE] = 13, [SIGALRM] = 14, [SIGTERM] = 15,
	[SIGCHLD] = 20, [SIGCONT] = 19, [SIGSTOP] = 17, [SIGTSTP] = 18, [SIGTTIN] = 21,
	[SIGTTOU] = 22, [SIGURG] = 16, [SIGXCPU] = 24, [SIGXFSZ] = 25, [SIGVTALRM] = 26,
	[SIGPROF] = 27, [SIGWINCH] = 28, [SIGIO] = 23, [SIGPWR] = 32, [SIGSYS] = 12,
};

/* gdb's real-time signals: REALTIME_33..63 are 45..75, REALTIME_32 is 77, REALTIME_64
 * is 78 (signals.def grew them in that order). */
int gdb_signal_from_host(int sig)
{
	if (sig == 0)
		return 0;
	if (sig > 0 && sig < 32)
		return host_to_gdb[sig] ? host_to_gdb[sig] : GDB_SIGNAL_UNKNOWN;
	if (sig == 32)
		return 77;
	if (sig >= 33 && sig <= 63)
		return sig - 33 + 45;
	if (sig == 64)
		return 78;
	return GDB_SIGNAL_UNKNOWN;
}

int gdb_signal_to_host(int g)
{
	if (g == 0)
		return 0;
	for (int s = 1; s < 32; s++)
		if (host_to_gdb[s] == g)
			return s;
	if (g >= 45 && g <= 75)
		return g - 45 + 33;
	if (g == 77)
		return 32;
	if (g == 78)
		return 64;
	return -EINVAL;
}
