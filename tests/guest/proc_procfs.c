// proc_procfs: the guest's /proc. /proc/self/{cmdline,comm,status,stat,maps} and the
// exe link agree with what the process knows about itself: the code of main() lies in
// an r-xp mapping of its own executable, a stack variable in [stack], a small malloc
// in [heap]; /proc/PID/status of a stopped child says "T (stopped)", of a zombie
// "Z (zombie)"; a missing pid or entry is ENOENT.
// diff-args: first "second arg"
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }

static size_t slurp(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    size_t n = 0;
    ssize_t r;
    while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
        n += (size_t)r;
    close(fd);
    buf[n] = 0;
    return n;
}

/* The maps line whose range holds addr: its permissions and name. */
static int find_map(unsigned long addr, char *perms, char *name)
{
    static char buf[65536];
    slurp("/proc/self/maps", buf, sizeof buf);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long lo, hi;
        char p[8] = "", nm[512] = "";
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %511s", &lo, &hi, p, nm) >= 3 && addr >= lo && addr < hi) {
            strcpy(perms, p);
            strcpy(name, nm);
            return 1;
        }
    }
    return 0;
}

static const char *status_field(const char *text, const char *key, char *out)
{
    const char *p = strstr(text, key);
    out[0] = 0;
    if (p && sscanf(p + strlen(key), " %255[^\n]", out) == 1)
        return out;
    return "";
}

int main(int argc, char **argv)
{
    char buf[8192], f[256], exe[512], perms[8], name[512];
    (void)argc;

    size_t n = slurp("/proc/self/cmdline", buf, sizeof buf);
    printf("cmdline:");
    for (size_t i = 0, s = 0; i < n; i++)
        if (!buf[i]) {
            printf(" [%s]", s == 0 ? "argv0" : buf + s);
            s = i + 1;
        }
    printf("\n");
    slurp("/proc/self/comm", buf, sizeof buf);
    const char *base = strrchr(argv[0], '/');
    char want[32];
    snprintf(want, sizeof want, "%.15s\n", base ? base + 1 : argv[0]);
    printf("comm is the basename: %s\n", yesno(!strcmp(buf, want)));
    slurp("/proc/self/status", buf, sizeof buf);
    printf("status Name matches comm: %s\n", yesno(!strncmp(status_field(buf, "Name:", f), want, strlen(f))));
    printf("status State: %s\n", status_field(buf, "State:", f));
    printf("status Pid==getpid: %s\n", yesno(atoi(status_field(buf, "Pid:", f)) == getpid()));
    printf("status PPid==getppid: %s\n", yesno(atoi(status_field(buf, "PPid:", f)) == getppid()));
    printf("status Threads: %s\n", status_field(buf, "Threads:", f));
    slurp("/proc/self/stat", buf, sizeof buf);
    int pid, ppid, pgrp;
    char st;
    char *close_paren = strrchr(buf, ')');
    printf("stat parses: %s\n", yesno(close_paren && sscanf(buf, "%d", &pid) == 1 &&
                                      sscanf(close_paren + 2, "%c %d %d", &st, &ppid, &pgrp) == 3));
    printf("stat pid/ppid/pgrp agree: %s\n", yesno(pid == getpid() && ppid == getppid() && pgrp == getpgrp()));

    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[l > 0 ? l : 0] = 0;
    printf("exe link is absolute: %s\n", yesno(exe[0] == '/'));
    printf("main in an r-xp map of the executable: %s\n",
           yesno(find_map((unsigned long)&main, perms, name) && !strcmp(perms, "r-xp") && !strcmp(name, exe)));
    int local = 0;
    printf("a stack variable in [stack]: %s\n",
           yesno(find_map((unsigned long)&local, perms, name) && !strcmp(name, "[stack]") && !strcmp(perms, "rw-p")));
    char *small = malloc(64);
    printf("a small malloc in [heap]: %s\n", yesno(find_map((unsigned long)small, perms, name) && !strcmp(name, "[heap]")));
    free(small);

    errno = 0;
    printf("open /proc/self/no-such-entry: %d %s\n", open("/proc/self/no-such-entry", O_RDONLY),
           errno == ENOENT ? "ENOENT" : strerror(errno));
    errno = 0;
    printf("open /proc/999999/status: %d %s\n", open("/proc/999999/status", O_RDONLY),
           errno == ENOENT ? "ENOENT" : strerror(errno));

    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    kill(c, SIGSTOP);
    int ws;
    waitpid(c, &ws, WUNTRACED);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", c);
    slurp(path, buf, sizeof buf);
    printf("stopped child State: %s\n", status_field(buf, "State:", f));
    kill(c, SIGKILL);
    siginfo_t si;
    waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT);
    slurp(path, buf, sizeof buf);
    printf("zombie child State: %s\n", status_field(buf, "State:", f));
    waitpid(c, &ws, 0);
    return 0;
}
