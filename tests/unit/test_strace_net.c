/* hvtrace strace's socket and ioctl decoders (tools/strace/) on a fake guest memory,
 * for what the differential tests cannot show: hvtrace serves no sockets, so the
 * forms only a successful call gives ([110 => 2], the address the kernel wrote, the
 * received descriptor) are checked here. Each expected line is native strace 6's own
 * output for the same call: tests/strace/run_strace_diff.sh (native-socket-lines)
 * checks that /usr/bin/strace prints these very lines for tests/strace/progs/sockets.c. */
#include <arpa/inet.h>
#include <asm/unistd_64.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "tools/strace/strace.h"
#include "tools/strace/sysent.h"

/* A guest address space of one region at BASE. */
#define BASE 0x10000ull
static unsigned char mem[4096];

static ssize_t fake_read(void *ctx, int tid, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	(void)tid;
	if (addr < BASE || addr >= BASE + sizeof mem)
		return -EFAULT;
	size_t off = (size_t)(addr - BASE);
	size_t n = len < sizeof mem - off ? len : sizeof mem - off;
	memcpy(buf, mem + off, n);
	return (ssize_t)n;
}

static bool fake_ifname(unsigned index, char *name)
{
	if (index != 1)
		return false;
	strcpy(name, "lo");
	return true;
}

static struct sbuf out;
static struct st_fmt fmt;
static struct st_dec dec;
static struct st_call call;

static int setup(void **unused)
{
	(void)unused;
	memset(mem, 0, sizeof mem);
	sb_free(&out);
	sb_free(&dec.aux);
	fmt = (struct st_fmt){.strsize = 32};
	dec = (struct st_dec){.out = &out, .fmt = &fmt, .read = fake_read, .ifname = fake_ifname};
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	sb_free(&out);
	sb_free(&dec.aux);
	return 0;
}

/* The entry part of a call, as the session decodes it when the call starts... */
static void enter(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	call = (struct st_call){.tid = 1, .nr = nr, .args = {a0, a1, a2, a3, a4, a5}, .prev_nr = -1};
	sb_reset(&out);
	st_decode_args(&dec, &call);
}

/* ...and its exit part once the call (the test, in mem) has written its outputs:
 * the whole line body, "args) = ret". */
static const char *leave(long ret)
{
	call.is_exit = true;
	call.ret = ret;
	st_decode_args(&dec, &call);
	sb_puts(&out, ") ");
	st_decode_ret(&dec, &call);
	sb_reset(&dec.aux);
	dec.ret_is_custom = false;
	return out.s;
}

static uint64_t put(size_t off, const void *p, size_t n)
{
	memcpy(mem + off, p, n);
	return BASE + off;
}

static uint64_t put_int(size_t off, int v)
{
	return put(off, &v, sizeof v);
}

static socklen_t put_un(size_t off, const char *path, size_t len)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	memcpy(un.sun_path, path, len);
	put(off, &un, sizeof un);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

#define SOCK_PATH "/tmp/hvt_strace_sockets.sock"
#define PEER "\0hvt_strace_sockets.peer"

static void accept_shows_offered_and_returned_length(void **unused)
{
	(void)unused;
	uint64_t len = put_int(512, 110);
	enter(__NR_accept4, 5, BASE, len, SOCK_CLOEXEC, 0, 0);
	assert_string_equal(out.s, "5, ");
	put_un(0, "", 0);
	put_int(512, 2);
	assert_string_equal(leave(7), "5, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 7");
}

static void getsockname_shows_the_bound_path(void **unused)
{
	(void)unused;
	uint64_t len = put_int(512, 110);
	enter(__NR_getsockname, 5, BASE, len, 0, 0, 0);
	put_int(512, (int)put_un(0, SOCK_PATH, sizeof SOCK_PATH));
	assert_string_equal(leave(0), "5, {sa_family=AF_UNIX, sun_path=\"" SOCK_PATH "\"}, [110 => 31]) = 0");
	put_int(512, 110);
	enter(__NR_getpeername, 6, BASE, len, 0, 0, 0);
	put_int(512, 31);
	assert_string_equal(leave(0), "6, {sa_family=AF_UNIX, sun_path=\"" SOCK_PATH "\"}, [110 => 31]) = 0");
}

