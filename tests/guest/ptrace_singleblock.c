/* PTRACE_SINGLEBLOCK: the tracee runs to the next taken branch. Over a block of
 * known code (an unconditional jump, a conditional one not taken and one taken, a
 * call and its return) every taken branch's target must be a stop, in order, and
 * every stop a SIGTRAP. (Where the hypervisor does not give the kernel x86's BTF, as
 * on our machines natively, Linux's block steps degrade to single steps, which stop
 * at the targets too; so only that much is compared.) */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

extern char blk_start[], blk_l1[], blk_l2[], blk_fn[], blk_after_call[], blk_end[];

__asm__(".text\n"
	"blk_start:\n"
	"	nop\n"
	"	nop\n"
	"	jmp blk_l1\n"
	"	nop\n"
	"blk_l1:\n"
	"	xor %eax, %eax\n"
	"	test %eax, %eax\n"
	"	jnz blk_end\n"        /* not taken */
	"	nop\n"
	"	jz blk_l2\n"          /* taken */
	"	nop\n"
	"blk_l2:\n"
	"	call blk_fn\n"
	"blk_after_call:\n"
	"	nop\n"
	"	jmp blk_end\n"
	"blk_fn:\n"
	"	nop\n"
	"	nop\n"
	"	ret\n"
	"blk_end:\n"
	"	int3\n");

static const char *where(uint64_t rip)
{
	if (rip == (uint64_t)blk_l1)
		return "after jmp: l1";
	if (rip == (uint64_t)blk_l2)
		return "after jz (taken): l2";
	if (rip == (uint64_t)blk_fn)
		return "after call: fn";
	if (rip == (uint64_t)blk_after_call)
		return "after ret";
	if (rip == (uint64_t)blk_end)
		return "after jmp: end";
	return "somewhere else";
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		__asm__ volatile("call blk_start" ::: "rax", "memory");
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	/* Step into the block first: run to blk_start with single steps. */
	for (int i = 0; i < 100000 && r.rip != (uint64_t)blk_start; i++) {
		ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
		waitpid(pid, &st, 0);
		ptrace(PTRACE_GETREGS, pid, 0, &r);
	}
	printf("at the block: %s\n", r.rip == (uint64_t)blk_start ? "yes" : "no");
	const char *want[] = {"after jmp: l1", "after jz (taken): l2", "after call: fn", "after ret",
			      "after jmp: end"};
	unsigned seen = 0;
	int all_traps = 1;
	for (int i = 0; i < 64 && r.rip != (uint64_t)blk_end; i++) {
		ptrace(PTRACE_SINGLEBLOCK, pid, 0, 0);
		waitpid(pid, &st, 0);
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		all_traps &= WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP;
		if (seen < 5 && where(r.rip) == want[seen])
			printf("stop at the target %s\n", want[seen++]);
	}
	printf("every taken branch's target seen in order: %s, every stop a SIGTRAP: %s\n",
	       seen == 5 ? "yes" : "no", all_traps ? "yes" : "no");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 0;
}
