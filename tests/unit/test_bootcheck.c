/*
 * test_bootcheck.c — the boot-archive check (tools/bootcheck) on archives built here as
 * tools/mkbootar writes them, with ELF images made in memory: a native ET_EXEC image with
 * one PT_LOAD segment, a musl-style ET_DYN image with its "Ell4" slot note. One good
 * archive, then each failure with the line it must print; and sas/layout.h's own windows
 * must be apart. Sanitized: the check reads only inside the archive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ell/cpio.h>
#include <ell/elf64.h>
#include "bootcheck.h"

/* The windows the tests check against: two images and a data window. */
static const struct sas_window wins[] = {
    { "root", SAS_WIN_IMAGE, 0x1000000, 0x1000000 },
    { "hello", SAS_WIN_IMAGE, 0x3000000, 0x400000 },
    { "blk_dma", SAS_WIN_DATA, 0x5800000, 0x800000 },
};
#define NWINS (unsigned)(sizeof(wins) / sizeof(wins[0]))

/* An ELF image: the header, a PT_LOAD over the whole file and a PT_NOTE with the slot. */
struct image {
    struct elf64_ehdr e;
    struct elf64_phdr ph[2];
    struct elf64_nhdr nh;
    char name[8];                   /* "Ell4", padded to 4 */
    uint32_t slot;
};

static struct image exec_at(uint64_t vaddr, uint64_t memsz)
{
    struct image im = {
        .e = { .ident = "\177ELF\2\1\1", .type = ELF64_ET_EXEC, .machine = ELF64_EM_X86_64,
               .version = 1, .entry = vaddr, .phoff = offsetof(struct image, ph),
               .ehsize = sizeof(struct elf64_ehdr), .phentsize = sizeof(struct elf64_phdr),
               .phnum = 1 },
        .ph = { { .type = ELF64_PT_LOAD, .flags = ELF64_PF_R | ELF64_PF_X, .offset = 0,
                  .vaddr = vaddr, .filesz = sizeof(struct image), .memsz = memsz,
                  .align = 0x1000 } },
    };
    return im;
}

static struct image pie_in(uint32_t slot, uint64_t memsz)
{
    struct image im = exec_at(0, memsz);
    im.e.type = ELF64_ET_DYN;
    im.e.phnum = 2;
    im.ph[1] = (struct elf64_phdr){ .type = ELF64_PT_NOTE, .flags = ELF64_PF_R,
                                    .offset = offsetof(struct image, nh),
                                    .filesz = sizeof(struct image) - offsetof(struct image, nh),
                                    .memsz = sizeof(struct image) - offsetof(struct image, nh),
                                    .align = 4 };
    im.nh = (struct elf64_nhdr){ .namesz = 5, .descsz = 4, .type = SAS_NOTE_SLOT };
    memcpy(im.name, SAS_NOTE_NAME, 5);
    im.slot = slot;
    return im;
}

struct ar {
    uint8_t b[16384];
    size_t n;
};

static void put(struct ar *a, const void *p, size_t len)
{
    memcpy(a->b + a->n, p, len);
    a->n += len;
    while (a->n % CPIO_NEWC_ALIGN)
        a->b[a->n++] = 0;
}

/* Appends a member as mkbootar writes it (the header and name are padded together). */
static void member(struct ar *a, const char *name, const void *data, size_t size)
{
    char h[CPIO_NEWC_HDR_SIZE + 1];
    size_t nsize = strlen(name) + 1;
    snprintf(h, sizeof(h), CPIO_NEWC_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             1u, 0100755u, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, (unsigned)nsize, 0u);
    memcpy(a->b + a->n, h, CPIO_NEWC_HDR_SIZE);
    a->n += CPIO_NEWC_HDR_SIZE;
    put(a, name, nsize);
    put(a, data, size);
}

static void image(struct ar *a, const char *name, struct image im)
{
    member(a, name, &im, sizeof(im));
}

static char msg[512];

/* The check on a heap copy of exactly the archive (trailer appended). */
static int check_with(struct ar *a, const struct sas_window *w, unsigned n)
{
    member(a, CPIO_NEWC_TRAILER, "", 0);
    uint8_t *copy = malloc(a->n);
    memcpy(copy, a->b, a->n);
    msg[0] = 0;
    int r = bootcheck(copy, a->n, w, n, msg, sizeof(msg));
    free(copy);
    if (r)
        printf("bootcheck: %s\n", msg);
    return r;
}

static int check(struct ar *a) { return check_with(a, wins, NWINS); }

/* sigma0-less test archives are fine: the check knows nothing of what root needs. */
static void bootcheck_passes_images_in_their_windows(void **st)
{
    (void)st;
    static struct ar a;
    a.n = 0;
    image(&a, "root", exec_at(0x1000000, 0x1000000));       /* fills its window exactly */
    image(&a, "hello", exec_at(0x3001000, 0x2000));
    image(&a, "posix_a", pie_in(0, 0x5000));
    image(&a, "posix_b", pie_in(1, SAS_PROG_IMAGE_MAX));
    member(&a, "motd", "hello, world\n", 13);                 /* data: not checked */
    assert_int_equal(check(&a), 0);
}

static void bootcheck_rejects_an_image_out_of_its_window(void **st)
{
    (void)st;
    static struct ar a;
    a.n = 0;
    image(&a, "root", exec_at(0x1000000, 0x2000));
    image(&a, "hello", exec_at(0x33ff000, 0x2000));          /* one page past the end */
    assert_int_equal(check(&a), -1);
    assert_string_equal(msg, "member 'hello': segment [0x33ff000, 0x3401000) outside its "
                             "window 'hello' [0x3000000, 0x3400000)");
    a.n = 0;
    image(&a, "root", exec_at(0x5800000, 0x1000));           /* in a data window */
    assert_int_equal(check(&a), -1);
    assert_non_null(strstr(msg, "outside its window 'root'"));
}

