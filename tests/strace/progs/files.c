#define _GNU_SOURCE
/* File calls with their flags, structs and failures: open/openat/read/write/stat/
 * lseek/dup/fcntl/pipe/getdents/unlink, one failing open. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	char buf[256];
	struct stat st;
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	read(fd, buf, sizeof buf);
	pread(fd, buf, 10, 5);
	lseek(fd, 0, SEEK_END);
	fstat(fd, &st);
	close(fd);
	open("/nonexistent/file", O_RDONLY);
	stat("/etc", &st);
	lstat("/nonexistent", &st);
	access("/etc/passwd", R_OK | W_OK);
	const char *tmp = "/tmp/hvt_strace_files.tmp";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0640);
	write(fd, "line one\n", 9);
	struct iovec iov[2] = {{"ab", 2}, {"cde\n", 4}};
	writev(fd, iov, 2);
	int fd2 = dup(fd);
	dup2(fd, 10);
	fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_DUPFD_CLOEXEC, 20);
	ftruncate(fd, 4);
	close(fd2);
	close(10);
	close(fd);
	rename(tmp, "/tmp/hvt_strace_files.tmp2");
	unlink("/tmp/hvt_strace_files.tmp2");
	mkdir("/tmp/hvt_strace_dir", 0755);
	rmdir("/tmp/hvt_strace_dir");
	int p[2];
	pipe2(p, O_CLOEXEC);
	write(p[1], "x", 1);
	read(p[0], buf, 1);
	close(p[0]);
	close(p[1]);
	fd = open("/", O_RDONLY | O_DIRECTORY);
	syscall(SYS_getdents64, fd, buf, 0);
	close(fd);
	getcwd(buf, sizeof buf);
	chdir("/");
	umask(022);
	readlink("/nonexistent", buf, sizeof buf);
	return 0;
}
