/* The control socket's protocol: how hvt_attach's sessions reach a VM that another
 * hvtrace process runs (tools/api/control_server.c serves it, tools/api/remote.c calls
 * it).
 *
 * A connection carries requests and their responses, one at a time: a fixed header and
 * up to RPC_MAX_PAYLOAD bytes after it. The first request is RPC_LIST or RPC_ATTACH;
 * ATTACH's response brings (SCM_RIGHTS) the read end of the session's event stream, on
 * which the server writes each struct hvt_event as it happens. Closing the connection
 * detaches. Both ends are the same build of hvtrace on the same host (the structs go
 * as they are), and the server trusts nothing of a request: every field is checked. */
#ifndef HV_TOOLS_API_RPC_H
#define HV_TOOLS_API_RPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RPC_MAGIC 0x68767472u /* "hvtr" */
#define RPC_MAX_PAYLOAD (1u << 20)

enum rpc_op {
	RPC_LIST = 1,   /* payload out: struct rpc_task[] of every task of the guest */
	RPC_ATTACH,     /* tid, a[0] flags */
	RPC_SET_FLAGS,  /* a[0] */
	RPC_RESUME,     /* tid, a[0] how, a[1] signo */
	RPC_INTERRUPT,  /* tid */
	RPC_GET_REGS,   /* tid; out: struct user_regs_struct */
	RPC_SET_REGS,   /* tid; in: struct user_regs_struct */
	RPC_GET_XSTATE, /* tid, a[0] length; out: the image */
	RPC_SET_XSTATE, /* tid; in: the image */
	RPC_READ_MEM,   /* tid, a[0] address, a[1] length; out: the bytes */
	RPC_WRITE_MEM,  /* tid, a[0] address; in: the bytes */
	RPC_SET_BP,     /* tid, a[0] type, a[1] address, a[2] length */
	RPC_CLEAR_BP,   /* same */
	RPC_TASKS,      /* a[0] max; out: struct hvt_task_info[] */
	RPC_AUXV,       /* tid, a[0] length; out: the vector */
	RPC_EXE,        /* tid; out: the path */
	RPC_DETACH,
	RPC_KILL,
	RPC_OPEN_FILE,  /* tid; in: the path, NUL-terminated; out: the fd (SCM_RIGHTS) */
};

struct rpc_req {
	uint32_t magic;
	uint32_t op;
	int32_t tid;
	uint32_t len; /* payload bytes that follow */
	uint64_t a[3];
};

struct rpc_resp {
	int64_t ret; /* >= 0, or -errno */
	uint32_t len; /* payload bytes that follow */
	uint32_t pad;
};

/* One guest task, for `hvtrace ps`. */
struct rpc_task {
	int32_t pid, tid, ppid;
	char state; /* R running, S sleeping, T stopped, Z zombie */
	char comm[16];
};

/* Whole reads and writes on a stream socket (EINTR retried): 0 or -errno (-EPIPE at
 * end of stream). recv_fd: one message with one passed fd, or -1 in *fd. */
int rpc_write_all(int fd, const void *buf, size_t len);
int rpc_read_all(int fd, void *buf, size_t len);
int rpc_send_with_fd(int sock, const void *buf, size_t len, int fd);
int rpc_recv_with_fd(int sock, void *buf, size_t len, int *fd);

/* The directory of the control sockets: $XDG_RUNTIME_DIR/hvtrace or /run/hvtrace
 * (created owner-only). Returns 0 or -errno. */
int rpc_socket_dir(char *buf, size_t len, int create);
/* The socket of VM `vm`: a path (it has a '/') or an id of rpc_socket_dir(). */
int rpc_socket_path(const char *vm, char *buf, size_t len);
/* Connects to a control socket: the fd or -errno. */
int rpc_connect(const char *path);

#endif
