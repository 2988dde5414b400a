/* Socket constants as strace names them: domains (address families), types,
 * protocols, message flags, shutdown's how. hvtrace serves no sockets (they fail with
 * ENOSYS), but programs try them and the trace should say what they tried. Tables in
 * strace 6's order and spelling (AF_UNIX, not AF_LOCAL), checked against
 * /usr/bin/strace by tests/strace/. */
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tools/strace/strace.h"

#define X(v) {(uint64_t)(v), #v}
#define END {0, NULL}

/* Every family Linux numbers; strace names them all. */
const struct st_xlat st_sock_domains[] = {
	{0, "AF_UNSPEC"}, {1, "AF_UNIX"}, {2, "AF_INET"}, {3, "AF_AX25"}, {4, "AF_IPX"},
	{5, "AF_APPLETALK"}, {6, "AF_NETROM"}, {7, "AF_BRIDGE"}, {8, "AF_ATMPVC"}, {9, "AF_X25"},
	{10, "AF_INET6"}, {11, "AF_ROSE"}, {12, "AF_DECnet"}, {13, "AF_NETBEUI"},
	{14, "AF_SECURITY"}, {15, "AF_KEY"}, {16, "AF_NETLINK"}, {17, "AF_PACKET"}, {18, "AF_ASH"},
	{19, "AF_ECONET"}, {20, "AF_ATMSVC"}, {21, "AF_RDS"}, {22, "AF_SNA"}, {23, "AF_IRDA"},
	{24, "AF_PPPOX"}, {25, "AF_WANPIPE"}, {26, "AF_LLC"}, {27, "AF_IB"}, {28, "AF_MPLS"},
	{29, "AF_CAN"}, {30, "AF_TIPC"}, {31, "AF_BLUETOOTH"}, {32, "AF_IUCV"}, {33, "AF_RXRPC"},
	{34, "AF_ISDN"}, {35, "AF_PHONET"}, {36, "AF_IEEE802154"}, {37, "AF_CAIF"}, {38, "AF_ALG"},
	{39, "AF_NFC"}, {40, "AF_VSOCK"}, {41, "AF_KCM"}, {42, "AF_QIPCRTR"}, {43, "AF_SMC"},
	{44, "AF_XDP"}, {45, "AF_MCTP"}, END,
};

/* The low 4 bits are the type, the rest flags; an unknown type leaves the whole value
 * to the flags, as strace's tprint_sock_type. */
void st_print_sock_type(struct sbuf *b, uint64_t type)
{
	static const struct st_xlat types[] = {
		X(SOCK_STREAM), X(SOCK_DGRAM), X(SOCK_RAW), X(SOCK_RDM), X(SOCK_SEQPACKET),
		X(SOCK_DCCP), X(SOCK_PACKET), END,
	};
	static const struct st_xlat flags[] = {X(SOCK_CLOEXEC), X(SOCK_NONBLOCK), END};
	const char *name;
	if (!st_xlat_find(types, type & 0xf, &name)) {
		st_print_flags_ex(b, flags, type, "SOCK_???");
		return;
	}
	sb_puts(b, name);
	if (type & ~0xfull) {
		sb_putc(b, '|');
		st_print_flags_ex(b, flags, type & ~0xfull, "SOCK_???");
	}
}

void st_print_accept_flags(struct sbuf *b, uint64_t flags)
{
	static const struct st_xlat names[] = {X(SOCK_CLOEXEC), X(SOCK_NONBLOCK), END};
	st_print_flags_ex(b, names, flags, "SOCK_???");
}