static void recvfrom_shows_data_and_sender(void **unused)
{
	(void)unused;
	uint64_t buf = put(1024, "ping", 4);
	enter(__NR_recvfrom, 4, buf, 64, MSG_DONTWAIT, 0, 0);
	assert_string_equal(leave(4), "4, \"ping\", 64, MSG_DONTWAIT, NULL, NULL) = 4");

	uint64_t len = put_int(512, 110);
	buf = put(1024, "dgram", 5);
	enter(__NR_recvfrom, 9, buf, 64, MSG_DONTWAIT, BASE, len);
	assert_string_equal(out.s, "9, ");
	put_int(512, (int)put_un(0, PEER, sizeof PEER - 1));
	assert_string_equal(leave(5), "9, \"dgram\", 64, MSG_DONTWAIT, {sa_family=AF_UNIX, "
				      "sun_path=@\"hvt_strace_sockets.peer\"}, [110 => 26]) = 5");
}

static void failed_calls_show_the_length_offered(void **unused)
{
	(void)unused;
	uint64_t len = put_int(512, 16);
	enter(__NR_getsockname, -1, BASE, len, 0, 0, 0);
	assert_string_equal(leave(-EBADF), "-1, 0x10000, [16]) = -1 EBADF (Bad file descriptor)");
	enter(__NR_accept, -1, 0, len, 0, 0, 0);
	assert_string_equal(leave(-EBADF), "-1, NULL, 0x10200) = -1 EBADF (Bad file descriptor)");
	struct msghdr m = {.msg_namelen = 7};
	put(1024, &m, sizeof m);
	enter(__NR_recvmsg, -1, BASE + 1024, MSG_DONTWAIT, 0, 0, 0);
	assert_string_equal(leave(-EBADF), "-1, {msg_namelen=7}, MSG_DONTWAIT) = -1 EBADF (Bad file descriptor)");
}

/* The stream session's recvmsg: data up to the result, the received descriptor. */
static void recvmsg_shows_received_descriptor(void **unused)
{
	(void)unused;
	uint64_t data = put(1024, "hello world", 11);
	struct iovec iov = {(void *)(uintptr_t)data, 64};
	uint64_t iovp = put(1100, &iov, sizeof iov);
	unsigned char control[CMSG_SPACE(sizeof(int))] = {0};
	uint64_t ctl = put(1200, control, sizeof control);
	struct msghdr m = {.msg_iov = (void *)(uintptr_t)iovp, .msg_iovlen = 1,
			   .msg_control = (void *)(uintptr_t)ctl, .msg_controllen = sizeof control};
	uint64_t mp = put(0, &m, sizeof m);
	enter(__NR_recvmsg, 7, mp, MSG_CMSG_CLOEXEC, 0, 0, 0);
	assert_string_equal(out.s, "7, ");
	struct cmsghdr h = {.cmsg_len = CMSG_LEN(sizeof(int)), .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS};
	put(1200, &h, sizeof h);
	put_int(1200 + sizeof h, 8);
	m.msg_flags = MSG_CMSG_CLOEXEC;
	put(0, &m, sizeof m);
	assert_string_equal(leave(11),
			    "7, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello world\", iov_len=64}], "
			    "msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
			    "cmsg_data=[8]}], msg_controllen=24, msg_flags=MSG_CMSG_CLOEXEC}, MSG_CMSG_CLOEXEC) = 11");
}

/* The datagram session's: the sender's name, and its length "offered => returned". */
static void recvmsg_shows_sender_name(void **unused)
{
	(void)unused;
	uint64_t data = put(1024, "again", 5);
	struct iovec iov = {(void *)(uintptr_t)data, 64};
	uint64_t iovp = put(1100, &iov, sizeof iov);
	struct msghdr m = {.msg_name = (void *)(uintptr_t)(BASE + 1200), .msg_namelen = 110,
			   .msg_iov = (void *)(uintptr_t)iovp, .msg_iovlen = 1};
	uint64_t mp = put(0, &m, sizeof m);
	enter(__NR_recvmsg, 9, mp, MSG_DONTWAIT, 0, 0, 0);
	m.msg_namelen = put_un(1200, PEER, sizeof PEER - 1);
	put(0, &m, sizeof m);
	assert_string_equal(leave(5),
			    "9, {msg_name={sa_family=AF_UNIX, sun_path=@\"hvt_strace_sockets.peer\"}, "
			    "msg_namelen=110 => 26, msg_iov=[{iov_base=\"again\", iov_len=64}], msg_iovlen=1, "
			    "msg_controllen=0, msg_flags=0}, MSG_DONTWAIT) = 5");
}

