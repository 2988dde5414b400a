// diff-musl: no
// (musl-gcc has no kernel headers: linux/filter.h, linux/seccomp.h)
/* seccomp without a tracer: strict mode, filter actions (ERRNO, TRAP with its siginfo,
 * KILL_THREAD, KILL_PROCESS, LOG), several filters (the strictest wins), inheritance by
 * fork, TSYNC, prctl, and the errors of bad filters. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif
#define LEN(a) ((unsigned short)(sizeof(a) / sizeof((a)[0])))

/* Returns action for syscall nr, ALLOW for the rest. */
static int install(int nr, unsigned action, unsigned flags)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = {LEN(f), f};
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p);
}

static const char *status(int st)
{
	static char buf[64];
	if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
	else
		snprintf(buf, sizeof buf, "killed by %s", WTERMSIG(st) == SIGSYS ? "SIGSYS" :
			 WTERMSIG(st) == SIGKILL ? "SIGKILL" : "another signal");
	return buf;
}

static void run(const char *label, void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%s: %s\n", label, status(st));
}

static void strict(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL))
		_exit(3);
	syscall(SYS_write, 1, "strict: write works\n", 20);
	syscall(SYS_getpid); /* not allowed: SIGKILL */
	syscall(SYS_exit, 4);
}

static void errno_action(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	install(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0);
	install(SYS_getppid, SECCOMP_RET_ERRNO | 5000, 0); /* capped at 4095 */
	long r = syscall(SYS_getppid);
	printf("  getppid: %ld errno %d (on a tie the newest filter wins: %s)\n",
	       r, errno, errno == 4095 ? "yes" : "no");
	printf("  PR_GET_SECCOMP: %d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

static volatile sig_atomic_t trapped_nr = -1, trapped_code, trapped_err, trapped_arch_ok;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped_nr = si->si_syscall;
	trapped_code = si->si_code;
	trapped_err = si->si_errno;
	trapped_arch_ok = si->si_arch == AUDIT_ARCH_X86_64 && si->si_call_addr != NULL;
}

static void trap_action(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	install(SYS_getsid, SECCOMP_RET_TRAP | 0x42, 0);
	long r = syscall(SYS_getsid, 0);
	printf("  getsid returned its own number: %s; handler: nr %s, SYS_SECCOMP %s, data 0x%x, arch+addr %s\n",
	       r == SYS_getsid ? "yes" : "no", trapped_nr == SYS_getsid ? "ok" : "wrong",
	       trapped_code == SYS_SECCOMP ? "yes" : "no", (unsigned)trapped_err, trapped_arch_ok ? "ok" : "wrong");
	/* A blocked SIGSYS is forced through anyway: the default action kills. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	signal(SIGSYS, SIG_DFL);
	sigprocmask(SIG_BLOCK, &s, NULL);
	fflush(stdout);
	syscall(SYS_getsid, 0);
	printf("  not reached\n");
}

static void kill_process(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	install(SYS_sync, SECCOMP_RET_KILL_PROCESS, 0);
	syscall(SYS_sync);
}

static void *thread_getppid(void *arg)
{
	(void)arg;
	syscall(SYS_getppid); /* KILL_THREAD: only this thread ends */
	return (void *)1;
}

static void kill_thread(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pthread_t th;
	install(SYS_getppid, SECCOMP_RET_KILL_THREAD, SECCOMP_FILTER_FLAG_TSYNC);
	pthread_create(&th, NULL, thread_getppid, NULL);
	sleep(1);
	printf("  the main thread lives on after its thread was killed\n");
}

static void inherited(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	install(SYS_getpgid, SECCOMP_RET_ERRNO | EACCES, 0);
	install(SYS_getuid, SECCOMP_RET_LOG, 0);
	printf("  getuid under LOG runs: %s\n", syscall(SYS_getuid) == getuid() ? "yes" : "no");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		long r = syscall(SYS_getpgid, 0);
		printf("  child's getpgid: %ld %s\n", r, errno == EACCES ? "EACCES" : "other");
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void bad_filters(void)
{
	struct sock_filter bad[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_fprog p = {LEN(bad), bad};
	struct sock_fprog empty = {0, bad};
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p);
	printf("  unaligned load: %ld %s\n", r, errno == EINVAL ? "EINVAL" : "other");
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &empty);
	printf("  empty: %ld %s\n", r, errno == EINVAL ? "EINVAL" : "other");
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0x1000, &p);
	printf("  unknown flag: %ld %s\n", r, errno == EINVAL ? "EINVAL" : "other");
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (void *)8);
	printf("  bad pointer: %ld %s\n", r, errno == EFAULT ? "EFAULT" : "other");
	r = syscall(SYS_seccomp, 99, 0, NULL);
	printf("  unknown op: %ld %s\n", r, errno == EINVAL ? "EINVAL" : "other");
	unsigned act = SECCOMP_RET_TRAP;
	printf("  GET_ACTION_AVAIL TRAP: %ld\n", syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act));
	act = 0x12340000;
	r = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act);
	printf("  GET_ACTION_AVAIL 0x12340000: %ld %s\n", r, errno == EOPNOTSUPP ? "EOPNOTSUPP" : "other");
	printf("  PR_GET_SECCOMP before any filter: %d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("strict", strict);
	run("errno", errno_action);
	run("trap", trap_action);
	run("kill process", kill_process);
	run("kill thread", kill_thread);
	run("inherited", inherited);
	run("bad filters", bad_filters);
	return 0;
}
