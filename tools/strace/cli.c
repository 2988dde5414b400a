/* `hvtrace strace`: strace's options, so that habits and log parsers carry over. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/transport.h"
#include "tools/strace/session.h"
#include "vmm/guest_mem.h"

#include "tools/strace/cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvtrace strace [-fqrTvwxyCc] [-e EXPR]... [-o FILE] [-s N] [-t[t[t]]] [--json]\n"
		"                      { -p VM:PID | PROG [ARGS...] }\n"
		"\n"
		"Traces a program run by hvtrace (or a task of a running hvtrace, see hvtrace ps)\n"
		"with strace's options and output format. Exits with the program's status.\n"
		"\n"
		"  -f            follow threads and child processes ([pid N] prefixes)\n"
		"  -ff           with -o FILE: one file per task, FILE.TID\n"
		"  -o FILE       write the trace to FILE instead of stderr\n"
		"  -e trace=SET  syscalls to show: names, %%file %%process %%network %%signal %%memory\n"
		"                %%desc %%ipc %%creds %%clock %%stat, all, none, !SET (negation)\n"
		"  -e signal=SET signals to show; -e status=SET successful, failed, unfinished\n"
		"  -s N          string size limit (default 32)\n"
		"  -v            structures and environments in full\n"
		"  -x, -xx       non-ASCII strings (all strings) in hex\n"
		"  -y            file descriptors with their paths\n"
		"  -t, -tt, -ttt time of day, with microseconds, as seconds since the epoch\n"
		"  -r            time since the previous line   -T  time spent in each syscall\n"
		"  -c, -C        count calls, errors and time (-C: with the trace); the time is\n"
		"                the host's CPU time serving each call (strace's system time)\n"
		"  -w            with -c/-C: wall-clock time from entry to exit instead\n"
		"  -q, -qq       no attach/detach messages (-qq: no exit statuses)\n"
		"  -p VM:PID     attach to task PID of the VM (Ctrl-C detaches)\n"
		"  --json        one JSON object per event (syscall, signal, exit)\n"
		"  --mem SIZE, --root DIR, --syscall-transport exit|shared|auto\n"
		"                the guest, as for hvtrace run\n");
}

/* Options strace takes without an argument can be repeated to count (-ff, -xx, -ttt). */
static int parse(int argc, char **argv, struct st_opts *o)
{
	static const struct option longs[] = {
		{"json", no_argument, NULL, 'J'},
		{"output", required_argument, NULL, 'o'},
		{"attach", required_argument, NULL, 'p'},
		{"string-limit", required_argument, NULL, 's'},
		{"summary-only", no_argument, NULL, 'c'},
		{"summary", no_argument, NULL, 'C'},
		{"summary-wall-clock", no_argument, NULL, 'w'},
		{"follow-forks", no_argument, NULL, 'f'},
		{"output-separately", no_argument, NULL, 'F'},
		{"decode-fds", no_argument, NULL, 'y'},
		{"syscall-times", no_argument, NULL, 'T'},
		{"relative-timestamps", no_argument, NULL, 'r'},
		{"quiet", no_argument, NULL, 'q'},
		{"trace", required_argument, NULL, 1},
		{"signal", required_argument, NULL, 2},
		{"status", required_argument, NULL, 3},
		{"mem", required_argument, NULL, 4},
		{"root", required_argument, NULL, 5},
		{"syscall-transport", required_argument, NULL, 6},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const prefixes[] = {NULL, "trace=", "signal=", "status="};
	char err[256], expr[4096];
	bool has_c = false, has_big_c = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fo:e:s:vwxytrTcCqp:h", longs, NULL)) != -1) {
		switch (c) {
		case 'f': o->follow++; break;
		case 'F': o->follow = 2; break;
		case 'o': o->outname = optarg; break;
		case 'v': o->fmt.is_verbose = true; break;
		case 'x': o->fmt.xflag++; break;
		case 'y': o->fmt.show_fdpaths = true; break;
		case 't': o->timestamps++; break;
		case 'r': o->is_relative = true; break;
		case 'T': o->show_durations = true; break;
		case 'c': has_c = true; break;
		case 'C': has_big_c = true; break;
		case 'w': o->is_wall_clock = true; break;
		case 'q': o->quiet++; break;
		case 'p': o->attach = optarg; break;
		case 'J': o->is_json = true; break;
		case 's': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 0 || n > 1 << 20) {
				fprintf(stderr, "hvtrace strace: -s %s: expected a size\n", optarg);
				return -1;
			}
			o->fmt.strsize = (unsigned)n;
			break;
		}
		case 'e':
		case 1:
		case 2:
		case 3:
			snprintf(expr, sizeof expr, "%s%s", c == 'e' ? "" : prefixes[c], optarg);
			if (st_filter_parse(&o->filter, expr, err, sizeof err)) {
				fprintf(stderr, "hvtrace strace: %s\n", err);
				return -1;
			}
			break;
		case 4:
			if (parse_mem_size(optarg, &o->mem_size) || o->mem_size < (64ull << 20)) {
				fprintf(stderr, "hvtrace strace: --mem %s: expected a size from 64M, e.g. 512M or 4G\n", optarg);
				return -1;
			}
			break;
		case 5:
			o->root = optarg;
			break;
		case 6: {
			enum syscall_transport m;
			if (transport_parse(optarg, &m)) {
				fprintf(stderr, "hvtrace strace: --syscall-transport %s: expected exit, shared or auto\n", optarg);
				return -1;
			}
			o->transport = (int)m;
			break;
		}
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	/* strace's refusals, in its words. */
	if (has_c && has_big_c) {
		fprintf(stderr, "hvtrace strace: -c/--summary-only and -C/--summary are mutually exclusive\n");
		return -1;
	}
	o->summary = has_c ? 1 : has_big_c ? 2 : 0;
	if (o->is_wall_clock && !o->summary) {
		fprintf(stderr, "hvtrace strace: -w/--summary-wall-clock must be given with "
				"(-c/--summary-only or -C/--summary)\n");
		return -1;
	}
	if (o->follow > 2)
		o->follow = 2;
	if (o->fmt.xflag > 2)
		o->fmt.xflag = 2;
	if (o->timestamps > 3)
		o->timestamps = 3;
	if (o->follow == 2 && !o->outname)
		o->follow = 1; /* as strace: -ff means -f without -o */
	if (!o->attach && optind >= argc) {
		fprintf(stderr, "hvtrace strace: must have PROG [ARGS] or -p VM:PID\n");
		usage(stderr);
		return -1;
	}
	if (o->attach && optind < argc) {
		fprintf(stderr, "hvtrace strace: -p and a program to run exclude each other\n");
		return -1;
	}
	o->is_deferred = o->is_json || o->filter.status != ST_STATUS_ALL;
	return 0;
}

int strace_main(int argc, char **argv)
{
	struct st_opts o = {.fmt = {.strsize = 32}};
	st_filter_init(&o.filter);
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	return st_run(&o, argv + optind);
}
