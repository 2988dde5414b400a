/* What the stub debugs, and changing it: a program it starts (hvt_spawn) or a task of a
 * running VM (hvt_attach), its first stop, and extended-remote's vRun, vAttach and
 * `monitor vm`. One session at a time: a new one replaces a session gdb is done with
 * (no process left to it); a spawned guest that still runs (processes gdb let go) is
 * kept aside and waited for when the stub ends, as a detached child always was. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/api/rpc.h"
#include "tools/gdb/stub.h"
#include "vmm/sandbox.h"

/* Forks stop the parent: reported to gdb when it asked for fork events, else let go. */
#define FLAGS (HVT_TRACE_FOLLOW | HVT_TRACE_SIGNALS | HVT_TRACE_EXEC | HVT_TRACE_FORK)
#define VRUN_MAX_ARGS 256

/* Forgets everything about the previous target; the negotiated features stay. */
static void reset_target_state(struct gdb_stub *st)
{
	st->nthreads = 0;
	st->nbps = 0;
	st->ndetached = 0;
	st->nexits = 0;
	st->nlive_pids = 0;
	st->g_thread = (struct gdb_ptid){0, 0};
	st->c_thread = (struct gdb_ptid){-1, -1};
	st->is_running = false;
	st->ctrl_c = false;
	st->is_guest_gone = true; /* until a session's first stop */
	st->has_guest_ended = false;
	st->guest_status = 0;
	st->last_stop[0] = 0;
	st->fs_pid = 0;
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
	st->is_guest_gone = false;
	return 0;
}

/* Takes s as the stub's session and its first stop; closes it on failure. */
static int adopt(struct gdb_stub *st, hvt_session *s, bool is_attached)
{
	reset_target_state(st);
	st->s = s;
	st->is_attached = is_attached;
	int err = first_stop(st);
	if (err) {
		fprintf(stderr, "hvtrace gdb: no first stop: %s\n", strerror(-err));
		hvt_kill(s);
		hvt_close(s);
		st->s = NULL;
		reset_target_state(st);
	}
	return err;
}

static char **copy_argv(char *const *argv)
{
	int n = 0;

	while (argv[n])
		n++;
	char **v = calloc((size_t)n + 1, sizeof *v);
	for (int i = 0; v && i < n; i++)
		if (!(v[i] = strdup(argv[i]))) {
			gdb_free_argv(v);
			return NULL;
		}
	return v;
}

void gdb_free_argv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

int gdb_target_spawn(struct gdb_stub *st, char *const *argv)
{
	struct hvt_spawn_options o = {.argv = argv, .stdio = {-1, -1, -1}, .flags = FLAGS | HVT_STOP_AT_ENTRY};
	hvt_session *s;
	int err = hvt_spawn(&o, &s);

	if (err) {
		fprintf(stderr, "hvtrace gdb: %s: %s\n", argv[0], hvt_spawn_error());
		return err;
	}
	if (!st->is_sandboxed) {
		sandbox_enter_or_exit("hvtrace gdb"); /* set up: confined from here */
		st->is_sandboxed = true;
	}
	/* vRun without a program runs this one again. */
	char **copy = copy_argv(argv);
	if (copy) {
		gdb_free_argv(st->run_argv);
		st->run_argv = copy;
	}
	return adopt(st, s, false);
}

int gdb_target_attach(struct gdb_stub *st, const char *vm, int pid)
{
	hvt_session *s;
	int err = hvt_attach(vm, pid, FLAGS, &s);

	if (err) {
		fprintf(stderr, "hvtrace gdb: attach to %s:%d: %s\n", vm, pid, hvt_spawn_error());
		return err;
	}
	/* vAttach's later PIDs are in this VM unless told otherwise. */
	if (vm != st->vm)
		snprintf(st->vm, sizeof st->vm, "%s", vm);
	return adopt(st, s, true);
}

/* Lets the current session go before another: gdb has no process left in it. */
static void retire(struct gdb_stub *st)
{
	if (!st->s)
		return;
	for (int i = 0; i < st->nthreads; i++)
		gdb_drop_bps(st, st->threads[i].pid, true);
	/* A spawned guest whose processes gdb let go runs on: it is waited for at the end
	 * (hvt_close would wait now). Anything else ends at once. */
	if (!st->is_attached && !st->has_guest_ended && st->nretired < GDB_MAX_RETIRED) {
		hvt_detach(st->s);
		st->retired[st->nretired++] = st->s;
	} else {
		hvt_detach(st->s);
		hvt_close(st->s);
	}
	st->s = NULL;
	gdb_files_close_all(st);
	reset_target_state(st);
}

/* A new target only once gdb is done with the current one (gdb kills or detaches
 * first; a second live inferior is not served, as gdbserver without multiprocess). */
static bool is_busy(struct gdb_stub *st)
{
	if (st->nthreads == 0)
		return false;
	fprintf(stderr, "hvtrace gdb: already debugging a process\n");
	return true;
}

/* "vRun;HEXPROG;HEXARG...": a new guest for the program (empty: the last one run) with
 * exactly these arguments, as gdbserver. The reply is its first stop. */
