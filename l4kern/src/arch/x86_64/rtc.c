/*
 * rtc.c — reads the CMOS real-time clock once at boot for the KIP's wall-clock time.
 * After that the RTC belongs to user-level drivers; the kernel never touches it again.
 */
#include <k/cpu.h>
#include <k/x86.h>

static uint8_t cmos(uint8_t r)
{
    outb(0x70, r);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, int binary) { return binary ? v : (v & 0xf) + (v >> 4) * 10; }

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

uint64_t rtc_read_unix_time(void)
{
    while (cmos(0x0a) & 0x80)                 /* wait out an update in progress */
        cpu_relax();
    uint8_t sec = cmos(0x00), min = cmos(0x02), hour = cmos(0x04);
    uint8_t day = cmos(0x07), mon = cmos(0x08), year = cmos(0x09), b = cmos(0x0b);
    int binary = b & 0x04, h24 = b & 0x02;
    unsigned h = bcd(hour & 0x7f, binary);
    if (!h24 && (hour & 0x80))
        h = (h % 12) + 12;
    else if (!h24 && h == 12)
        h = 0;
    int64_t days = days_from_civil(2000 + bcd(year, binary), bcd(mon, binary), bcd(day, binary));
    return (uint64_t)(days * 86400 + h * 3600 + bcd(min, binary) * 60 + bcd(sec, binary));
}