static void socketpair_shows_both_descriptors(void **unused)
{
	(void)unused;
	enter(__NR_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, BASE, 0, 0);
	int sv[2] = {3, 4};
	put(0, sv, sizeof sv);
	assert_string_equal(leave(0), "AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 4]) = 0");
}

/* A link-local address names its interface as the tracer's host does; without a way
 * to name it (the fuzzer, a test), the number. */
static void link_local_scope_is_named(void **unused)
{
	(void)unused;
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(1),
				  .sin6_flowinfo = htonl(7), .sin6_scope_id = 1};
	inet_pton(AF_INET6, "fe80::1", &s6.sin6_addr);
	uint64_t a = put(0, &s6, sizeof s6);
	enter(__NR_connect, 12, a, sizeof s6, 0, 0, 0);
	assert_string_equal(leave(-ENOSYS),
			    "12, {sa_family=AF_INET6, sin6_port=htons(1), sin6_flowinfo=htonl(7), "
			    "inet_pton(AF_INET6, \"fe80::1\", &sin6_addr), sin6_scope_id=if_nametoindex(\"lo\")}, 28) "
			    "= -1 ENOSYS (Function not implemented)");
	dec.ifname = NULL;
	enter(__NR_connect, 12, a, sizeof s6, 0, 0, 0);
	assert_non_null(strstr(leave(0), "sin6_scope_id=1}, 28) = 0"));
}

/* A control message whose length wraps around when aligned ends the walk (strace's own
 * walk would go round forever on it). */
static void control_message_walk_always_ends(void **unused)
{
	(void)unused;
	struct cmsghdr h = {.cmsg_len = (size_t)-3, .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS};
	uint64_t ctl = put(1200, &h, sizeof h);
	struct msghdr m = {.msg_control = (void *)(uintptr_t)ctl, .msg_controllen = 64};
	uint64_t mp = put(0, &m, sizeof m);
	enter(__NR_sendmsg, 3, mp, 0, 0, 0, 0);
	assert_non_null(strstr(leave(0), "msg_control=[{cmsg_len=18446744073709551613, cmsg_level=SOL_SOCKET, "
					 "cmsg_type=SCM_RIGHTS, cmsg_data=[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}]"));
}

/* ioctl outputs: at exit, with their separator, as strace shows a split line. */
static void ioctl_outputs_show_at_exit(void **unused)
{
	(void)unused;
	uint64_t p = put_int(0, 0);
	enter(__NR_ioctl, 3, 0x541b /* FIONREAD */, p, 0, 0, 0);
	assert_string_equal(out.s, "3, FIONREAD");
	put_int(0, 5);
	assert_string_equal(leave(0), "3, FIONREAD, [5]) = 0");
	enter(__NR_ioctl, 5, 0x80086601 /* FS_IOC_GETFLAGS */, p, 0, 0, 0);
	put_int(0, 0x80000);
	assert_string_equal(leave(0), "5, FS_IOC_GETFLAGS, [FS_EXTENT_FL]) = 0");
	enter(__NR_ioctl, 5, 0x80086601, p, 0, 0, 0);
	assert_string_equal(leave(-ENOTTY), "5, FS_IOC_GETFLAGS, 0x10000) = -1 ENOTTY (Inappropriate ioctl for device)");
	enter(__NR_ioctl, 3, 0xc0fe1234, 5, 0, 0, 0);
	assert_string_equal(leave(-ENOTTY), "3, _IOC(_IOC_READ|_IOC_WRITE, 0x12, 0x34, 0xfe), 0x5) "
					    "= -1 ENOTTY (Inappropriate ioctl for device)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(accept_shows_offered_and_returned_length, setup, teardown),
		cmocka_unit_test_setup_teardown(getsockname_shows_the_bound_path, setup, teardown),
		cmocka_unit_test_setup_teardown(recvfrom_shows_data_and_sender, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_calls_show_the_length_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(recvmsg_shows_received_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(recvmsg_shows_sender_name, setup, teardown),
		cmocka_unit_test_setup_teardown(socketpair_shows_both_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(link_local_scope_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(control_message_walk_always_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(ioctl_outputs_show_at_exit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
