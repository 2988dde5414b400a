/* /proc/self/fd and /proc/PID/fd as directories: the listing (with the fd of the listing
 * itself, as Linux shows it), readlinkat on the directory fd, lstat modes of the links,
 * stat following them, and another process's table. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int by_number(const void *a, const void *b)
{
	return atoi(*(char *const *)a) - atoi(*(char *const *)b);
}

/* Targets that differ between runs (the harness's output files, pipe inode numbers,
 * pids) are shown by kind. */
static const char *kind(const char *target)
{
	if (!strncmp(target, "pipe:", 5))
		return "pipe";
	if (!strncmp(target, "/proc/", 6))
		return "a /proc fd directory";
	if (!strcmp(target, "/dev/null") || !strcmp(target, "/"))
		return target;
	return target[0] == '/' ? "some file" : "other";
}

static void list(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[256];
	int n = 0;

	if (!d) {
		printf("opendir %s failed\n", dir);
		return;
	}
	while ((e = readdir(d)) && n < 256)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	qsort(names, (size_t)n, sizeof names[0], by_number);
	for (int i = 0; i < n; i++) {
		char t[512];
		ssize_t l = readlinkat(dirfd(d), names[i], t, sizeof t - 1);
		t[l > 0 ? l : 0] = 0;
		printf("  %s -> %s\n", names[i], kind(t));
		free(names[i]);
	}
	closedir(d);
}

int main(void)
{
	int p[2];
	struct stat st;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int fd = 3; fd < 1024; fd++)
		close(fd); /* whatever the caller leaked to us differs between the runs */
	pipe(p);
	int ro = open("/dev/null", O_RDONLY);
	int wo = open("/dev/null", O_WRONLY);
	int rw = open("/", O_RDONLY | O_DIRECTORY);
	printf("self:\n");
	list("/proc/self/fd");
	printf("self with a slash:\n");
	list("/proc/self/fd/");

	char path[64];
	const int fds[] = {ro, wo, p[0], p[1]};
	for (unsigned i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
		lstat(path, &st);
		printf("lstat fd %u: link %d mode %o size %lld\n", i, S_ISLNK(st.st_mode),
		       st.st_mode & 0777, (long long)st.st_size);
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", ro);
	stat(path, &st);
	printf("stat follows to a char device: %d\n", S_ISCHR(st.st_mode));
	snprintf(path, sizeof path, "/proc/self/fd/%d", rw);
	stat(path, &st);
	printf("stat follows to a directory: %d\n", S_ISDIR(st.st_mode));
	stat("/proc/self/fd", &st);
	printf("fd/ is a directory: %d\n", S_ISDIR(st.st_mode));
	printf("opening a file as a directory fails: %d\n",
	       open("/proc/self/status", O_RDONLY | O_DIRECTORY) < 0);
	printf("no such fd: %d\n", lstat("/proc/self/fd/999", &st) < 0);

	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(ro);
		snprintf(path, sizeof path, "/proc/%d/fd", parent);
		printf("the parent's, from the child:\n");
		list(path);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return 0;
}
