/* vFile: gdb's file access on the target (the program read through `target:`, the
 * target's /proc/PID/...), over hvt_open_file: each file as the guest's task sees it
 * (its --root, its working directory, the guest's own /proc), read-only. Replies are
 * "Fresult[,errno][;data]" with gdb's File-I/O errno numbers and big-endian stat. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/gdb/stub.h"

/* Linux errno to gdb's File-I/O errno (the same numbers up to 30). */
static int fileio_errno(int e)
{
	if (e < 0)
		e = -e;
	switch (e) {
	case EPERM: case ENOENT: case EINTR: case EBADF: case EACCES: case EFAULT: case EBUSY:
	case EEXIST: case ENODEV: case ENOTDIR: case EISDIR: case EINVAL: case ENFILE:
	case EMFILE: case EFBIG: case ENOSPC: case ESPIPE: case EROFS:
		return e;
	case ENAMETOOLONG:
		return 91;
	case ENOSYS:
		return 88;
	default:
		return 9999; /* FILEIO_EUNKNOWN */
	}
}

static void reply_fail(struct gdb_stub *st, int err)
{
	gdb_reply(st, "F-1,%x", fileio_errno(err));
}

void gdb_files_close_all(struct gdb_stub *st)
{
	for (int i = 0; i < GDB_MAX_FILES; i++)
		if (st->files[i] >= 0) {
			close(st->files[i]);
			st->files[i] = -1;
		}
}

/* The task whose view paths are resolved in: setfs's process, else the Hg thread. */
static struct gdb_thread *fs_task(struct gdb_stub *st)
{
	if (st->fs_pid)
		return gdb_match_thread(st, (struct gdb_ptid){st->fs_pid, -1});
	return gdb_general_thread(st);
}

static int file_fd(struct gdb_stub *st, uint64_t fd)
{
	return fd < GDB_MAX_FILES ? st->files[fd] : -1;
}

static void v_open(struct gdb_stub *st, const char *args)
{
	char path[4096];
	uint64_t flags, mode;
	int slot = 0;

	if (gdb_parse_vfile_open(args, path, sizeof path, &flags, &mode))
		return reply_fail(st, EINVAL);
	if (flags != 0)
		return reply_fail(st, EACCES); /* O_RDONLY only: gdb never needs to write */
	struct gdb_thread *t = st->s ? fs_task(st) : NULL;
	if (!t)
		return reply_fail(st, ENODEV); /* no process: no file system to read */
	while (slot < GDB_MAX_FILES && st->files[slot] >= 0)
		slot++;
	if (slot == GDB_MAX_FILES)
		return reply_fail(st, EMFILE);
	int fd = hvt_open_file(st->s, t->tid, path);
	if (fd < 0)
		return reply_fail(st, fd);
	st->files[slot] = fd;
	gdb_reply(st, "F%x", slot);
}

static void v_pread(struct gdb_stub *st, const char *args)
{
	static uint8_t buf[GDB_PACKET_MAX / 2];
	uint64_t v[3];

	if (gdb_parse_hex_list(args, v, 3))
		return reply_fail(st, EINVAL);
	int fd = file_fd(st, v[0]);
	if (fd < 0)
		return reply_fail(st, EBADF);
	/* Escaped, the data may double: it stays within the packet size we offered. */
	size_t count = v[1] < sizeof buf - 32 ? (size_t)v[1] : sizeof buf - 32;
	if (v[2] > INT64_MAX)
		return reply_fail(st, EINVAL);
	ssize_t n = pread(fd, buf, count, (off_t)v[2]);
	if (n < 0)
		return reply_fail(st, errno);
	gdb_reply(st, "F%zx;", (size_t)n);
	gdb_reply_bytes(st, buf, (size_t)n);
}

static void put_be(uint8_t **p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

/* gdb's File-I/O struct stat: 64 bytes, big-endian (remote protocol, "struct stat"). */
static void v_fstat(struct gdb_stub *st, const char *args)
{
	uint64_t v;
	struct stat s;
	uint8_t out[64], *p = out;

	if (gdb_parse_hex_list(args, &v, 1))
		return reply_fail(st, EINVAL);
	int fd = file_fd(st, v);
	if (fd < 0)
		return reply_fail(st, EBADF);
	if (fstat(fd, &s))
		return reply_fail(st, errno);
	put_be(&p, s.st_dev, 4);
	put_be(&p, s.st_ino, 4);
	put_be(&p, s.st_mode, 4);
	put_be(&p, s.st_nlink, 4);
	put_be(&p, s.st_uid, 4);
	put_be(&p, s.st_gid, 4);
	put_be(&p, s.st_rdev, 4);
	put_be(&p, (uint64_t)s.st_size, 8);
	put_be(&p, (uint64_t)s.st_blksize, 8);
	put_be(&p, (uint64_t)s.st_blocks, 8);
	put_be(&p, (uint64_t)s.st_atime, 4);
	put_be(&p, (uint64_t)s.st_mtime, 4);
	put_be(&p, (uint64_t)s.st_ctime, 4);
	gdb_reply(st, "F%zx;", sizeof out);
	gdb_reply_bytes(st, out, sizeof out);
}

static void v_close(struct gdb_stub *st, const char *args)
{
	uint64_t v;

	if (gdb_parse_hex_list(args, &v, 1))
		return reply_fail(st, EINVAL);
	if (file_fd(st, v) < 0)
		return reply_fail(st, EBADF);
	close(st->files[v]);
	st->files[v] = -1;
	gdb_reply(st, "F0");
}

static void v_setfs(struct gdb_stub *st, const char *args)
{
	uint64_t pid;

	if (gdb_parse_hex_list(args, &pid, 1) || pid > 0x3fffffff)
		return reply_fail(st, EINVAL);
	st->fs_pid = (int)pid;
	gdb_reply(st, "F0");
}

/* "vFile:OP:ARGS". Writing operations are refused: the target's files are the guest's. */
void gdb_cmd_vfile(struct gdb_stub *st, const char *args)
{
	static const struct {
		const char *op;
		void (*fn)(struct gdb_stub *st, const char *args);
	} ops[] = {
		{"open:", v_open}, {"pread:", v_pread}, {"fstat:", v_fstat},
		{"close:", v_close}, {"setfs:", v_setfs},
	};

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t n = strlen(ops[i].op);
		if (!strncmp(args, ops[i].op, n))
			return ops[i].fn(st, args + n);
	}
	if (!strncmp(args, "pwrite:", 7) || !strncmp(args, "unlink:", 7))
		return reply_fail(st, EACCES);
	/* readlink and the rest: the empty reply, "unsupported". */
}
