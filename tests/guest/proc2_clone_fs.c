// diff-args: @TMP@
/* CLONE_FS between processes: the working directory and the umask are shared with the
 * parent (Linux's fs_struct); a plain fork copies them. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[4096];

/* A fork-like clone with the given extra flags; the child changes its cwd and umask. */
static void child_changes(unsigned long flags, const char *label)
{
	char before[4096], after[4096];

	chdir("/");
	umask(022);
	getcwd(before, sizeof before);
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		chdir(dir);
		umask(077);
		_exit(0);
	}
	waitpid((pid_t)pid, NULL, 0);
	getcwd(after, sizeof after);
	mode_t m = umask(022);
	printf("%s: cwd %s, umask %03o\n", label, strcmp(after, dir) ? "unchanged" : "follows the child",
	       (unsigned)m);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	child_changes(0, "fork");
	child_changes(CLONE_FS, "CLONE_FS");
	/* Relative paths resolve against the shared directory too. */
	chdir("/");
	long pid = syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		chdir(dir);
		_exit(0);
	}
	waitpid((pid_t)pid, NULL, 0);
	FILE *f = fopen("made-here", "w");
	printf("file created in the shared cwd: %s\n", f ? "yes" : "no");
	if (f)
		fclose(f);
	struct stat st;
	char path[4200];
	snprintf(path, sizeof path, "%s/made-here", dir);
	printf("found at the child's directory: %s\n", stat(path, &st) == 0 ? "yes" : "no");
	printf("CLONE_FS with CLONE_NEWNS: %s\n",
	       syscall(SYS_clone, CLONE_FS | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0) < 0 ? "refused" : "accepted");
	return 0;
}
