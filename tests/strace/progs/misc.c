/* prctl, ptrace requests on an untraced child (ESRCH), futex operations, readv into
 * two buffers, and the "left" and "Timeout" results of pselect6/ppoll. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	char name[16];
	prctl(PR_SET_NAME, "worker");
	prctl(PR_GET_NAME, name);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_GET_DUMPABLE);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	int st;
	waitpid(p, &st, 0);
	ptrace(PTRACE_PEEKDATA, p, (void *)0x400000, 0);
	ptrace(PTRACE_CONT, p, 0, 0);
	int f = 0;
	syscall(SYS_futex, &f, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
	syscall(SYS_futex, &f, FUTEX_WAIT_PRIVATE, 1, 0, 0, 0);
	char buf[8];
	int pp[2];
	pipe(pp);
	write(pp[1], "abcdefgh", 8);
	struct iovec iov[2] = {{buf, 3}, {buf + 3, 5}};
	readv(pp[0], iov, 2);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(pp[0], &rs);
	struct timeval tv = {0, 0};
	select(pp[0] + 1, &rs, NULL, NULL, &tv);
	write(pp[1], "x", 1);
	FD_SET(pp[0], &rs);
	/* A zero timeout: the time left is 0 on both sides (hvtrace does not write back
	 * what a longer one had left, as Linux does). */
	select(pp[0] + 1, &rs, NULL, NULL, &tv);
	struct pollfd pf = {pp[1], POLLOUT, 0};
	struct timespec ts = {0, 0};
	ppoll(&pf, 1, &ts, NULL);
	return 0;
}
