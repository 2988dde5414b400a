/* PTRACE_SET_SYSCALL_INFO (Linux 6.16): changing the call at a syscall-enter-stop
 * (number and arguments), its result at the exit stop, and the errors for a flag, a
 * reserved byte, an op that is not the stop's, a number that is not an int, and a
 * short struct (a longer one is read up to its known size). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define SET_SYSCALL_INFO 0x4212
#define GET_SYSCALL_INFO 0x420e
#define OP_ENTRY 1
#define OP_EXIT 2
#define O_TRACESYSGOOD 1

struct info {
	uint8_t op, reserved;
	uint16_t flags;
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct {
			uint64_t nr, args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
		uint8_t pad[64];
	};
};

static const char *err(long r)
{
	if (r >= 0)
		return "ok";
	return errno == EINVAL ? "EINVAL" : errno == E2BIG ? "E2BIG" : errno == ERANGE ? "ERANGE" :
	       errno == EIO ? "EIO" : "other";
}

/* Runs to the next syscall stop of the traced child. */
static void next_stop(pid_t pid)
{
	int st;
	ptrace(PTRACE_SYSCALL, pid, 0, 0);
	waitpid(pid, &st, 0);
}

static struct info get(pid_t pid)
{
	struct info i;
	memset(&i, 0, sizeof i);
	ptrace(GET_SYSCALL_INFO, pid, (void *)sizeof i, &i);
	return i;
}

int main(void)
{
	int p[2];
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		long r[3];
		r[0] = syscall(SYS_getppid);      /* becomes getpid */
		r[1] = syscall(SYS_getuid);       /* its result becomes 4242 */
		r[2] = syscall(SYS_getppid);      /* untouched */
		r[0] = r[0] == getpid();
		r[2] = r[2] == getppid();
		write(p[1], r, sizeof r);
		_exit(0);
	}
	close(p[1]);
	int st;
	waitpid(pid, &st, 0);
	ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)O_TRACESYSGOOD);

	/* Find getppid's entry stop (glibc's raise may make calls first). */
	struct info i;
	do {
		next_stop(pid);
		i = get(pid);
	} while (!(i.op == OP_ENTRY && i.entry.nr == SYS_getppid));
	struct info w = i;
	w.flags = 1;
	printf("flags 1: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)sizeof w, &w)));
	w = i;
	w.reserved = 1;
	printf("reserved 1: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)sizeof w, &w)));
	w = i;
	w.op = OP_EXIT;
	printf("op EXIT at an entry stop: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)sizeof w, &w)));
	w = i;
	w.entry.nr = 1ull << 40;
	printf("nr 1<<40: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)sizeof w, &w)));
	char big[200];
	memset(big, 0, sizeof big);
	memcpy(big, &i, 88);
	big[150] = 1;
	printf("200 bytes, extra non-zero: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)sizeof big, big)));
	printf("80 bytes: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)80, &i)));
	w = i;
	w.entry.nr = SYS_getpid;
	printf("entry: getppid -> getpid: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)88, &w)));
	struct user_regs_struct regs;
	ptrace(PTRACE_GETREGS, pid, 0, &regs);
	printf("  orig_rax now SYS_getpid: %s\n", regs.orig_rax == SYS_getpid ? "yes" : "no");

	/* getuid's exit stop: a new result. */
	do {
		next_stop(pid);
		i = get(pid);
	} while (!(i.op == OP_ENTRY && i.entry.nr == SYS_getuid));
	next_stop(pid);
	i = get(pid);
	printf("at getuid's exit stop: op EXIT: %s\n", i.op == OP_EXIT ? "yes" : "no");
	w = i;
	w.exit.rval = 4242;
	printf("exit: rval 4242: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)sizeof w, &w)));
	w.op = OP_ENTRY;
	printf("op ENTRY at an exit stop: %s\n", err(ptrace(SET_SYSCALL_INFO, pid, (void *)sizeof w, &w)));
	ptrace(PTRACE_CONT, pid, 0, 0);
	long r[3] = {0};
	read(p[0], r, sizeof r);
	waitpid(pid, &st, 0);
	printf("child: getppid became getpid: %s, getuid returned %ld, later getppid untouched: %s\n",
	       r[0] ? "yes" : "no", r[1], r[2] ? "yes" : "no");
	return 0;
}