void gdb_cmd_vrun(struct gdb_stub *st, const char *args)
{
	static char buf[GDB_PACKET_MAX / 2 + 1];
	const char *f[VRUN_MAX_ARGS];
	char *argv[VRUN_MAX_ARGS + 1];
	int n = gdb_parse_hex_fields(args, buf, sizeof buf, f, VRUN_MAX_ARGS);

	if (n < 0)
		return gdb_reply_error(st, n);
	if (is_busy(st))
		return gdb_reply_error(st, EBUSY);
	const char *prog = f[0][0] ? f[0] : st->run_argv ? st->run_argv[0] : NULL;
	if (!prog)
		return gdb_reply_error(st, ENOENT); /* gdb then suggests `set remote exec-file` */
	char *path = strdup(prog);
	if (!path)
		return gdb_reply_error(st, ENOMEM);
	argv[0] = path;
	for (int i = 1; i < n; i++)
		argv[i] = (char *)f[i];
	argv[n] = NULL;
	retire(st);
	int err = gdb_target_spawn(st, argv);
	free(path);
	if (err)
		return gdb_reply_error(st, err);
	gdb_cmd_status(st);
}

/* The VM vAttach means when nobody said: the only one running, if there is one. */
static int only_vm(char *vm, size_t len)
{
	char dir[256], path[512];
	int found = 0;

	if (rpc_socket_dir(dir, sizeof dir, 0))
		return -ENOENT;
	DIR *d = opendir(dir);
	if (!d)
		return -ENOENT;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".sock"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		int fd = rpc_connect(path);
		if (fd < 0)
			continue; /* a VM that is gone */
		close(fd);
		if (found++ == 0)
			snprintf(vm, len, "%.*s", (int)(n - 5), e->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

/* "vAttach;PID": gdb's `attach PID` (gdb takes a number only): task PID of the VM of
 * --vm, --attach or `monitor vm`, else of the only VM running. */
void gdb_cmd_vattach(struct gdb_stub *st, const char *args)
{
	const char *p = args;
	uint64_t pid;
	char vm[sizeof st->vm];

	if (gdb_parse_hex(&p, &pid) || *p || pid == 0 || pid > 0x3fffffff)
		return gdb_reply_error(st, EINVAL);
	if (is_busy(st))
		return gdb_reply_error(st, EBUSY);
	snprintf(vm, sizeof vm, "%s", st->vm);
	if (!vm[0]) {
		int err = only_vm(vm, sizeof vm);
		if (err) {
			fprintf(stderr, "hvtrace gdb: attach %d: %s (hvtrace gdb --vm VM, or gdb's `monitor vm VM`)\n",
				(int)pid, err == -EEXIST ? "several VMs run: which one?" : "no running VM");
			return gdb_reply_error(st, err);
		}
	}
	retire(st);
	int err = gdb_target_attach(st, vm, (int)pid);
	if (err)
		return gdb_reply_error(st, err);
	gdb_cmd_status(st);
}

/* gdb's `monitor CMD` (qRcmd,HEX): "vm [VM]" shows or sets the VM of vAttach. The
 * reply is the hex of the text gdb prints. */
void gdb_cmd_monitor(struct gdb_stub *st, const char *args)
{
	char cmd[512], out[640];
	const char *f[1];

	if (gdb_parse_hex_fields(args, cmd, sizeof cmd, f, 1) != 1)
		return gdb_reply_error(st, EINVAL);
	if (!strncmp(cmd, "vm ", 3) && cmd[3]) {
		char path[256];
		if (rpc_socket_path(cmd + 3, path, sizeof path) || strlen(cmd + 3) >= sizeof st->vm) {
			snprintf(out, sizeof out, "not a VM id or a socket path: %s\n", cmd + 3);
		} else {
			snprintf(st->vm, sizeof st->vm, "%s", cmd + 3);
			snprintf(out, sizeof out, "attach PID now attaches to task PID of VM %s\n", st->vm);
		}
	} else if (!strcmp(cmd, "vm")) {
		snprintf(out, sizeof out, "attach PID attaches to %s%s\n", st->vm[0] ? "VM " : "the only running VM",
			 st->vm);
	} else {
		snprintf(out, sizeof out, "hvtrace gdb monitor commands:\n"
			 "  vm [VM]   show or set the VM whose task `attach PID` attaches to\n"
			 "            (a VM id as `hvtrace ps` lists it, or a control socket path)\n");
	}
	gdb_reply_hex(st, out, strlen(out));
}

int gdb_target_finish(struct gdb_stub *st)
{
	int status = 0;
	bool was_attached = st->is_attached;

	/* gdb left without detach or kill (or never came): an attached task runs on, a
	 * program we started ends with us, unless gdb was done with it (its processes
	 * exited or detached: what remains, a detached fork child, finishes). */
	if (st->s && !st->is_guest_gone) {
		if (st->is_attached || st->nthreads == 0) {
			for (int i = 0; i < st->nthreads; i++)
				gdb_drop_bps(st, st->threads[i].pid, true);
			hvt_detach(st->s);
		} else {
			hvt_kill(st->s);
		}
	}
	if (st->s)
		status = hvt_close(st->s);
	st->s = NULL;
	while (st->nretired)
		hvt_close(st->retired[--st->nretired]);
	return was_attached ? 0 : status;
}
