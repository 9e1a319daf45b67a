/* kformat.c — a small printf engine (ell/kformat.h): enough for logs and panics, nothing more. */
#include <ell/kformat.h>
#include <stdint.h>

/* Puts v in `base`, right-aligned in `width` with `sign` ('-' or 0) before the digits;
 * zero padding goes between sign and digits, space padding before the sign. */
static int put_num(void (*put)(int, void *), void *arg, uint64_t v, unsigned base,
                   int width, char pad, char sign)
{
    char buf[24];
    int n = 0, out = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (sign && pad == '0')
        put(sign, arg), out++;
    for (width -= !!sign; width > n; width--, out++)
        put(pad, arg);
    if (sign && pad != '0')
        put(sign, arg), out++;
    while (n)
        put(buf[--n], arg), out++;
    return out;
}

int kformat(void (*put)(int c, void *arg), void *arg, const char *fmt, va_list ap)
{
    int out = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt, arg), out++;
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z')
            longs++, fmt++;
        switch (*fmt) {
        case 'd': case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            out += put_num(put, arg, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, width, pad,
                           v < 0 ? '-' : 0);
            break;
        }
        case 'u':
            out += put_num(put, arg, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, 0);
            break;
        case 'x':
            out += put_num(put, arg, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, 0);
            break;
        case 'p':
            put('0', arg), put('x', arg), out += 2;
            out += put_num(put, arg, (uint64_t)va_arg(ap, void *), 16, 16, '0', 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                put(*s, arg), out++;
            break;
        }
        case 'c':
            put(va_arg(ap, int), arg), out++;
            break;
        case '%':
            put('%', arg), out++;
            break;
        default:
            if (!*fmt)
                return put('%', arg), out + 1;
            put('%', arg), put(*fmt, arg), out += 2;
        }
    }
    return out;
}