static void bootcheck_rejects_overlapping_windows(void **st)
{
    (void)st;
    static struct ar a;
    const struct sas_window images[] = {
        { "root", SAS_WIN_IMAGE, 0x1000000, 0x1000000 },
        { "hello", SAS_WIN_IMAGE, 0x1800000, 0x400000 },
    };
    a.n = 0;
    assert_int_equal(check_with(&a, images, 2), -1);
    assert_string_equal(msg, "windows 'root' [0x1000000, 0x2000000) and 'hello' "
                             "[0x1800000, 0x1c00000) overlap");
    const struct sas_window on_data[] = {
        { "hello", SAS_WIN_IMAGE, 0x5000000, 0x1000000 },
        { "blk_dma", SAS_WIN_DATA, 0x5800000, 0x800000 },
    };
    a.n = 0;
    assert_int_equal(check_with(&a, on_data, 2), -1);
    assert_non_null(strstr(msg, "'blk_dma' [0x5800000, 0x6000000) overlap"));
    const struct sas_window twice[] = {
        { "hello", SAS_WIN_IMAGE, 0x3000000, 0x400000 },
        { "hello", SAS_WIN_IMAGE, 0x4000000, 0x400000 },
    };
    a.n = 0;
    assert_int_equal(check_with(&a, twice, 2), -1);
    assert_string_equal(msg, "two windows are named 'hello'");
}

static void bootcheck_rejects_an_exec_member_without_a_window(void **st)
{
    (void)st;
    static struct ar a;
    a.n = 0;
    image(&a, "stray", exec_at(0x3000000, 0x1000));
    assert_int_equal(check(&a), -1);
    assert_non_null(strstr(msg, "member 'stray': ET_EXEC image without a window"));
    a.n = 0;
    image(&a, "blk_dma", exec_at(0x5800000, 0x1000));        /* a data window's name */
    assert_int_equal(check(&a), -1);
    assert_non_null(strstr(msg, "member 'blk_dma': ET_EXEC image without a window"));
}

static void bootcheck_rejects_a_duplicate_slot(void **st)
{
    (void)st;
    static struct ar a;
    a.n = 0;
    image(&a, "posix_a", pie_in(3, 0x5000));
    image(&a, "posix_b", pie_in(4, 0x5000));
    image(&a, "posix_c", pie_in(3, 0x5000));
    assert_int_equal(check(&a), -1);
    assert_string_equal(msg, "members 'posix_a' and 'posix_c' share program slot 3 "
                             "[0x2300000000, 0x2400000000)");
}

static void bootcheck_rejects_pies_without_a_slot_or_too_large(void **st)
{
    (void)st;
    static struct ar a;
    struct image no_note = pie_in(0, 0x1000);
    no_note.e.phnum = 1;
    a.n = 0;
    image(&a, "posix_a", no_note);
    assert_int_equal(check(&a), -1);
    assert_non_null(strstr(msg, "member 'posix_a': ET_DYN without an \"Ell4\" slot note"));
    a.n = 0;
    image(&a, "posix_a", pie_in(SAS_PROGRAM_SLOTS, 0x1000));
    assert_int_equal(check(&a), -1);
    a.n = 0;
    image(&a, "posix_a", pie_in(0, SAS_PROG_IMAGE_MAX + 1));
    assert_int_equal(check(&a), -1);
    assert_non_null(strstr(msg, "past its image window"));
}

static void bootcheck_rejects_duplicate_names_and_bad_archives(void **st)
{
    (void)st;
    static struct ar a;
    a.n = 0;
    image(&a, "root", exec_at(0x1000000, 0x1000));
    image(&a, "root", exec_at(0x1000000, 0x1000));
    assert_int_equal(check(&a), -1);
    assert_string_equal(msg, "member 'root' appears twice");
    a.n = 0;
    struct image bad = exec_at(0x1000000, 0x1000);
    bad.e.machine = 3;
    image(&a, "root", bad);
    assert_int_equal(check(&a), -1);
    assert_string_equal(msg, "member 'root': not a sound ELF64 x86-64 file");
    a.n = 0;
    image(&a, "root", exec_at(0x1000000, 0x1000));
    a.b[0] = 'x';                                             /* the magic */
    assert_int_equal(check(&a), -1);
    assert_string_equal(msg, "malformed cpio header at offset 0");
}

/* sas/layout.h's table itself: no two windows overlap or share a name. */
static void bootcheck_layout_windows_are_apart(void **st)
{
    (void)st;
    static const struct sas_window layout[] = { SAS_WINDOWS(SAS_WINDOW_ROW) };
    static struct ar a;
    a.n = 0;
    assert_int_equal(check_with(&a, layout, sizeof(layout) / sizeof(layout[0])), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bootcheck_passes_images_in_their_windows),
        cmocka_unit_test(bootcheck_rejects_an_image_out_of_its_window),
        cmocka_unit_test(bootcheck_rejects_overlapping_windows),
        cmocka_unit_test(bootcheck_rejects_an_exec_member_without_a_window),
        cmocka_unit_test(bootcheck_rejects_a_duplicate_slot),
        cmocka_unit_test(bootcheck_rejects_pies_without_a_slot_or_too_large),
        cmocka_unit_test(bootcheck_rejects_duplicate_names_and_bad_archives),
        cmocka_unit_test(bootcheck_layout_windows_are_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
