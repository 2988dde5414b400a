/* The hvtrace command line. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "kernel/run.h"
#include "tools/api/control_server.h"
#include "tools/api/remote.h"
#include "tools/api/rpc.h"
#include "tools/run_signals.h"
#include "tools/strace/cli.h"
#include "kernel/transport.h"
#include "vmm/guest_mem.h"
#include "vmm/log.h"
#include "vmm/platform.h"
#include "vmm/sandbox.h"
#include "vmm/vm.h"
#include "tools/gdb/gdb.h"

#define HVTRACE_VERSION "0.1.0"

extern char **environ;

/* The dispositions hvtrace was started with that the program would have inherited:
 * the ignored ones (hv_run_options.ignored_signals). */
static uint64_t ignored_at_start;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvtrace run [--mem SIZE] [--root DIR] [--syscall-transport exit|shared|auto]\n"
		"                   [--ptrace-scope N] [--control PATH] [--max-tasks N] [--timeout T]\n"
		"                   [--no-sandbox] [--verbose] [--] PROG [ARGS...]\n"
		"       hvtrace ps    list the running VMs and their guest tasks\n"
		"       hvtrace strace [-f] [-o FILE] [-e EXPR]... PROG [ARGS] | -p VM:PID  (see hvtrace strace -h)\n"
		"       hvtrace gdb [--port N | --socket PATH] [--attach VM:PID] [--] PROG [ARGS...]\n"
		"                     serve the GDB remote protocol (hvtrace gdb --help)\n"
		"       hvtrace --platform   probe /dev/kvm and describe what it offers\n"
		"       hvtrace --help | --version\n"
		"\n"
		"Runs a static x86-64 Linux program in guest ring 3 of a KVM virtual machine with no\n"
		"guest kernel; hvtrace serves every syscall. The exit status is the program's\n"
		"(128+N when signal N killed it; 126/127 when it cannot be started).\n"
		"\n"
		"  --mem SIZE    guest RAM, e.g. 512M or 4G (default 2G, reserved sparsely)\n"
		"  --root DIR    the guest's / is DIR (paths cannot leave it)\n"
		"  --syscall-transport exit|shared|auto\n"
		"                how syscalls reach hvtrace: a VM exit each, a shared-memory slot\n"
		"                served by a host thread (no exit), or adaptive (default)\n"
		"  --ptrace-scope N\n"
		"                Yama's ptrace_scope inside the guest: 0 classic, 1 only descendants\n"
		"                (default), 2 only with CAP_SYS_PTRACE, 3 no attaching at all\n"
		"  --control PATH\n"
		"                serve the control socket (attach, ps) at PATH instead of\n"
		"                $XDG_RUNTIME_DIR/hvtrace/PID.sock or /run/hvtrace/PID.sock\n"
		"  --max-tasks N at most N tasks (threads) live at once; clone/fork past it: EAGAIN\n"
		"  --timeout T   kill the guest after T seconds (T may end in s, m or h); exit 124\n"
		"  --no-sandbox  do not confine hvtrace itself with seccomp (to debug hvtrace)\n"
		"  --verbose     report unimplemented syscalls and refused operations\n");
}


/* "30", "2.5", "10s", "10m", "1h": milliseconds, at least 1. */
static int parse_duration_ms(const char *s, uint64_t *ms)
{
	char *end;
	double v = strtod(s, &end);
	double unit = 1000;

	if (end == s || v <= 0)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		unit = 60000, end++;
	else if (*end == 'h')
		unit = 3600000, end++;
	if (*end || v * unit > 1e12)
		return -1;
	*ms = (uint64_t)(v * unit) ? (uint64_t)(v * unit) : 1;
	return 0;
}

struct control {
	const char *path;
	struct ctl_server *srv;
	bool sandbox;
	struct run_signals *signals; /* or NULL */
};

/* The control socket lives as long as the guest. Attaching is a convenience: a VM that
 * cannot serve one runs anyway, and says so. */
