/* bench: a host-side tracer (include/hvtrace.h) that sees every syscall of a guest with
 * its arguments and result and formats a line for each, as `hvtrace strace` would:
 * either by stopping the task at each entry and exit (stop) or with a recorder called
 * where the syscall is served (record). The guest prints its own timing; the count of
 * syscalls seen goes to stderr.
 * usage: host_trace stop|record PROG ARGS... */
#include <hvtrace.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct log {
	pthread_mutex_t mu;
	long calls;
	char line[128];
	unsigned long long bytes;
};

static void line(struct log *l, const struct hvt_event *ev)
{
	pthread_mutex_lock(&l->mu);
	int n = snprintf(l->line, sizeof l->line, "[pid %d] syscall_%ld(%#lx, %#lx, %#lx) = %ld\n", ev->tid, ev->nr,
			 (unsigned long)ev->args[0], (unsigned long)ev->args[1], (unsigned long)ev->args[2], ev->ret);
	l->bytes += (unsigned long long)n;
	l->calls++;
	pthread_mutex_unlock(&l->mu);
}

static void recorder(void *arg, const struct hvt_event *ev)
{
	if (ev->kind == HVT_EV_SYSCALL_EXIT)
		line(arg, ev);
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "stop") && strcmp(argv[1], "record"))) {
		fprintf(stderr, "usage: %s stop|record PROG ARGS...\n", argv[0]);
		return 2;
	}
	struct log l = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct hvt_spawn_options o = {.argv = argv + 2, .stdio = {-1, -1, -1}, .flags = HVT_TRACE_SYSCALLS};
	if (!strcmp(argv[1], "record")) {
		o.recorder = recorder;
		o.recorder_arg = &l;
	}
	hvt_session *s;
	if (hvt_spawn(&o, &s)) {
		fprintf(stderr, "%s\n", hvt_spawn_error());
		return 1;
	}
	struct hvt_event ev;
	while (hvt_wait(s, &ev, -1) == 0 && ev.kind != HVT_EV_GUEST_EXITED) {
		if (ev.kind == HVT_EV_SYSCALL_EXIT)
			line(&l, &ev);
		if (ev.stopped)
			hvt_resume(s, ev.tid, HVT_CONT, 0);
	}
	int st = hvt_close(s);
	fprintf(stderr, "host_trace %s: %ld syscalls, %llu bytes of lines\n", argv[1], l.calls, l.bytes);
	return st;
}
