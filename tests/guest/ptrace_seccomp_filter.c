// diff-musl: no
// (musl-gcc has no kernel headers: linux/filter.h, linux/seccomp.h)
/* PTRACE_SECCOMP_GET_FILTER and PTRACE_SECCOMP_GET_METADATA: a tracer (root) reads
 * back a tracee's filters, oldest first, and their LOG flag; the errors for a tracee
 * without filters, an index past the last, a short metadata size. And
 * PTRACE_OLDSETOPTIONS, x86's old name of SETOPTIONS. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct metadata { /* Linux's struct seccomp_metadata */
	uint64_t filter_off, flags;
};

#define LEN(a) ((unsigned short)(sizeof(a) / sizeof((a)[0])))

static struct sock_filter first[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_filter second[] = {
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static const char *err(long r)
{
	static char buf[16];
	if (r >= 0) {
		snprintf(buf, sizeof buf, "%ld", r);
		return buf;
	}
	return errno == EINVAL ? "EINVAL" : errno == ENOENT ? "ENOENT" : errno == ESRCH ? "ESRCH" : "other";
}

static pid_t child(int filters)
{
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		if (filters) {
			struct sock_fprog a = {LEN(first), first}, b = {LEN(second), second};
			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &a);
			syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &b);
		}
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return pid;
}

static void done(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	pid_t none = child(0);
	printf("no filters: %s\n", err(ptrace(PTRACE_SECCOMP_GET_FILTER, none, 0, NULL)));
	printf("OLDSETOPTIONS (21): %s\n", err(ptrace(21, none, 0, (void *)PTRACE_O_TRACESYSGOOD)));
	done(none);

	pid_t pid = child(1);
	printf("filter 0, count only: %s\n", err(ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, NULL)));
	struct sock_filter got[8];
	memset(got, 0, sizeof got);
	long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, got);
	printf("filter 0: %s instructions, the first installed: %s\n", err(n),
	       n == LEN(first) && !memcmp(got, first, sizeof first) ? "yes" : "no");
	n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)1, got);
	printf("filter 1: %s instructions, the second: %s\n", err(n),
	       n == LEN(second) && !memcmp(got, second, sizeof second) ? "yes" : "no");
	printf("filter 2: %s\n", err(ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)2, got)));
	struct metadata md = {1, 0};
	n = ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *)sizeof md, &md);
	printf("metadata of 1: %s, LOG flag: %s\n", err(n), md.flags == SECCOMP_FILTER_FLAG_LOG ? "yes" : "no");
	md = (struct metadata){0, 0};
	n = ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *)sizeof md, &md);
	printf("metadata of 0: %s, flags %llu\n", err(n), (unsigned long long)md.flags);
	printf("metadata size 4: %s\n", err(ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *)4, &md)));
	done(pid);
	return 0;
}
