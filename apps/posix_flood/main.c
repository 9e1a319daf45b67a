/*
 * posix_flood — floods its standard output: FLOOD_LINES lines of exactly 100 bytes, then
 * "posix_flood: done", each with one write(2), and exits 0. Without a console, stdout is
 * the kernel's debug port, where each task may write only its budget ("kdb_budget="):
 * qemu.posix.flood boots it with a small one beside posix_hello and checks that the flood
 * is cut off there and posix_hello's lines still appear (tests/qemu/posix/posix-check).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FLOOD_LINES 200
#define LINE 100

int main(void)
{
    char line[LINE + 1];
    for (int i = 0; i < FLOOD_LINES; i++) {
        int n = snprintf(line, sizeof(line), "posix_flood: line %03d ", i);
        memset(line + n, 'x', LINE - 1 - (size_t)n);
        line[LINE - 1] = '\n';
        if (write(1, line, LINE) != LINE)
            return 1;
    }
    static const char done[] = "posix_flood: done\n";
    return write(1, done, sizeof(done) - 1) == (ssize_t)(sizeof(done) - 1) ? 0 : 1;
}
