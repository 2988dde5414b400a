/* execve of itself with an argument: the second image prints and exits. A failed
 * execve first. */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child")) {
		write(1, "child\n", 6);
		return 4;
	}
	char *bad[] = {"nothing", NULL};
	char *args[] = {argv[0], "child", "second arg", NULL};
	/* rseq off in the new image too: hvtrace does not offer it (see run_strace_diff.sh). */
	char *env[] = {"A=1", "B=two", "GLIBC_TUNABLES=glibc.pthread.rseq=0", NULL};
	execve("/nonexistent/prog", bad, env);
	execve("/proc/self/exe", args, env);
	return 1;
}
