/* The signals `hvtrace run` itself receives belong to the program it runs: Ctrl-C's
 * SIGINT and a hangup's SIGHUP go to the guest's foreground process group, SIGTERM to
 * its first process (kernel/sig_send.h, sig_send_from_host). A guest that handles or
 * ignores them does so as natively; one that does not dies of them, and hvtrace exits
 * as it would. (SIGQUIT is not forwarded: tools/run_signals.c says why.) */
#ifndef HV_TOOLS_RUN_SIGNALS_H
#define HV_TOOLS_RUN_SIGNALS_H

#include <pthread.h>
#include <signal.h>

struct kernel;

struct run_signals {
	pthread_mutex_t mu; /* protects k */
	struct kernel *k;   /* the running guest, NULL before and after it runs */
	sigset_t set;       /* the signals forwarded */
	sigset_t ignored;   /* those of set hvtrace was started with ignored */
	pthread_t thread;   /* waits for them (sigwaitinfo) until the process exits */
};

/* Blocks the forwarded signals in the calling thread, so that every thread it makes
 * after this inherits the mask and only the forwarder takes them, and starts the
 * forwarder. Call before the guest's threads exist. 0 or -errno. */
int run_signals_start(struct run_signals *rs);
/* The guest is running (k) or has ended (NULL). Until it runs and once it has ended, a
 * forwarded signal ends hvtrace by its default action, as if never blocked. */
void run_signals_guest(struct run_signals *rs, struct kernel *k);

#endif
