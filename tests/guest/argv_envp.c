// argv_envp: argc/argv, selected environment variables, environ layout.
// diff-args: one "two words" three --four= 5
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
    printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");

    const char *names[] = { "HV_A", "HV_B", "HV_UNSET" };
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        printf("%s=%s\n", names[i], v ? v : "(unset)");
    }

    int n = 0;
    while (environ[n] != NULL)
        n++;
    /* environ[n] == NULL by construction; check it is bounded (< 10000). */
    printf("environ terminated by NULL: %s\n", n < 10000 ? "yes" : "no");
    printf("environ count=%d\n", n);
    printf("envp == environ: %s\n", envp == environ ? "yes" : "no");
    /* envp must come right after argv's NULL on the initial stack */
    printf("envp == argv+argc+1: %s\n", envp == argv + argc + 1 ? "yes" : "no");
    printf("PATH=%s\n", getenv("PATH") ? getenv("PATH") : "(unset)");
    return 0;
}
