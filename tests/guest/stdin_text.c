// stdin_text: line-oriented stdio reading of literal stdin text.
// diff-stdin: first line\nsecond line\twith a tab\n\nfourth line after an empty one
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        printf("line %d: [%s] len=%zu\n", ++n, line, strlen(line));
    }
    printf("lines=%d eof=%s\n", n, feof(stdin) ? "yes" : "no");
    return 0;
}
