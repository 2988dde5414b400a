/* NT_386_IOPERM (the I/O permission bitmap regset) of a tracee that never called
 * ioperm(2): GETREGSET fails with ENXIO, SETREGSET with EOPNOTSUPP (it has no setter),
 * and a length that is not whole elements is EINVAL first. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(long r)
{
	if (r == 0)
		return "ok";
	return errno == ENXIO ? "ENXIO" : errno == EOPNOTSUPP ? "EOPNOTSUPP" : errno == EINVAL ? "EINVAL" : "other";
}

int main(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	char b[8192];
	struct iovec v = {b, sizeof b};
	printf("GETREGSET NT_386_IOPERM: %s\n", err(ptrace(PTRACE_GETREGSET, pid, (void *)NT_386_IOPERM, &v)));
	printf("SETREGSET NT_386_IOPERM: %s\n", err(ptrace(PTRACE_SETREGSET, pid, (void *)NT_386_IOPERM, &v)));
	v.iov_len = 12;
	printf("GETREGSET with 12 bytes: %s\n", err(ptrace(PTRACE_GETREGSET, pid, (void *)NT_386_IOPERM, &v)));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
