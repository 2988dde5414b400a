/* The calls of hvt_attach's sessions (tools/api/remote.c), for tools/api/calls.c. */
#ifndef HV_TOOLS_API_REMOTE_H
#define HV_TOOLS_API_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tools/api/api.h"

struct rpc_task;

int remote_wait(hvt_session *s, struct hvt_event *ev, int timeout_ms);
/* A request without payloads: its result. */
int remote_simple(hvt_session *s, int op, int tid, uint64_t a0, uint64_t a1, uint64_t a2);
/* A request whose response brings up to len bytes into out. */
long remote_get(hvt_session *s, int op, int tid, uint64_t a0, uint64_t a1, void *out, size_t len);
/* A request that sends len bytes. */
long remote_put(hvt_session *s, int op, int tid, uint64_t a0, const void *in, size_t len);
ssize_t remote_mem(hvt_session *s, int tid, uint64_t addr, void *buf, size_t len, bool write);
/* hvt_open_file: the fd the VM's process passed, or -errno. */
int remote_open_file(hvt_session *s, int tid, const char *path);
/* `hvtrace ps`: every task of VM vm (malloc'd array in *tasks); the count or -errno. */
int hvt_list_vm(const char *vm, struct rpc_task **tasks);

#endif
