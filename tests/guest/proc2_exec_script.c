// proc2_exec_script: "#!" scripts. Scripts in the @TMP@ directory name this
// (static) program as their interpreter; when started that way (HV_INTERP in
// the environment) it prints its argv with its own path shown as "INTERP"
// and the temp directory as "TMP". Checked: an optional argument (one word
// with an inner space; surrounding blanks stripped), no optional argument,
// a script whose interpreter is another script (nested), execveat with a
// directory fd (/dev/fd/N/name), fexecve of a script fd (and ENOENT when the
// fd is O_CLOEXEC). Failures: missing interpreter and "\r\n" line ending
// (ENOENT), no execute permission and a directory or non-executable file as
// interpreter (EACCES), empty file, "#!" with no name, plain text (ENOEXEC).
// diff-args: @TMP@
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char interp[PATH_MAX], tmp[PATH_MAX];

static void show_arg(const char *a, const char *me, const char *dir, const char *fdp)
{
    size_t dl = dir ? strlen(dir) : 0, fl = fdp ? strlen(fdp) : 0;
    if (me && strcmp(a, me) == 0)
        printf(" INTERP");
    else if (dl && strncmp(a, dir, dl) == 0 && a[dl] == '/')
        printf(" TMP%s", a + dl);
    else if (fl && strncmp(a, fdp, fl) == 0)
        printf(" /dev/fd/N%s", a + fl);
    else
        printf(" \"%s\"", a);
}

static int interp_main(int argc, char **argv)
{
    printf("  interpreter argc=%d:", argc);
    for (int i = 0; i < argc; i++)
        show_arg(argv[i], getenv("HV_INTERP"), getenv("HV_TMP"), getenv("HV_FDPATH"));
    printf("\n");
    return 3;
}

static void writefile(const char *name, const char *text, mode_t mode)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    write(fd, text, strlen(text));
    close(fd);
    chmod(path, mode);
}

static char envbuf[3][PATH_MAX + 32];
static char *envp[] = { envbuf[0], envbuf[1], envbuf[2], "PATH=/usr/bin:/bin", NULL };

/* fork; the child runs how(); print the result */
static void run(const char *what, int how, const char *name, int fd)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    char *av[] = { "argv0-dropped", "a", "b c", NULL };
    snprintf(envbuf[2], sizeof envbuf[2], "HV_FDPATH=/dev/fd/%d", fd);
    printf("%s:\n", what);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (how == 0)
            execve(path, av, envp);
        else if (how == 1)
            syscall(SYS_execveat, fd, name, av, envp, 0);
        else
            fexecve(fd, av, envp);
        printf("  exec failed: %s\n", errno == ENOENT ? "ENOENT" : strerror(errno));
        fflush(stdout);
        _exit(1);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* an execve that must fail; in a child, so that a wrong success shows */
static void fail(const char *what, const char *name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    char *av[] = { "x", NULL };
    printf("%s:", what);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve(path, av, envp);
        int e = errno;
        printf(" %s\n", e == ENOENT ? "ENOENT" : e == EACCES ? "EACCES" : e == ENOEXEC ? "ENOEXEC" : strerror(e));
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(int argc, char **argv)
{
    if (getenv("HV_INTERP"))
        return interp_main(argc, argv);
    if (argc != 2)
        return 2;
    if (argv[0][0] == '/')
        snprintf(interp, sizeof interp, "%s", argv[0]);
    else if (!realpath(argv[0], interp))
        return 2;
    snprintf(tmp, sizeof tmp, "%s", argv[1]);
    snprintf(envbuf[0], sizeof envbuf[0], "HV_INTERP=%s", interp);
    snprintf(envbuf[1], sizeof envbuf[1], "HV_TMP=%s", tmp);

    char line[PATH_MAX + 128];
    snprintf(line, sizeof line, "#!  %s   -opt x \t\nignored\n", interp);
    writefile("s1.sh", line, 0755);
    snprintf(line, sizeof line, "#!%s\n", interp);
    writefile("s2.sh", line, 0755);
    snprintf(line, sizeof line, "#!%s/s1.sh\n", tmp);
    writefile("s3.sh", line, 0755);

    run("script with optional argument", 0, "s1.sh", -1);
    run("script without optional argument", 0, "s2.sh", -1);
    run("script whose interpreter is a script", 0, "s3.sh", -1);
    int dfd = open(tmp, O_RDONLY | O_DIRECTORY);
    run("execveat(dirfd, \"s2.sh\")", 1, "s2.sh", dfd);
    close(dfd);
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/s1.sh", tmp);
    int sfd = open(path, O_RDONLY);
    run("fexecve of a script fd", 2, "s1.sh", sfd);
    close(sfd);
    sfd = open(path, O_RDONLY | O_CLOEXEC);
    run("fexecve of an O_CLOEXEC script fd", 2, "s1.sh", sfd);
    close(sfd);

    writefile("missing.sh", "#!/nonexistent/interpreter -x\n", 0755);
    fail("missing interpreter", "missing.sh");
    snprintf(line, sizeof line, "#!%s\r\n", interp);
    writefile("crlf.sh", line, 0755);
    fail("CRLF line ending", "crlf.sh");
    snprintf(line, sizeof line, "#!%s\n", interp);
    writefile("noexec.sh", line, 0644);
    fail("script without execute permission", "noexec.sh");
    writefile("dir.sh", "#!/tmp\n", 0755);
    fail("directory as interpreter", "dir.sh");
    snprintf(line, sizeof line, "#!%s/noexec.sh\n", tmp);
    writefile("nx.sh", line, 0755);
    fail("non-executable file as interpreter", "nx.sh");
    writefile("empty.sh", "", 0755);
    fail("empty file", "empty.sh");
    writefile("bare.sh", "#!   \nx\n", 0755);
    fail("\"#!\" without a name", "bare.sh");
    writefile("text.sh", "echo hello\n", 0755);
    fail("plain text", "text.sh");
    return 0;
}
