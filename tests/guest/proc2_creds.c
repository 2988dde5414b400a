// diff-musl: no
// (musl-gcc has no kernel headers: linux/capability.h)
/* Credentials as root drops them: set*uid/gid rules, saved ids, capabilities (capget,
 * capset, the drop when uid 0 is left, PR_SET_KEEPCAPS), groups, dumpable after a
 * change, and what they decide: kill(2) permission and ptrace attach. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *e(long r)
{
	static char buf[32];
	if (r >= 0) {
		snprintf(buf, sizeof buf, "%ld", r);
		return buf;
	}
	return errno == EPERM ? "EPERM" : errno == EINVAL ? "EINVAL" : errno == ESRCH ? "ESRCH" : "other";
}

static void caps(const char *label)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &h, d);
	printf("  %s: eff %s%08x, perm %s%08x\n", label, d[1].effective ? "full+" : "",
	       d[0].effective, d[1].permitted ? "full+" : "", d[0].permitted);
}

static void ids(const char *label)
{
	uid_t r, ef, s;
	gid_t gr, ge, gs;
	getresuid(&r, &ef, &s);
	getresgid(&gr, &ge, &gs);
	printf("  %s: uid %u/%u/%u gid %u/%u/%u\n", label, r, ef, s, gr, ge, gs);
}

static void drop_and_back(void)
{
	ids("start");
	caps("start");
	printf("  setresgid(100,100,0): %s\n", e(setresgid(100, 100, 0)));
	printf("  setresuid(1000,1000,0): %s\n", e(setresuid(1000, 1000, 0)));
	ids("saved root");
	caps("saved root");
	printf("  PR_GET_DUMPABLE after the change: %d\n", prctl(PR_GET_DUMPABLE));
	printf("  seteuid(0) through the saved id: %s\n", e(seteuid(0)));
	ids("euid 0 again");
	caps("euid 0 again");
	printf("  setuid(2000) as euid 0: %s\n", e(setuid(2000)));
	ids("all 2000");
	caps("all 2000");
	printf("  setuid(0) now: %s\n", e(setuid(0)));
	printf("  setresuid(-1,3000,-1): %s\n", e(setresuid(-1, 3000, -1)));
	printf("  setreuid(2000,2000): %s\n", e(setreuid(2000, 2000)));
	printf("  setgroups: %s\n", e(setgroups(0, NULL)));
	printf("  setfsuid(5) returns the old %d\n", setfsuid(5));
	printf("  and kept it at %d\n", setfsuid(-1));
}

static void keepcaps(void)
{
	prctl(PR_SET_KEEPCAPS, 1);
	printf("  PR_GET_KEEPCAPS: %d\n", prctl(PR_GET_KEEPCAPS));
	setresuid(1000, 1000, 1000);
	caps("after setresuid with keepcaps");
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	d[0].permitted = 1u << CAP_KILL;
	d[0].effective = 1u << CAP_KILL;
	printf("  capset to CAP_KILL only: %s\n", e(syscall(SYS_capset, &h, d)));
	caps("CAP_KILL");
	d[0].permitted = (1u << CAP_KILL) | (1u << CAP_CHOWN);
	printf("  capset raising permitted: %s\n", e(syscall(SYS_capset, &h, d)));
	d[0].permitted = 1u << CAP_KILL;
	d[0].effective = (1u << CAP_KILL) | (1u << CAP_CHOWN);
	printf("  capset effective beyond permitted: %s\n", e(syscall(SYS_capset, &h, d)));
	h.version = 0x12345678;
	const char *r = e(syscall(SYS_capget, &h, d));
	printf("  capget with a bad version: %s, version now 0x%x\n", r, h.version);
	printf("  kill(1, 0) with CAP_KILL: %s\n", e(kill(getppid(), 0)));
}

static void unprivileged(void)
{
	pid_t parent = getppid();
	setgroups(0, NULL);
	setresgid(65534, 65534, 65534);
	setresuid(65534, 65534, 65534);
	caps("nobody");
	printf("  kill(parent, 0): %s\n", e(kill(parent, 0)));
	printf("  kill(parent, SIGCONT) in the session: %s\n", e(kill(parent, SIGCONT)));
	printf("  PTRACE_ATTACH to the parent: %s\n", e(ptrace(PTRACE_ATTACH, parent, 0, 0)));
	/* The change of ids made us (and so the child) non-dumpable: it must say it may be
	 * traced again before its own parent can attach. */
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		char ch;
		read(p[0], &ch, 1);
		prctl(PR_SET_DUMPABLE, 1);
		write(p[1], "d", 1);
		pause();
		_exit(0);
	}
	printf("  kill(own child, 0): %s\n", e(kill(c, 0)));
	printf("  PTRACE_ATTACH to its non-dumpable child: %s\n", e(ptrace(PTRACE_ATTACH, c, 0, 0)));
	write(p[1], "g", 1);
	char ch;
	usleep(100000);
	read(p[0], &ch, 1);
	long r = ptrace(PTRACE_ATTACH, c, 0, 0);
	printf("  PTRACE_ATTACH once it is dumpable: %s\n", e(r));
	int st;
	if (r == 0) {
		waitpid(c, &st, 0);
		printf("  the child: %s\n", WIFSTOPPED(st) ? "stopped" : "other");
	}
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
}

static void run(const char *label, void (*fn)(void))
{
	printf("%s:\n", label);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("  -> %s\n", WIFEXITED(st) ? "exited" : "killed");
}

int main(void)
{
	if (geteuid() != 0) {
		printf("needs root\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("drop and back", drop_and_back);
	run("keepcaps", keepcaps);
	run("unprivileged", unprivileged);
	return 0;
}
