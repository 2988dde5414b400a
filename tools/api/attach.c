/* hvt_attach: a task of a VM that another hvtrace process runs. */
#include <hvtrace.h>

#include <errno.h>

#include "tools/api/api.h"

int hvt_attach(const char *vm, int tid, unsigned flags, hvt_session **out)
{
	(void)vm;
	(void)tid;
	(void)flags;
	*out = NULL;
	hvt_set_spawn_error("attaching to a running VM is not implemented yet");
	return -ENOSYS;
}

int hvt_remote_close(hvt_session *hs)
{
	(void)hs;
	return -ENOSYS;
}
