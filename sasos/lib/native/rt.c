/* rt.c — start-up, output and thread helpers of the native runtime. */
#include <native/rt.h>
#include <l4/kdebug.h>

const volatile struct l4_kip *rt_kip;

void native_start(const struct l4_kip *kip)
{
    rt_kip = kip;
    main();
}

struct outbuf {
    char buf[256];
    size_t n;
};

static void out_put(int c, void *arg)
{
    struct outbuf *o = arg;
    o->buf[o->n++] = (char)c;
    if (o->n == sizeof(o->buf) || c == '\n') {
        l4_kdb_puts(o->buf, o->n);
        o->n = 0;
    }
}

int printf(const char *fmt, ...)
{
    struct outbuf o = { .n = 0 };
    va_list ap;
    va_start(ap, fmt);
    int r = kformat(out_put, &o, fmt, ap);
    va_end(ap);
    if (o.n)
        l4_kdb_puts(o.buf, o.n);
    return r;
}

void puts_raw(const char *s)
{
    l4_kdb_puts(s, strlen(s));
}

struct strbuf {
    char *p;
    size_t n, len;
};

static void str_put(int c, void *arg)
{
    struct strbuf *s = arg;
    if (s->len + 1 < s->n)
        s->p[s->len] = (char)c;
    s->len++;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
    struct strbuf s = { buf, n, 0 };
    va_list ap;
    va_start(ap, fmt);
    kformat(str_put, &s, fmt, ap);
    va_end(ap);
    if (n)
        buf[s.len < n ? s.len : n - 1] = 0;
    return (int)s.len;
}

int rt_cmdline_get(const char *key, char *out, size_t n)
{
    size_t klen = strlen(key);
    const char *p = (const char *)rt_kip->cmdline;   /* fixed at boot */
    while (*p) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            size_t i = 0;
            for (p += klen + 1; p[i] && p[i] != ' ' && i + 1 < n; i++)
                out[i] = p[i];
            out[i] = 0;
            return 0;
        }
        while (*p && *p != ' ')
            p++;
    }
    return -1;
}

l4_threadid_t rt_thread_start(unsigned n, void (*fn)(void), void *stack, size_t size,
                              uint64_t *err)
{
    struct l4_exregs x = {
        .control = n | L4_EXREGS_SET_IP | L4_EXREGS_SET_SP,
        .ip = (uint64_t)fn,
        /* The ABI's entry state: rsp 16-byte aligned minus the return address slot. */
        .sp = (((uint64_t)stack + size) & ~15ULL) - 8,
    };
    uint64_t e = l4_lthread_ex_regs(&x);
    if (err)
        *err = e;
    return e ? L4_NILTHREAD : x.control;
}
