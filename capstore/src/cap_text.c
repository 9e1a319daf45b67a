/*
 * cap_text.c — a capability's printable form: "cap1:" and the hex of its wire bytes.
 * A holder can paste it into a mail or a shell; the text says nothing the bytes do not.
 */
#include <string.h>
#include <capstore/cap.h>

static const char prefix[] = "cap1:";

void cap_format(const struct cap *c, char buf[CAP_TEXT_BYTES])
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *b = (const uint8_t *)c;

    memcpy(buf, prefix, 5);
    for (size_t i = 0; i < sizeof *c; i++) {
        buf[5 + 2 * i] = hex[b[i] >> 4];
        buf[5 + 2 * i + 1] = hex[b[i] & 15];
    }
    buf[CAP_TEXT_BYTES - 1] = '\0';
}

static int nibble(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

enum sas_error cap_parse(const char *text, struct cap *out)
{
    uint8_t b[sizeof *out];

    if (strncmp(text, prefix, 5) != 0 || strlen(text) != CAP_TEXT_BYTES - 1)
        return SAS_EINVAL;
    for (size_t i = 0; i < sizeof b; i++) {
        int hi = nibble(text[5 + 2 * i]), lo = nibble(text[5 + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            return SAS_EINVAL;
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(out, b, sizeof b);
    return SAS_OK;
}
