/* The control socket a running VM serves (tools/api/rpc.h's protocol). */
#ifndef HV_TOOLS_API_CONTROL_SERVER_H
#define HV_TOOLS_API_CONTROL_SERVER_H

#include <stddef.h>

struct ctl_server;
struct kernel;

/* Listens on path (NULL: rpc_socket_dir()/<hvtrace's pid>.sock) for the guest of k.
 * 0, or -errno with a message in err. */
int ctl_server_start(struct ctl_server **out, const char *path, struct kernel *k, char *err, size_t errlen);
const char *ctl_server_path(const struct ctl_server *srv);
/* Before the kernel goes away: ends every connection (their sessions detach) and
 * removes the socket. */
void ctl_server_stop(struct ctl_server *srv);

#endif
