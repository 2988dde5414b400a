/* `hvtrace gdb`: options, the listening socket and one gdb connection (what is
 * debugged, and what becomes of it when gdb leaves: target.c). */
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvtrace gdb [--port N | --socket PATH] [--stop-at-entry] [--] PROG [ARGS...]\n"
		"       hvtrace gdb [--port N | --socket PATH] --attach VM:PID\n"
		"       hvtrace gdb [--port N | --socket PATH] --multi [--vm VM]\n"
		"\n"
		"Serves the GDB remote protocol for a program run under hvtrace (it waits at its\n"
		"first instruction for gdb), or for a task of a running `hvtrace run` (VM as\n"
		"`hvtrace ps` lists it, or its control socket). Then: gdb PROG -ex 'target remote :N'.\n"
		"\n"
		"  --port N        listen on 127.0.0.1:N (default 0: any free port, printed)\n"
		"  --socket PATH   listen on a Unix socket instead\n"
		"  --stop-at-entry the program waits at its entry point for gdb (the default)\n"
		"  --attach VM:PID attach to guest task PID of a running VM\n"
		"  --multi         start with nothing to debug: gdb's `target extended-remote`\n"
		"                  then `run` (vRun) or `attach PID` (vAttach)\n"
		"  --vm VM         the VM of `attach PID` (default: --attach's VM, else the only\n"
		"                  one running; gdb's `monitor vm VM` changes it)\n"
		"\n"
		"With `target extended-remote`, `run` starts the program again (with gdb's\n"
		"arguments), `attach PID` attaches to a task of the VM, `kill` ends it.\n");
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

int gdb_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"socket", required_argument, NULL, 's'},
		{"attach", required_argument, NULL, 'a'},
		{"stop-at-entry", no_argument, NULL, 'e'},
		{"multi", no_argument, NULL, 'm'},
		{"vm", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL, *attach = NULL, *vm_opt = NULL;
	int port = 0, c, lfd, cfd, status = 0;
	bool multi = false;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:s:a:ehmv:", opts, NULL)) != -1) {
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
		case 'm': multi = true; break;
		case 'v':
			if (strlen(optarg) >= sizeof ((struct gdb_stub *)0)->vm) {
				fprintf(stderr, "hvtrace gdb: --vm %s: too long\n", optarg);
				return 2;
			}
			vm_opt = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!attach && !multi && optind >= argc) {
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
	if (!st || gdb_stub_init(st)) {
		fprintf(stderr, "hvtrace gdb: out of memory\n");
		free(st);
		return 1;
	}
	if (vm_opt)
		snprintf(st->vm, sizeof st->vm, "%s", vm_opt);
	int err = 0;
	if (attach)
		err = gdb_target_attach(st, vm, pid);
	else if (optind < argc)
		err = gdb_target_spawn(st, argv + optind);
	if (err && !attach) {
		gdb_stub_free(st);
		free(st);
		return 127; /* the program could not be started */
	}
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
	status = gdb_target_finish(st);
	gdb_stub_free(st);
	free(st);
	return err || lfd < 0 ? 1 : status;
}