void st_print_sock_proto(struct sbuf *b, uint64_t domain, uint64_t proto)
{
	static const struct st_xlat ip[] = {
		{0, "IPPROTO_IP"}, {1, "IPPROTO_ICMP"}, {2, "IPPROTO_IGMP"}, {4, "IPPROTO_IPIP"},
		{6, "IPPROTO_TCP"}, {8, "IPPROTO_EGP"}, {12, "IPPROTO_PUP"}, {17, "IPPROTO_UDP"},
		{22, "IPPROTO_IDP"}, {29, "IPPROTO_TP"}, {33, "IPPROTO_DCCP"}, {41, "IPPROTO_IPV6"},
		{43, "IPPROTO_ROUTING"}, {44, "IPPROTO_FRAGMENT"}, {46, "IPPROTO_RSVP"},
		{47, "IPPROTO_GRE"}, {50, "IPPROTO_ESP"}, {51, "IPPROTO_AH"}, {58, "IPPROTO_ICMPV6"},
		{59, "IPPROTO_NONE"}, {60, "IPPROTO_DSTOPTS"}, {92, "IPPROTO_MTP"},
		{94, "IPPROTO_BEETPH"}, {98, "IPPROTO_ENCAP"}, {103, "IPPROTO_PIM"},
		{108, "IPPROTO_COMP"}, {115, "IPPROTO_L2TP"}, {132, "IPPROTO_SCTP"}, {135, "IPPROTO_MH"},
		{136, "IPPROTO_UDPLITE"}, {137, "IPPROTO_MPLS"}, {143, "IPPROTO_ETHERNET"},
		{255, "IPPROTO_RAW"}, {262, "IPPROTO_MPTCP"}, END,
	};
	static const struct st_xlat netlink[] = {
		{0, "NETLINK_ROUTE"}, {1, "NETLINK_UNUSED"}, {2, "NETLINK_USERSOCK"},
		{3, "NETLINK_FIREWALL"}, {4, "NETLINK_SOCK_DIAG"}, {5, "NETLINK_NFLOG"},
		{6, "NETLINK_XFRM"}, {7, "NETLINK_SELINUX"}, {8, "NETLINK_ISCSI"}, {9, "NETLINK_AUDIT"},
		{10, "NETLINK_FIB_LOOKUP"}, {11, "NETLINK_CONNECTOR"}, {12, "NETLINK_NETFILTER"},
		{13, "NETLINK_IP6_FW"}, {14, "NETLINK_DNRTMSG"}, {15, "NETLINK_KOBJECT_UEVENT"},
		{16, "NETLINK_GENERIC"}, {18, "NETLINK_SCSITRANSPORT"}, {19, "NETLINK_ECRYPTFS"},
		{20, "NETLINK_RDMA"}, {21, "NETLINK_CRYPTO"}, {22, "NETLINK_SMC"}, END,
	};
	/* AF_PACKET's protocol is an Ethernet type in network order: the common ones. */
	static const struct st_xlat ether[] = {
		{0x0001, "ETH_P_802_3"}, {0x0003, "ETH_P_ALL"}, {0x0004, "ETH_P_802_2"},
		{0x0800, "ETH_P_IP"}, {0x0806, "ETH_P_ARP"}, {0x8035, "ETH_P_RARP"},
		{0x8100, "ETH_P_8021Q"}, {0x86DD, "ETH_P_IPV6"}, {0x88A8, "ETH_P_8021AD"},
		{0x888E, "ETH_P_PAE"}, {0x88CC, "ETH_P_LLDP"}, END,
	};
	if (domain == AF_INET || domain == AF_INET6) {
		st_print_xval(b, ip, proto, "IPPROTO_???");
	} else if (domain == AF_NETLINK) {
		st_print_xval(b, netlink, proto, "NETLINK_???");
	} else if (domain == AF_PACKET) {
		uint16_t host = (uint16_t)(((proto & 0xff) << 8) | ((proto >> 8) & 0xff));
		sb_puts(b, "htons(");
		st_print_xval(b, ether, host, "ETH_P_???");
		sb_putc(b, ')');
	} else {
		sb_printf(b, "%llu", (unsigned long long)proto);
	}
}

void st_print_msg_flags(struct sbuf *b, uint64_t flags)
{
	static const struct st_xlat names[] = {
		{0x1, "MSG_OOB"}, {0x2, "MSG_PEEK"}, {0x4, "MSG_DONTROUTE"}, {0x8, "MSG_CTRUNC"},
		{0x10, "MSG_PROBE"}, {0x20, "MSG_TRUNC"}, {0x40, "MSG_DONTWAIT"}, {0x80, "MSG_EOR"},
		{0x100, "MSG_WAITALL"}, {0x200, "MSG_FIN"}, {0x400, "MSG_SYN"}, {0x800, "MSG_CONFIRM"},
		{0x1000, "MSG_RST"}, {0x2000, "MSG_ERRQUEUE"}, {0x4000, "MSG_NOSIGNAL"},
		{0x8000, "MSG_MORE"}, {0x10000, "MSG_WAITFORONE"}, {0x20000, "MSG_SENDPAGE_NOTLAST"},
		{0x40000, "MSG_BATCH"}, {0x80000, "MSG_NO_SHARED_FRAGS"}, {0x4000000, "MSG_ZEROCOPY"},
		{0x20000000, "MSG_FASTOPEN"}, {0x40000000, "MSG_CMSG_CLOEXEC"},
		{0x80000000, "MSG_CMSG_COMPAT"}, END,
	};
	/* The flags argument is an int: what the register holds above it is not shown. */
	st_print_flags_ex(b, names, (uint32_t)flags, "MSG_???");
}

void st_print_shutdown_how(struct sbuf *b, uint64_t how)
{
	static const struct st_xlat names[] = {X(SHUT_RD), X(SHUT_WR), X(SHUT_RDWR), END};
	st_print_xval(b, names, how, "SHUT_???");
}

/* Socket option levels (cmsg_level of control messages). */
const struct st_xlat st_sock_levels[] = {
	{0, "SOL_IP"}, {1, "SOL_SOCKET"}, {6, "SOL_TCP"}, {17, "SOL_UDP"}, {40, "AF_VSOCK"},
	{41, "SOL_IPV6"}, {58, "SOL_ICMPV6"}, {100, "SOL_CAN_BASE"}, {101, "SOL_CAN_RAW"},
	{132, "SOL_SCTP"}, {136, "SOL_UDPLITE"}, {255, "SOL_RAW"}, {256, "SOL_IPX"},
	{257, "SOL_AX25"}, {258, "SOL_ATALK"}, {259, "SOL_NETROM"}, {260, "SOL_ROSE"},
	{261, "SOL_DECNET"}, {262, "SOL_X25"}, {263, "SOL_PACKET"}, {264, "SOL_ATM"},
	{265, "SOL_AAL"}, {266, "SOL_IRDA"}, {267, "SOL_NETBEUI"}, {268, "SOL_LLC"},
	{269, "SOL_DCCP"}, {270, "SOL_NETLINK"}, {271, "SOL_TIPC"}, {272, "SOL_RXRPC"},
	{273, "SOL_PPPOL2TP"}, {274, "SOL_BLUETOOTH"}, {275, "SOL_PNPIPE"}, {276, "SOL_RDS"},
	{277, "SOL_IUCV"}, {278, "SOL_CAIF"}, {279, "SOL_ALG"}, {280, "SOL_NFC"},
	{281, "SOL_KCM"}, {282, "SOL_TLS"}, {283, "SOL_XDP"}, END,
};
