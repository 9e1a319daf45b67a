/*
 * test_elf64.c — the ELF64 checks every loader makes first (lib/elf64.c: the kernel's boot
 * tasks, root's native programs and musl PIEs, the boot-archive check) on the host. Each
 * image is a heap copy of exactly its size and the test runs under ASan, so a read one byte
 * past the end fails it: the identity, machine and program-header table; segments' file
 * bytes; notes found, absent, and malformed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ell/elf64.h>

#define NOTE_OFF 0x100

struct image {
    struct elf64_ehdr e;
    struct elf64_phdr ph[2];
    uint8_t rest[0x200 - sizeof(struct elf64_ehdr) - 2 * sizeof(struct elf64_phdr)];
};

/* Two notes in one PT_NOTE segment: ("GNU", 3) then ("Ell4", 1) with a 4-byte slot. */
static size_t put_notes(uint8_t *at)
{
    static const uint8_t notes[] = {
        4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0, 1, 2, 3, 4,
        5, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 'E', 'l', 'l', '4', 0, 0, 0, 0, 7, 0, 0, 0,
    };
    memcpy(at, notes, sizeof(notes));
    return sizeof(notes);
}

static void make(struct image *im)
{
    memset(im, 0, sizeof(*im));
    memcpy(im->e.ident, "\177ELF\2\1\1", 7);
    im->e.type = ELF64_ET_EXEC;
    im->e.machine = ELF64_EM_X86_64;
    im->e.phoff = offsetof(struct image, ph);
    im->e.phentsize = sizeof(struct elf64_phdr);
    im->e.phnum = 2;
    im->ph[0] = (struct elf64_phdr){ .type = ELF64_PT_LOAD, .offset = 0, .vaddr = 0x400000,
                                     .filesz = sizeof(*im), .memsz = 0x2000 };
    size_t n = put_notes((uint8_t *)im + NOTE_OFF);
    im->ph[1] = (struct elf64_phdr){ .type = ELF64_PT_NOTE, .offset = NOTE_OFF, .filesz = n };
}

static uint8_t *copy_of(const struct image *im, size_t size)
{
    uint8_t *c = malloc(size ? size : 1);
    assert_non_null(c);
    memcpy(c, im, size);
    return c;
}

/* elf64_phdrs on a copy of the first `size` bytes: the count, or -1 if refused. */
static int phdrs_of(const struct image *im, size_t size)
{
    uint8_t *c = copy_of(im, size);
    unsigned n = 99;
    const struct elf64_phdr *ph = elf64_phdrs(c, size, &n);
    if (ph)
        assert_ptr_equal(ph, c + im->e.phoff);
    free(c);
    return ph ? (int)n : -1;
}

static void elf64_phdrs_accepts_a_valid_image(void **st)
{
    (void)st;
    struct image im;
    make(&im);
    assert_int_equal(phdrs_of(&im, sizeof(im)), 2);
}

