/* exit and exit_group (one task per process until the process-model work). */
#include "kernel/syscall.h"
#include "kernel/task.h"

SYSCALL(exit_group)
{
	t->has_exited = true;
	t->exit = (struct task_exit){.is_signal = false, .code = (int)(a[0] & 0xff)};
	return 0;
}

SYSCALL(exit)
{
	return sys_exit_group(t, a);
}
