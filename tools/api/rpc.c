/* The control socket's framing and paths (see rpc.h). */
#include "tools/api/rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int rpc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rpc_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rpc_send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	memset(ctl, 0, sizeof ctl);
	if (fd >= 0) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof ctl;
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	ssize_t n;
	do
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* The fd went with the first byte: the rest is a plain write. */
	return (size_t)n == len ? 0 : rpc_write_all(sock, (const char *)buf + n, len - (size_t)n);
}

int rpc_recv_with_fd(int sock, void *buf, size_t len, int *fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof *fd);
	return (size_t)n == len ? 0 : rpc_read_all(sock, (char *)buf + n, len - (size_t)n);
}

int rpc_socket_dir(char *buf, size_t len, int create)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	int n = run && *run ? snprintf(buf, len, "%s/hvtrace", run) : snprintf(buf, len, "/run/hvtrace");

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (create && mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (create && (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()))
		return -EPERM; /* someone else's directory: not a place for our sockets */
	return 0;
}

int rpc_socket_path(const char *vm, char *buf, size_t len)
{
	char dir[256];
	int r;

	if (strchr(vm, '/')) {
		if (strlen(vm) >= len)
			return -ENAMETOOLONG;
		strcpy(buf, vm);
		return 0;
	}
	for (const char *p = vm; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_'))
			return -EINVAL;
	if (!*vm)
		return -EINVAL;
	if ((r = rpc_socket_dir(dir, sizeof dir, 0)))
		return r;
	int n = snprintf(buf, len, "%s/%s.sock", dir, vm);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int rpc_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}
