/* What the files of tools/api/ share: the session behind include/hvtrace.h's handle. */
#ifndef HV_TOOLS_API_H
#define HV_TOOLS_API_H

#include <hvtrace.h>
#include <pthread.h>
#include <stdbool.h>

#include "kernel/run.h"

struct host_session;

struct hvt_session {
	struct host_session *s;  /* the tracer in this process (ptrace/host.h) */
	/* hvt_spawn: the guest's thread and how the guest ended (run_done: s->mu). */
	bool spawned;
	pthread_t thread;
	bool run_done;
	struct hv_run_result result;
	/* hvt_attach: a VM of another process, reached over its control socket. */
	bool remote;
	int fd;    /* the control connection */
	int ev_fd; /* the event stream */
};

void hvt_set_spawn_error(const char *msg);
int hvt_remote_close(hvt_session *hs);

#endif
