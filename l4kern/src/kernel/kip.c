/*
 * kip.c — the kernel info page (l4/kip.h): one page of kernel data, mapped read-only at
 * L4_KIP_ADDR into every task. Live counters are written in place by their owners.
 */
#include <k/boot.h>
#include <k/kip.h>
#include <k/lib.h>

static union {
    struct l4_kip kip;
    char page[4096];
} kip_page __attribute__((aligned(4096)));

struct l4_kip *kip = &kip_page.kip;

void kip_init(void)
{
    kip->magic = L4_KIP_MAGIC;
    kip->api_version = L4_KIP_API_VERSION;
    kip->kip_size = sizeof(struct l4_kip);
}

int cmdline_get(const char *key, char *out, size_t n)
{
    size_t klen = strlen(key);
    const char *p = kip->cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            p += klen + 1;
            size_t i = 0;
            while (p[i] && p[i] != ' ' && i + 1 < n) {
                out[i] = p[i];
                i++;
            }
            out[i] = 0;
            return 0;
        }
        while (*p && *p != ' ')
            p++;
    }
    return -1;
}
