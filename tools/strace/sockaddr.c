/* Socket addresses as strace prints them (its sockaddr.c): {sa_family=AF_UNIX,
 * sun_path="/tmp/x"}, AF_INET, AF_INET6 and AF_NETLINK by field, other families (and
 * addresses too short for their family) as raw sa_data. The address is read whole,
 * at most sizeof(struct sockaddr_storage) bytes as strace does, and zero-padded, so
 * that a field past the given length reads as 0 there too. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tools/strace/strace.h"

#define SA_MAX ((int)sizeof(struct sockaddr_storage))
#define FAMILY_LEN 2 /* sizeof sa_family */

bool st_host_ifname(unsigned index, char *name)
{
	return if_indextoname(index, name) != NULL;
}

static void quote_cstr(struct st_dec *d, const char *s)
{
	st_quote(d->out, (const unsigned char *)s, strlen(s), d->fmt->xflag, 0);
}

/* sun_path: a path up to its NUL, or an abstract name (leading NUL) shown as @"..."
 * with every byte the length covers. */
static void print_un(struct st_dec *d, const unsigned char *buf, int len)
{
	int un_len = len > (int)sizeof(struct sockaddr_un) ? (int)sizeof(struct sockaddr_un) : len;
	size_t path_len = (size_t)(un_len - FAMILY_LEN);
	const unsigned char *path = buf + FAMILY_LEN;

	sb_puts(d->out, "sun_path=");
	if (path[0]) {
		st_quote(d->out, path, path_len, d->fmt->xflag, QUOTE_NUL_ENDS);
	} else {
		sb_putc(d->out, '@');
		st_quote(d->out, path + 1, path_len - 1, d->fmt->xflag, 0);
	}
}

static void print_in(struct st_dec *d, const unsigned char *buf)
{
	struct sockaddr_in sin;
	char text[INET_ADDRSTRLEN];
	memcpy(&sin, buf, sizeof sin);
	sb_printf(d->out, "sin_port=htons(%u), sin_addr=inet_addr(", ntohs(sin.sin_port));
	if (inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text))
		quote_cstr(d, text);
	sb_putc(d->out, ')');
}

/* An interface index: if_nametoindex("lo") when the tracer's host has it, as strace
 * names it in its own namespace. */
static void print_ifindex(struct st_dec *d, unsigned index)
{
	char name[IF_NAMESIZE + 1] = "";
	if (d->ifname && d->ifname(index, name)) {
		name[IF_NAMESIZE] = 0;
		sb_puts(d->out, "if_nametoindex(");
		quote_cstr(d, name);
		sb_putc(d->out, ')');
	} else {
		sb_printf(d->out, "%u", index);
	}
}

/* sin6_scope_id only when the length reaches it; by name for link-local addresses. */
static void print_in6(struct st_dec *d, const unsigned char *buf, int len)
{
	struct sockaddr_in6 sin6;
	char text[INET6_ADDRSTRLEN];
	memcpy(&sin6, buf, sizeof sin6);
	sb_printf(d->out, "sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, ",
		  ntohs(sin6.sin6_port), ntohl(sin6.sin6_flowinfo));
	if (inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof text))
		quote_cstr(d, text);
	sb_puts(d->out, ", &sin6_addr)");
	if (len <= (int)offsetof(struct sockaddr_in6, sin6_scope_id))
		return;
	sb_puts(d->out, ", sin6_scope_id=");
	if (IN6_IS_ADDR_LINKLOCAL(&sin6.sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&sin6.sin6_addr))
		print_ifindex(d, sin6.sin6_scope_id);
	else
		sb_printf(d->out, "%u", sin6.sin6_scope_id);
}

/* strace prints nl_groups zero-padded to 8 characters with its 0x ("%#08x"). */
static void print_nl(struct st_dec *d, const unsigned char *buf)
{
	uint16_t pad;
	uint32_t pid, groups;
	memcpy(&pad, buf + 2, sizeof pad);
	memcpy(&pid, buf + 4, sizeof pid);
	memcpy(&groups, buf + 8, sizeof groups);
	if (pad)
		sb_printf(d->out, "nl_pad=%#x, ", pad);
	sb_printf(d->out, "nl_pid=%d, nl_groups=%#08x", (int)pid, groups);
}

/* The shortest address each decoded family needs (strace's min_len); shorter ones,
 * and other families, show their bytes. */
static int min_len(uint16_t family)
{
	switch (family) {
	case AF_UNIX: return FAMILY_LEN + 1;
	case AF_INET: return (int)sizeof(struct sockaddr_in);
	case AF_INET6: return (int)offsetof(struct sockaddr_in6, sin6_scope_id);
	case AF_NETLINK: return 12; /* sizeof(struct sockaddr_nl) */
	}
	return -1;
}

/* Preconditions: buf holds len (2..SA_MAX) bytes and zeros after them. */
static void print_sockaddr(struct st_dec *d, const unsigned char *buf, int len)
{
	uint16_t family;
	memcpy(&family, buf, sizeof family);
	sb_puts(d->out, "{sa_family=");
	st_print_xval(d->out, st_sock_domains, family, "AF_???");
	if (len > FAMILY_LEN) {
		sb_puts(d->out, ", ");
		int need = min_len(family);
		if (need < 0 || len < need) {
			sb_puts(d->out, "sa_data=");
			st_quote(d->out, buf + FAMILY_LEN, (size_t)(len - FAMILY_LEN), d->fmt->xflag, 0);
		} else if (family == AF_UNIX) {
			print_un(d, buf, len);
		} else if (family == AF_INET) {
			print_in(d, buf);
		} else if (family == AF_INET6) {
			print_in6(d, buf, len);
		} else {
			print_nl(d, buf);
		}
	}
	sb_putc(d->out, '}');
}

void st_print_sockaddr(struct st_dec *d, int tid, uint64_t addr, int len)
{
	/* One spare zero byte: a path that fills sun_path still ends. */
	unsigned char buf[SA_MAX + 1];
	if (len < FAMILY_LEN) {
		st_print_ptr(d->out, addr);
		return;
	}
	if (len > SA_MAX)
		len = SA_MAX;
	memset(buf, 0, sizeof buf);
	if (st_read(d, tid, addr, buf, (size_t)len)) {
		st_print_ptr(d->out, addr);
		return;
	}
	print_sockaddr(d, buf, len);
}
