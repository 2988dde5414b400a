// uname_cwd: uname sysname/machine, getcwd, chdir, readlink("/proc/self/exe").
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc;
    struct utsname u;
    if (uname(&u) != 0) {
        puts("uname failed");
        return 1;
    }
    printf("sysname=%s\n", u.sysname);
    printf("machine=%s\n", u.machine);

    char cwd[PATH_MAX];
    printf("getcwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : "(failed)");
    printf("chdir(\"/\")=%d\n", chdir("/"));
    printf("getcwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : "(failed)");
    printf("chdir(\"/nonexistent-hvtrace\")=%d\n", chdir("/nonexistent-hvtrace"));

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    int ok = 0;
    if (n > 0) {
        exe[n] = 0;
        size_t bl = strlen(base);
        ok = (size_t)n >= bl + 1 && strcmp(exe + n - bl, base) == 0 && exe[n - bl - 1] == '/';
    }
    printf("readlink /proc/self/exe ends with /%s: %s\n", base, ok ? "yes" : "no");
    return 0;
}
