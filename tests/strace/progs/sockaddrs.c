/* Socket calls made for their arguments' decoding, on descriptor -1 (so they fail on
 * both sides: EBADF natively, ENOSYS under hvtrace; run_strace_diff.sh compares
 * arguments): addresses of every length strace treats differently (too short for
 * their family, longer than sockaddr_storage, abstract names with NULs, unknown
 * families, unreadable or NULL), struct msghdr with control messages, unknown flag
 * bits, and the forms failed calls give their output arguments. */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static unsigned char sa[200];

/* A fresh address buffer: family, then the letters of the alphabet. */
static struct sockaddr *addr(uint16_t family)
{
	for (size_t i = 0; i < sizeof sa; i++)
		sa[i] = (unsigned char)('a' + i % 26);
	memcpy(sa, &family, sizeof family);
	return (struct sockaddr *)sa;
}

int main(void)
{
	connect(-1, addr(0x3039), sizeof sa);
	connect(-1, addr(0x3039), 2);
	connect(-1, addr(AF_UNSPEC), 16);
	connect(-1, addr(AF_UNIX), sizeof sa);
	connect(-1, addr(AF_UNIX), 3);
	connect(-1, addr(AF_UNIX), 2);
	addr(AF_UNIX)[0].sa_data[0] = 0;
	connect(-1, (struct sockaddr *)sa, sizeof sa);
	sa[5] = 0;
	connect(-1, (struct sockaddr *)sa, 20);
	struct sockaddr_un odd = {AF_UNIX, "\tweird\377\"path"};
	bind(-1, (struct sockaddr *)&odd, sizeof odd);
	connect(-1, addr(AF_INET), 20);
	connect(-1, addr(AF_INET), 15);
	connect(-1, addr(AF_INET6), 24);
	connect(-1, addr(AF_INET6), 23);
	connect(-1, addr(AF_INET6), 26);
	struct sockaddr_in6 mc = {.sin6_family = AF_INET6, .sin6_port = htons(53), .sin6_scope_id = 99};
	mc.sin6_addr.s6_addr[0] = 0xff;
	mc.sin6_addr.s6_addr[1] = 0x02;
	mc.sin6_addr.s6_addr[15] = 1;
	connect(-1, (struct sockaddr *)&mc, sizeof mc);
	connect(-1, addr(AF_NETLINK), 12);
	connect(-1, addr(AF_NETLINK), 11);
	connect(-1, addr(100), 5);
	connect(-1, NULL, 16);
	connect(-1, (struct sockaddr *)1, 16);
	connect(-1, (struct sockaddr *)sa, 1);
	connect(-1, (struct sockaddr *)sa, -1);
	sendto(-1, NULL, 10, 0, NULL, 0);
	sendto(-1, "abc", 3, MSG_CONFIRM | MSG_MORE, NULL, 5);
	sendto(-1, "abc", 3, 0x10000000, addr(AF_INET), 16);

	/* Messages: two buffers, a descriptor and credentials, unknown flags. */
	int fds[2] = {0, 1};
	struct ucred uc = {1, 2, (gid_t)-1};
	union {
		char space[CMSG_SPACE(sizeof fds) + CMSG_SPACE(sizeof uc)];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof control);
	struct iovec iov[2] = {{(void *)"abc", 3}, {(void *)"defgh", 5}};
	struct msghdr mh = {.msg_name = addr(AF_INET), .msg_namelen = 16, .msg_iov = iov, .msg_iovlen = 2,
			    .msg_control = control.space, .msg_controllen = sizeof control.space};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(c), fds, sizeof fds);
	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof uc);
	memcpy(CMSG_DATA(c), &uc, sizeof uc);
	sendmsg(-1, &mh, MSG_NOSIGNAL | 0x10 | 0x80000000);
	/* A control message whose length runs past the buffer, then an unknown level. */
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_len = 4096;
	sendmsg(-1, &mh, 0);
	c->cmsg_len = CMSG_LEN(sizeof fds);
	c->cmsg_level = 1234;
	mh.msg_controllen = CMSG_SPACE(sizeof fds) + 4;
	sendmsg(-1, &mh, 0);
	mh.msg_name = NULL;
	mh.msg_namelen = 0;
	mh.msg_control = NULL;
	mh.msg_controllen = 0;
	sendmsg(-1, &mh, 0x10000000);
	sendmsg(-1, NULL, 0);
	recvmsg(-1, &mh, 0);
	mh.msg_namelen = 7;
	recvmsg(-1, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	recvmsg(-1, NULL, 0);

	/* The failed forms of outputs: the buffer's address and the length offered. */
	socklen_t len = 16;
	accept(-1, (struct sockaddr *)sa, &len);
	accept(-1, NULL, &len);
	accept(-1, (struct sockaddr *)sa, NULL);
	accept4(-1, (struct sockaddr *)sa, &len, 0);
	accept4(-1, (struct sockaddr *)sa, &len, SOCK_NONBLOCK | 0x40);
	accept4(-1, NULL, NULL, 0x40);
	getsockname(-1, (struct sockaddr *)sa, &len);
	getpeername(-1, (struct sockaddr *)sa, &len);
	recvfrom(-1, sa, 10, MSG_PEEK | MSG_TRUNC, (struct sockaddr *)sa, &len);
	recvfrom(-1, sa, 10, 0, NULL, NULL);

	/* Constants. */
	socketpair(AF_INET, SOCK_STREAM, IPPROTO_TCP, fds);
	socketpair(AF_UNIX, 0x6f, 6, NULL);
	syscall(SYS_socket, 99, 0x80f, 5);
	syscall(SYS_socket, AF_UNIX, 0, 0);
	syscall(SYS_socket, AF_INET, SOCK_RAW, 0x1234);
	syscall(SYS_socket, AF_NETLINK, SOCK_DGRAM, 77);
	shutdown(-1, SHUT_RDWR);
	shutdown(-1, 7);
	listen(-1, 128);
	return 0;
}
