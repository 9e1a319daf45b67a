/*
 * posix_cat — reads standard input line by line until end of file and writes each line
 * back as "posix_cat: <line>", then how many it read: the console (stdin and stdout)
 * through the POSIX personality. Also says whether stdout is a terminal (TIOCGWINSZ).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char line[256];
    unsigned n = 0;
    printf("posix_cat: stdout %s a terminal; type lines, Ctrl-D ends\n",
           isatty(1) ? "is" : "is not");
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = 0;
        printf("posix_cat: %s\n", line);
        n++;
    }
    printf("posix_cat: %u lines, end of input\n", n);
    return 0;
}
