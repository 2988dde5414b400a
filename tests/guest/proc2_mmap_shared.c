// diff-args: @TMP@
/* MAP_SHARED file mappings: coherent between processes (fork-inherited and independent
 * mappings), with read()/write() on the file, across msync/munmap and ftruncate; and the
 * errors Linux gives for the misuses. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static char path[4096];

static void check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "WRONG");
}

static const char *err(int r)
{
	if (r == 0)
		return "0";
	switch (errno) {
	case EACCES: return "EACCES";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	default: return strerror(errno);
	}
}

static void wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("child failed\n");
}

static int make_file(size_t size, char fill)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char buf[PG];

	memset(buf, fill, sizeof buf);
	for (size_t done = 0; done < size;) {
		size_t n = size - done < PG ? size - done : PG;
		if (write(fd, buf, n) != (ssize_t)n)
			exit(2);
		done += n;
	}
	return fd;
}

static void fork_inherited(void)
{
	int fd = make_file(3 * PG, 'a');
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	pid_t pid = fork();
	if (pid == 0) {
		memcpy(m + PG + 10, "from child", 10);
		_exit(0);
	}
	wait_child(pid);
	check("fork: parent sees the child's store", memcmp(m + PG + 10, "from child", 10) == 0);
	char buf[10];
	pread(fd, buf, 10, PG + 10);
	check("fork: read() sees the store", memcmp(buf, "from child", 10) == 0);
	munmap(m, 3 * PG);
	close(fd);
}

static void independent_maps(void)
{
	int fd = make_file(2 * PG, 'b');
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int go[2], done[2];

	pipe(go);
	pipe(done);
	pid_t pid = fork();
	if (pid == 0) {
		/* Its own open and its own mapping of the same file. */
		int cfd = open(path, O_RDWR);
		char *cm = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		char c;
		cm[5] = 'X';
		write(done[1], "1", 1);
		read(go[0], &c, 1);
		_exit(cm[PG + 7] == 'Y' ? 0 : 1);
	}
	char c;
	read(done[0], &c, 1);
	check("independent: parent sees the child's byte", m[5] == 'X');
	m[PG + 7] = 'Y';
	write(go[1], "1", 1);
	wait_child(pid);
	check("independent: child saw the parent's byte (exit 0)", 1);
	munmap(m, 2 * PG);
	close(fd);
}

static void io_coherence(void)
{
	int fd = make_file(2 * PG, 'c');
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	check("mapping has the file", m[100] == 'c');
	pwrite(fd, "written", 7, 200);
	check("pwrite shows in the mapping", memcmp(m + 200, "written", 7) == 0);
	lseek(fd, PG + 1, SEEK_SET);
	write(fd, "seq", 3);
	check("write at the position shows", memcmp(m + PG + 1, "seq", 3) == 0);
	memcpy(m + 300, "stored", 6);
	char buf[6];
	pread(fd, buf, 6, 300);
	check("read sees a store to the mapping", memcmp(buf, "stored", 6) == 0);
	struct stat st;
	fstat(fd, &st);
	check("size unchanged", st.st_size == 2 * PG);
	munmap(m, 2 * PG);
	close(fd);
}

static void persistence(void)
{
	int fd = make_file(5000, 'd');
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	memcpy(m + 4500, "tail", 4);
	m[6000] = 'Z'; /* past EOF in the last page: never file data */
	check("msync MS_SYNC", msync(m, 2 * PG, MS_SYNC) == 0);
	char buf[4];
	pread(fd, buf, 4, 4500);
	check("msync wrote the page", memcmp(buf, "tail", 4) == 0);
	memcpy(m + 10, "last", 4);
	munmap(m, 2 * PG);
	close(fd);
	fd = open(path, O_RDONLY);
	pread(fd, buf, 4, 10);
	check("munmap wrote the page back", memcmp(buf, "last", 4) == 0);
	struct stat st;
	fstat(fd, &st);
	check("file did not grow", st.st_size == 5000);
	close(fd);
}

static void truncation(void)
{
	int fd = make_file(2 * PG, 'e');
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	ftruncate(fd, PG);
	ftruncate(fd, 2 * PG);
	check("truncated page reads zero", m[PG + 5] == 0);
	check("page before stays", m[5] == 'e');
	munmap(m, 2 * PG);
	close(fd);
}

static void private_sees_shared(void)
{
	int fd = make_file(PG, 'f');
	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	s[1] = 'S';
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check("private mapping reads the shared store", p[1] == 'S');
	p[2] = 'P';
	check("private store stays private", s[2] == 'f');
	munmap(p, PG);
	munmap(s, PG);
	close(fd);
}

static void misuse(void)
{
	int fd = make_file(PG, 'g');
	int ro = open(path, O_RDONLY);
	void *m;

	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	printf("shared writable on O_RDONLY: %s\n", m == MAP_FAILED ? err(-1) : "mapped");
	char *r = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	printf("read-only shared: %s\n", r == MAP_FAILED ? err(-1) : "mapped");
	printf("mprotect PROT_WRITE on it: %s\n", err(mprotect(r, PG, PROT_READ | PROT_WRITE)));
	check("read-only shared reads the file", r[0] == 'g');
	int p[2];
	pipe(p);
	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, p[0], 0);
	printf("shared pipe: %s\n", m == MAP_FAILED ? err(-1) : "mapped");
	char *w = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("msync unaligned: %s\n", err(msync(w + 1, PG, MS_SYNC)));
	printf("msync SYNC|ASYNC: %s\n", err(msync(w, PG, MS_SYNC | MS_ASYNC)));
	printf("msync bad flag: %s\n", err(msync(w, PG, 0x100)));
	munmap(w + PG, PG);
	printf("msync over a hole: %s\n", err(msync(w, 2 * PG, MS_ASYNC)));
	printf("msync anonymous: %s\n",
	       err(msync(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), PG, MS_SYNC)));
	close(fd);
	close(ro);
}

static void dev_zero(void)
{
	int fd = open("/dev/zero", O_RDWR);
	char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED) {
		printf("/dev/zero shared: %s\n", err(-1));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		m[9] = 'z';
		_exit(0);
	}
	wait_child(pid);
	check("/dev/zero shared survives fork as shared", m[9] == 'z');
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	snprintf(path, sizeof path, "%s/shared.bin", argv[1]);
	setvbuf(stdout, NULL, _IONBF, 0);
	fork_inherited();
	independent_maps();
	io_coherence();
	persistence();
	truncation();
	private_sees_shared();
	misuse();
	dev_zero();
	return 0;
}