static void elf64_phdrs_rejects_wrong_identity_or_machine(void **st)
{
    (void)st;
    static const struct { size_t off; uint8_t v; } bad[] = {
        { 0, 0x7e }, { 1, 'e' }, { 4, 1 },      /* magic; ELFCLASS32 */
        { 5, 2 },                               /* big-endian */
        { offsetof(struct elf64_ehdr, machine), 3 },   /* i386 */
        { offsetof(struct elf64_ehdr, phentsize), 32 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct image im;
        make(&im);
        ((uint8_t *)&im)[bad[i].off] = bad[i].v;
        assert_int_equal(phdrs_of(&im, sizeof(im)), -1);
    }
}

static void elf64_phdrs_rejects_tables_past_the_end(void **st)
{
    (void)st;
    struct image im;
    make(&im);
    size_t table_end = im.e.phoff + 2 * sizeof(struct elf64_phdr);
    assert_int_equal(phdrs_of(&im, table_end), 2);          /* ends exactly at the end */
    for (size_t size = 0; size < table_end; size++)
        assert_int_equal(phdrs_of(&im, size), -1);
    im.e.phnum = 0xffff;
    assert_int_equal(phdrs_of(&im, sizeof(im)), -1);
    make(&im);
    im.e.phoff = UINT64_MAX - 8;                             /* offset + size wraps */
    assert_int_equal(phdrs_of(&im, sizeof(im)), -1);
    make(&im);
    im.e.phoff = sizeof(im) + 8;
    assert_int_equal(phdrs_of(&im, sizeof(im)), -1);
}

static void elf64_seg_in_file_checks_bytes_and_sizes(void **st)
{
    (void)st;
    struct elf64_phdr p = { .offset = 0x100, .filesz = 0x100, .memsz = 0x100 };
    assert_true(elf64_seg_in_file(&p, 0x200));              /* ends exactly at the end */
    assert_false(elf64_seg_in_file(&p, 0x1ff));
    p.memsz = 0xff;                                          /* filesz > memsz */
    assert_false(elf64_seg_in_file(&p, 0x200));
    p = (struct elf64_phdr){ .offset = 0x201, .filesz = 0, .memsz = 0x1000 };
    assert_false(elf64_seg_in_file(&p, 0x200));             /* offset past the end */
    p = (struct elf64_phdr){ .offset = 8, .filesz = UINT64_MAX - 4, .memsz = UINT64_MAX };
    assert_false(elf64_seg_in_file(&p, 0x200));             /* offset + filesz wraps */
}

/* elf64_check_loads on a copy of the whole image. */
static int loads_of(const struct image *im, unsigned type, uint64_t lo, uint64_t hi)
{
    uint8_t *c = copy_of(im, sizeof(*im));
    int r = elf64_check_loads(c, sizeof(*im), type, lo, hi);
    free(c);
    return r;
}

static void elf64_check_loads_counts_segments_inside_the_range(void **st)
{
    (void)st;
    struct image im;
    make(&im);                                    /* one PT_LOAD: [0x400000, 0x402000) */
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0x400000, 0x402000), 1);
    assert_int_equal(loads_of(&im, ELF64_ET_DYN, 0, UINT64_MAX), -1);        /* wrong type */
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0x400001, 0x402000), -1);  /* starts below */
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0x400000, 0x401fff), -1);  /* ends above */
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0, 0x400000), -1);         /* all above */
    im.ph[0].memsz = UINT64_MAX;                  /* vaddr + memsz wraps */
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0, UINT64_MAX), -1);
    make(&im);
    im.ph[0].filesz = sizeof(im) + 1;             /* file bytes past the end */
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0, UINT64_MAX), -1);
    make(&im);
    im.ph[1].type = ELF64_PT_LOAD;                /* a second segment, at vaddr 0 */
    im.ph[1].memsz = im.ph[1].filesz;
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0, 0x402000), 2);
    assert_int_equal(loads_of(&im, ELF64_ET_EXEC, 0x400000, 0x402000), -1);
}

/* elf64_note on a copy of exactly `size` bytes: the descriptor's first byte, or -1. */
static int note_of(const struct image *im, size_t size, const char *name, uint32_t type,
                   uint32_t *len)
{
    uint8_t *c = copy_of(im, size);
    const uint8_t *d = elf64_note(c, size, &im->ph[1], name, type, len);
    int v = d ? *d : -1;
    free(c);
    return v;
}

static void elf64_note_finds_by_name_and_type(void **st)
{
    (void)st;
    struct image im;
    make(&im);
    uint32_t len = 0;
    assert_int_equal(note_of(&im, sizeof(im), "Ell4", 1, &len), 7);   /* the second note */
    assert_int_equal(len, 4);
    assert_int_equal(note_of(&im, sizeof(im), "GNU", 3, &len), 1);
    assert_int_equal(note_of(&im, sizeof(im), "Ell4", 2, &len), -1);  /* wrong type */
    assert_int_equal(note_of(&im, sizeof(im), "Ell", 1, &len), -1);   /* a prefix */
    assert_int_equal(note_of(&im, sizeof(im), "GNU", 1, &len), -1);
}

static void elf64_note_rejects_malformed_segments(void **st)
{
    (void)st;
    struct image im;
    make(&im);
    uint32_t len;
    size_t seg_end = NOTE_OFF + im.ph[1].filesz;
    assert_int_equal(note_of(&im, seg_end, "Ell4", 1, &len), 7);
    assert_int_equal(note_of(&im, seg_end - 1, "Ell4", 1, &len), -1);  /* segment past file */
    im.ph[1].filesz -= 1;                         /* the last note's descriptor cut short */
    assert_int_equal(note_of(&im, sizeof(im), "Ell4", 1, &len), -1);
    make(&im);
    uint8_t *first = (uint8_t *)&im + NOTE_OFF;
    memset(first + 4, 0xff, 4);                   /* the first note's descsz runs past all */
    assert_int_equal(note_of(&im, sizeof(im), "Ell4", 1, &len), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(elf64_phdrs_accepts_a_valid_image),
        cmocka_unit_test(elf64_phdrs_rejects_wrong_identity_or_machine),
        cmocka_unit_test(elf64_phdrs_rejects_tables_past_the_end),
        cmocka_unit_test(elf64_seg_in_file_checks_bytes_and_sizes),
        cmocka_unit_test(elf64_check_loads_counts_segments_inside_the_range),
        cmocka_unit_test(elf64_note_finds_by_name_and_type),
        cmocka_unit_test(elf64_note_rejects_malformed_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