static void control_on_guest(void *arg, struct kernel *k, bool running)
{
	struct control *c = arg;
	char err[512];

	if (c->signals)
		run_signals_guest(c->signals, running ? k : NULL);
	if (running && ctl_server_start(&c->srv, c->path, k, err, sizeof err))
		fprintf(stderr, "hvtrace: %s; attaching to this VM is not possible\n", err);
	else if (!running)
		ctl_server_stop(c->srv);
	/* Set up: from here on, only the host syscalls hvtrace needs (vmm/sandbox.h). */
	if (running && c->sandbox && sandbox_enter(err, sizeof err)) {
		fprintf(stderr, "hvtrace: %s\n", err);
		exit(125);
	}
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"mem", required_argument, NULL, 'm'},
		{"root", required_argument, NULL, 'r'},
		{"verbose", no_argument, NULL, 'v'},
		{"syscall-transport", required_argument, NULL, 't'},
		{"ptrace-scope", required_argument, NULL, 'p'},
		{"control", required_argument, NULL, 'c'},
		{"max-tasks", required_argument, NULL, 'n'},
		{"timeout", required_argument, NULL, 'T'},
		{"no-sandbox", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hv_run_options o = {.umask = -1};
	struct control ctl = {0};
	const char *timeout_arg = "";
	int c;

	optind = 1;
	ctl.sandbox = sandbox_wanted();
	while ((c = getopt_long(argc, argv, "+m:r:t:p:c:n:T:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			ctl.sandbox = false;
			break;
		case 'n': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 100000) {
				fprintf(stderr, "hvtrace: --max-tasks %s: expected a number from 1 to 100000\n", optarg);
				return 2;
			}
			o.max_tasks = (int)v;
			break;
		}
		case 'T':
			timeout_arg = optarg;
			if (parse_duration_ms(optarg, &o.timeout_ms)) {
				fprintf(stderr, "hvtrace: --timeout %s: expected seconds, e.g. 30, 2.5, 10m or 1h\n", optarg);
				return 2;
			}
			break;
		case 'c':
			ctl.path = optarg;
			break;
		case 'm':
			if (parse_mem_size(optarg, &o.mem_size) || o.mem_size < (64ull << 20) ||
			    o.mem_size > (256ull << 30)) {
				fprintf(stderr, "hvtrace: --mem %s: expected a size from 64M to 256G, e.g. 512M or 4G\n", optarg);
				return 2;
			}
			break;
		case 'r':
			o.root = optarg;
			break;
		case 'v':
			hv_set_verbose(true);
			break;
		case 't': {
			enum syscall_transport m;
			if (transport_parse(optarg, &m)) {
				fprintf(stderr, "hvtrace: --syscall-transport %s: expected exit, shared or auto\n", optarg);
				return 2;
			}
			o.transport = (int)m;
			break;
		}
		case 'p':
			if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '3') {
				fprintf(stderr, "hvtrace: --ptrace-scope %s: expected 0, 1, 2 or 3\n", optarg);
				return 2;
			}
			o.ptrace_scope_set = true;
			o.ptrace_scope = optarg[0] - '0';
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "hvtrace run: no program given\n");
		usage(stderr);
		return 2;
	}
	if (o.root) {
		struct stat st;
		if (stat(o.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "hvtrace: --root %s: %s\n", o.root, errno ? strerror(errno) : "not a directory");
			return 2;
		}
	}
	char *found = o.root ? NULL : hvt_find_program(argv[optind]);
	if (found)
		o.path = found;
	/* The guest's umask is applied by hvtrace itself; the host's must not apply twice. */
	mode_t m = umask(0);
	o.umask = (int)m;

	o.on_guest = control_on_guest;
	o.on_guest_arg = &ctl;
	o.ignored_signals = ignored_at_start;
	/* Before the guest's threads exist: they inherit the blocked forwarded signals. */
	struct run_signals signals;
	if (run_signals_start(&signals))
		fprintf(stderr, "hvtrace: cannot forward signals to the guest; Ctrl-C ends hvtrace\n");
	else
		ctl.signals = &signals;
	struct hv_run_result res;
	hv_run_program(&o, argc - optind, argv + optind, environ, &res);
	if (res.timed_out)
		fprintf(stderr, "hvtrace: --timeout %s reached: the guest was killed\n", timeout_arg);
	switch (res.outcome) {
	case HV_EXITED:
		break;
	case HV_SIGNALED:
		fprintf(stderr, "hvtrace: %s\n", res.message);
		break;
	case HV_LOAD_FAILED:
		fprintf(stderr, "hvtrace: %s\n", res.message);
		break;
	case HV_VM_FAILED:
	case HV_FATAL:
		fprintf(stderr, "hvtrace: %s\n", res.message);
		break;
	}
	free(found);
	return hv_run_status(&res);
}

/* `hvtrace ps`: every VM with a control socket in the directory, and its tasks. */
static int cmd_ps(void)
{
	char dir[256];
	int r = rpc_socket_dir(dir, sizeof dir, 0);
	if (r) {
		fprintf(stderr, "hvtrace ps: %s\n", strerror(-r));
		return 1;
	}
	DIR *d = opendir(dir);
	printf("%-10s %7s %7s %7s %-5s %s\n", "VM", "PID", "TID", "PPID", "STATE", "COMMAND");
	if (!d)
		return 0; /* no VM has ever run: nothing to list */
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".sock"))
			continue;
		char id[64];
		snprintf(id, sizeof id, "%.*s", (int)(n - 5), e->d_name);
		struct rpc_task *t;
		int cnt = hvt_list_vm(id, &t);
		if (cnt == -ECONNREFUSED) {
			char stale[512];
			snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
			unlink(stale); /* its VM is gone */
			continue;
		}
		for (int i = 0; i < cnt; i++)
			printf("%-10s %7d %7d %7d %-5c %s\n", id, t[i].pid, t[i].tid, t[i].ppid, t[i].state, t[i].comm);
		if (cnt >= 0)
			free(t);
	}
	closedir(d);
	return 0;
}

static int cmd_platform(void)
{
	struct hv_vm vm;
	char desc[1024];

	if (vm_create(&vm, 64ull << 20))
		return 1;
	platform_describe(&vm.platform, desc, sizeof desc);
	fputs(desc, stdout);
	vm_destroy(&vm);
	return 0;
}

int main(int argc, char **argv)
{
	for (int sig = 1; sig < 64; sig++) {
		struct sigaction sa;
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			ignored_at_start |= 1ull << (sig - 1);
	}
	/* A guest writing to a broken pipe gets EPIPE; the VMM itself must not die of it. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hvtrace %s\n", HVTRACE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--platform"))
		return cmd_platform();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "strace"))
		return strace_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ps"))
		return cmd_ps();
	if (!strcmp(argv[1], "gdb"))
		return gdb_main(argc - 1, argv + 1);
	fprintf(stderr, "hvtrace: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
