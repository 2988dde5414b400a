/* `hvtrace gdb`: options, the listening socket, the first stop, one gdb connection,
 * and what becomes of the program when gdb leaves. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvtrace.h"
#include "tools/gdb/gdb.h"
#include "tools/gdb/stub.h"
#include "vmm/sandbox.h"

/* Forks stop the parent: reported to gdb when it asked for fork events, else let go. */
#define FLAGS (HVT_TRACE_FOLLOW | HVT_TRACE_SIGNALS | HVT_TRACE_EXEC | HVT_TRACE_FORK)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvtrace gdb [--port N | --socket PATH] [--stop-at-entry] [--] PROG [ARGS...]\n"
		"       hvtrace gdb [--port N | --socket PATH] --attach VM:PID\n"
		"\n"
		"Serves the GDB remote protocol for a program run under hvtrace (it waits at its\n"
		"first instruction for gdb), or for a task of a running `hvtrace run` (VM as\n"
		"`hvtrace ps` lists it, or its control socket). Then: gdb PROG -ex 'target remote :N'.\n"
		"\n"
		"  --port N        listen on 127.0.0.1:N (default 0: any free port, printed)\n"
		"  --socket PATH   listen on a Unix socket instead\n"
		"  --stop-at-entry the program waits at its entry point for gdb (the default)\n"
		"  --attach VM:PID attach to guest task PID of a running VM\n");
}

/* Listens and says where on stderr ("listening on port N"): scripts read the port. */
static int listen_on(int port, const char *path)
{
	int fd;

	if (path) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		if (strlen(path) >= sizeof sa.sun_path) {
			fprintf(stderr, "hvtrace gdb: --socket %s: path too long\n", path);
			return -1;
		}
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		unlink(path);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1)) {
			fprintf(stderr, "hvtrace gdb: listen on %s: %s\n", path, strerror(errno));
			return -1;
		}
		fprintf(stderr, "hvtrace gdb: listening on %s\n", path);
		return fd;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int one = 1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		fprintf(stderr, "hvtrace gdb: listen on port %d: %s\n", port, strerror(errno));
		return -1;
	}
	fprintf(stderr, "hvtrace gdb: listening on port %d\n", ntohs(sa.sin_port));
	return fd;
}

/* The first stop: the program at its entry, or the attached task. */
static int first_stop(struct gdb_stub *st)
{
	struct hvt_event ev;

	for (;;) {
		int r = hvt_wait(st->s, &ev, 30000);
		if (r)
			return r;
		if (ev.kind == HVT_EV_GUEST_EXITED || ev.kind == HVT_EV_EXITED)
			return -ESRCH;
		if (ev.kind == HVT_EV_START && ev.stopped)
			break;
		if (ev.stopped)
			hvt_resume(st->s, ev.tid, HVT_CONT, 0);
	}
	if (!gdb_add_thread(st, ev.pid, ev.tid))
		return -ENOMEM;
	gdb_note_pid(st, ev.pid);
	st->g_thread = (struct gdb_ptid){ev.pid, ev.tid};
	return 0;
}

/* "VM:PID" (VM may itself hold colons: a socket path). */
static int parse_attach(const char *attach, char *vm, size_t len, int *pid)
{
	const char *colon = strrchr(attach, ':');
	char *end;
	long p = colon ? strtol(colon + 1, &end, 10) : 0;

	if (!colon || colon == attach || (size_t)(colon - attach) >= len || !colon[1] || *end ||
	    p <= 0 || p > 0x3fffffff)
		return -EINVAL;
	snprintf(vm, len, "%.*s", (int)(colon - attach), attach);
	*pid = (int)p;
	return 0;
}

static int open_session(const char *attach, char **prog, hvt_session **s)
{
	if (attach) {
		char vm[4096];
		int pid = 0;
		parse_attach(attach, vm, sizeof vm, &pid);
		int err = hvt_attach(vm, pid, FLAGS, s);
		if (err)
			fprintf(stderr, "hvtrace gdb: attach to %s: %s\n", attach, hvt_spawn_error());
		return err;
	}
	struct hvt_spawn_options o = {.argv = prog, .stdio = {-1, -1, -1},
				      .flags = FLAGS | HVT_STOP_AT_ENTRY};
	int err = hvt_spawn(&o, s);
	if (err)
		fprintf(stderr, "hvtrace gdb: %s: %s\n", prog[0], hvt_spawn_error());
	else
		sandbox_enter_or_exit("hvtrace gdb"); /* set up: confined from here */
	return err;
}

int gdb_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"socket", required_argument, NULL, 's'},
		{"attach", required_argument, NULL, 'a'},
		{"stop-at-entry", no_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL, *attach = NULL;
	int port = 0, c, lfd, cfd, status = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:s:a:eh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = (int)strtol(optarg, &end, 10);
			if (*end || port < 0 || port > 65535) {
				fprintf(stderr, "hvtrace gdb: --port %s: expected 0 to 65535\n", optarg);
				return 2;
			}
			break;
		case 's': path = optarg; break;
		case 'a': attach = optarg; break;
		case 'e': break; /* the only behaviour: gdb must see the program before it runs */
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!attach && optind >= argc) {
		fprintf(stderr, "hvtrace gdb: no program given\n");
		usage(stderr);
		return 2;
	}
	if (attach && optind < argc) {
		fprintf(stderr, "hvtrace gdb: --attach takes no program\n");
		return 2;
	}
	char vm[4096];
	int pid;
	if (attach && parse_attach(attach, vm, sizeof vm, &pid)) {
		fprintf(stderr, "hvtrace gdb: --attach %s: expected VM:PID\n", attach);
		return 2;
	}

	struct gdb_stub *st = malloc(sizeof *st);
	hvt_session *s = NULL;
	if (!st) {
		fprintf(stderr, "hvtrace gdb: out of memory\n");
		return 1;
	}
	if (open_session(attach, argv + optind, &s)) {
		free(st);
		return attach ? 1 : 127;
	}
	int err = gdb_stub_init(st, s, attach != NULL);
	if (!err && (err = first_stop(st)))
		fprintf(stderr, "hvtrace gdb: no first stop: %s\n", strerror(-err));
	lfd = err ? -1 : listen_on(port, path);
	if (lfd >= 0) {
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		close(lfd);
		if (path)
			unlink(path);
		if (cfd >= 0) {
			int one = 1;
			setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			err = gdb_stub_serve(st, cfd);
			close(cfd);
		} else {
			fprintf(stderr, "hvtrace gdb: accept: %s\n", strerror(errno));
			err = -errno;
		}
	}
	/* gdb left without detach or kill (or never came): an attached task runs on, a
	 * program we started ends with us, unless gdb was done with it (its processes
	 * exited or detached: what remains, a detached fork child, finishes). */
	if (!st->is_guest_gone) {
		if (attach || st->nthreads == 0) {
			for (int i = 0; i < st->nthreads; i++)
				gdb_drop_bps(st, st->threads[i].pid, true);
			hvt_detach(s);
		} else {
			hvt_kill(s);
		}
	}
	status = hvt_close(s);
	gdb_stub_free(st);
	free(st);
	if (err || lfd < 0)
		return 1;
	return attach ? 0 : status;
}
