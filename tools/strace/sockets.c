/* Socket domains, types and protocols. hvtrace serves no sockets (they fail with
 * ENOSYS), but programs try them and the trace should say what they tried. */
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tools/strace/strace.h"

#define X(v) {(uint64_t)(v), #v}
#define END {0, NULL}

const struct st_xlat st_sock_domains[] = {
	X(AF_UNSPEC), X(AF_UNIX), X(AF_INET), X(AF_INET6), X(AF_NETLINK), X(AF_PACKET),
	X(AF_BLUETOOTH), X(AF_VSOCK), X(AF_ALG), X(AF_KEY), END,
};

void st_print_sock_type(struct sbuf *b, uint64_t type)
{
	static const struct st_xlat types[] = {
		X(SOCK_STREAM), X(SOCK_DGRAM), X(SOCK_RAW), X(SOCK_RDM), X(SOCK_SEQPACKET),
		X(SOCK_DCCP), X(SOCK_PACKET), END,
	};
	static const struct st_xlat flags[] = {X(SOCK_CLOEXEC), X(SOCK_NONBLOCK), END};
	st_print_xval(b, types, type & 0xf, "SOCK_???");
	if (type & ~0xfull) {
		sb_putc(b, '|');
		st_print_flags(b, flags, type & ~0xfull, NULL);
	}
}

void st_print_sock_proto(struct sbuf *b, uint64_t domain, uint64_t proto)
{
	static const struct st_xlat ip[] = {
		X(IPPROTO_IP), X(IPPROTO_ICMP), X(IPPROTO_TCP), X(IPPROTO_UDP), X(IPPROTO_IPV6),
		X(IPPROTO_ICMPV6), X(IPPROTO_SCTP), X(IPPROTO_RAW), END,
	};
	static const struct st_xlat netlink[] = {
		X(NETLINK_ROUTE), X(NETLINK_USERSOCK), X(NETLINK_SOCK_DIAG), X(NETLINK_AUDIT),
		X(NETLINK_KOBJECT_UEVENT), X(NETLINK_GENERIC), END,
	};
	if (domain == AF_INET || domain == AF_INET6)
		st_print_xval(b, ip, proto, "IPPROTO_???");
	else if (domain == AF_NETLINK)
		st_print_xval(b, netlink, proto, "NETLINK_???");
	else
		sb_printf(b, "%d", (int)proto);
}
