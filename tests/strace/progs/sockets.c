/* A Unix socket session as programs make one: a socketpair, a listening socket with a
 * path, connect/accept4, a descriptor passed with SCM_RIGHTS, datagrams between two
 * abstract names; then AF_INET, AF_INET6 (a link-local address with its interface)
 * and AF_NETLINK addresses.
 *
 * hvtrace serves no sockets yet: there every socket call fails with ENOSYS, and the
 * program goes on with the descriptor numbers the calls give natively, so that both
 * traces show the same arguments (run_strace_diff.sh compares arguments, and leaves
 * out the calls whose output arguments only a successful call fills). Natively every
 * call must succeed, but the network ones marked as failing. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PATH "/tmp/hvt_strace_sockets.sock"
#define ABSTRACT "\0hvt_strace_sockets"
#define ABSTRACT_PEER "\0hvt_strace_sockets.peer"

/* A call's result: ENOSYS (hvtrace) is expected, anything else a failure. */
static long check(long r, const char *what)
{
	if (r < 0 && errno != ENOSYS) {
		perror(what);
		exit(1);
	}
	return r;
}

/* The descriptor a socket call made, or natively_fd where it could not (hvtrace). */
static int fd_or(long r, int natively_fd, const char *what)
{
	return check(r, what) < 0 ? natively_fd : (int)r;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name, size_t len)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, name, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

int main(void)
{
	char buf[64];
	int sv[2] = {3, 4};
	check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
	check(sendto(sv[0], "ping", 4, MSG_NOSIGNAL, NULL, 0), "sendto");
	check(recvfrom(sv[1], buf, sizeof buf, MSG_DONTWAIT, NULL, NULL), "recvfrom");
	check(shutdown(sv[1], SHUT_WR), "shutdown");

	/* A listening socket with a path; a client connects, the server accepts. */
	struct sockaddr_un un = {.sun_family = AF_UNIX, .sun_path = PATH};
	unlink(PATH); /* left by an earlier run, or not there: either is fine */
	int l = fd_or(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), 5, "socket");
	check(bind(l, (struct sockaddr *)&un, sizeof un), "bind");
	check(listen(l, 8), "listen");
	int c = fd_or(socket(AF_UNIX, SOCK_STREAM, 0), 6, "socket");
	check(connect(c, (struct sockaddr *)&un, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof PATH)),
	      "connect");
	struct sockaddr_un peer;
	socklen_t plen = sizeof peer;
	int a = fd_or(accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC), 7, "accept4");
	plen = sizeof peer;
	check(getsockname(l, (struct sockaddr *)&peer, &plen), "getsockname");
	plen = sizeof peer;
	check(getpeername(c, (struct sockaddr *)&peer, &plen), "getpeername");

	/* Two buffers and a descriptor (stdin) in one message. */
	struct iovec iov[2] = {{(void *)"hello", 5}, {(void *)" world", 6}};
	union {
		char space[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof control);
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = control.space,
			    .msg_controllen = sizeof control.space};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memset(CMSG_DATA(cm), 0, sizeof(int));
	check(sendmsg(c, &mh, 0), "sendmsg");
	struct iovec riov = {buf, sizeof buf};
	struct msghdr rh = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = control.space,
			    .msg_controllen = sizeof control.space};
	int passed = 8;
	if (check(recvmsg(a, &rh, MSG_CMSG_CLOEXEC), "recvmsg") >= 0 && rh.msg_controllen)
		memcpy(&passed, CMSG_DATA(CMSG_FIRSTHDR(&rh)), sizeof passed);

	/* Datagrams between two abstract names: the receiver sees the sender's. */
	struct sockaddr_un ab, ab_peer;
	socklen_t ablen = abstract_addr(&ab, ABSTRACT, sizeof ABSTRACT - 1);
	socklen_t peerlen = abstract_addr(&ab_peer, ABSTRACT_PEER, sizeof ABSTRACT_PEER - 1);
	int d1 = fd_or(socket(AF_UNIX, SOCK_DGRAM, 0), 9, "socket");
	int d2 = fd_or(socket(AF_UNIX, SOCK_DGRAM, 0), 10, "socket");
	check(bind(d1, (struct sockaddr *)&ab, ablen), "bind");
	check(bind(d2, (struct sockaddr *)&ab_peer, peerlen), "bind");
	check(sendto(d2, "dgram", 5, 0, (struct sockaddr *)&ab, ablen), "sendto");
	plen = sizeof peer;
	check(recvfrom(d1, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&peer, &plen), "recvfrom");
	check(sendto(d2, "again", 5, 0, (struct sockaddr *)&ab, ablen), "sendto");
	rh = (struct msghdr){.msg_name = &peer, .msg_namelen = sizeof peer, .msg_iov = &riov, .msg_iovlen = 1};
	check(recvmsg(d1, &rh, MSG_DONTWAIT), "recvmsg");

	/* Network addresses: the connections fail natively (nothing listens on port 1, or
	 * the address is unreachable); non-blocking, so nothing waits. */
	int s4 = fd_or(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP), 11, "socket");
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(1)};
	inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
	connect(s4, (struct sockaddr *)&in, sizeof in);
	int s6 = fd_or(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0), 12, "socket");
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(1)};
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	connect(s6, (struct sockaddr *)&in6, sizeof in6);
	inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
	in6.sin6_scope_id = 1; /* the loopback interface: "lo" on both sides */
	in6.sin6_flowinfo = htonl(7);
	sendto(s6, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&in6, sizeof in6);
	int nl = fd_or(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), 13, "socket");
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	check(bind(nl, (struct sockaddr *)&snl, sizeof snl), "bind");

	int fds[] = {sv[0], sv[1], l, c, a, passed, d1, d2, s4, s6, nl};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		close(fds[i]); /* fails under hvtrace (never opened): the same call all the same */
	unlink(PATH);
	return 0;
}
