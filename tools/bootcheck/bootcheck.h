/*
 * bootcheck.h — the check every Ell Four boot archive passes after tools/mkbootar packs
 * it (cmake/native.cmake, pack_boot_archive), against the windows of sas/layout.h:
 *   - no two windows overlap, and no two share a name;
 *   - every ET_EXEC member (a native image) has an image window of its member name, and
 *     each of its PT_LOAD segments lies inside that window;
 *   - every ET_DYN member (a musl static PIE) carries an "Ell4" SAS_NOTE_SLOT note with a
 *     slot below SAS_PROGRAM_SLOTS that no other member of the archive has, and each of its
 *     PT_LOAD segments lies inside [0, SAS_PROG_IMAGE_MAX);
 *   - no member name appears twice, and the archive is well-formed cpio newc.
 * Members that are not ELF files (no "\177ELF" at their start) are data and pass.
 */
#ifndef BOOTCHECK_H
#define BOOTCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <sas/layout.h>

#define BOOTCHECK_MAX_MEMBERS 256u

/* Checks the archive [ar, ar + size) against the windows w[0..n). Returns 0 if it passes;
 * -1 at the first failure, with one line (no newline) in msg[0..msglen) naming the member,
 * the segment's range and the window. */
int bootcheck(const uint8_t *ar, uint64_t size, const struct sas_window *w, unsigned n,
              char *msg, size_t msglen);

#endif
