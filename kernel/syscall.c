#include "kernel/syscall.h"

#include <asm/unistd.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel/task.h"
#include "vmm/log.h"

static const char *const names[SYSCALL_MAX] = {
#include "syscall_names.h"
};

static const syscall_fn handlers[SYSCALL_MAX] = {
#define X(name) [__NR_##name] = sys_##name,
#include "kernel/syscall_list.h"
#undef X
};

static const bool fast[SYSCALL_MAX] = {
#define X(name)
#define FAST(name) [__NR_##name] = true,
#include "kernel/syscall_list.h"
#undef FAST
#undef X
};

bool syscall_is_fast(uint64_t nr)
{
	/* Unknown numbers only produce ENOSYS: fast too. */
	return nr >= SYSCALL_MAX || fast[nr] || !handlers[nr];
}

syscall_fn syscall_handler(uint64_t nr)
{
	return nr < SYSCALL_MAX ? handlers[nr] : NULL;
}

const char *syscall_name(uint64_t nr)
{
	return nr < SYSCALL_MAX ? names[nr] : NULL;
}

long syscall_dispatch(struct task *t, uint64_t nr, const uint64_t a[6])
{
	syscall_fn fn = syscall_handler(nr);

	t->nr_syscalls++;
	if (fn)
		return fn(t, a);
	if (nr >= SYSCALL_MAX)
		return -ENOSYS;
	uint8_t bit = (uint8_t)(1u << (nr % 8));
	if (hv_is_verbose() && !(t->proc->enosys_seen[nr / 8] & bit)) {
		t->proc->enosys_seen[nr / 8] |= bit;
		const char *n = syscall_name(nr);
		hv_info("pid %d: unimplemented syscall %llu (%s) -> ENOSYS", t->proc->pid,
			(unsigned long long)nr, n ? n : "unknown");
	}
	return -ENOSYS;
}
