/*
 * lmdbapp.h — what the LMDB test programs share (lmdbapp.c): the checks they print, the
 * device operations and busy instructions of each phase, and the environment opened as
 * persist opens it. The programs: main.c (fill, check, commits), full.c (a full disk),
 * big.c (a store larger than the guest's RAM).
 */
#ifndef POSIX_LMDB_APP_H
#define POSIX_LMDB_APP_H

#include <lmdb.h>
#include <stdint.h>

#define DISK      "/disk"
#define ENV_FLAGS (MDB_NOSUBDIR | MDB_NOLOCK)

/* Failed checks so far; each is printed as "posix_lmdb: not ok - WHAT (WHY)". */
extern unsigned bad;
void check(int ok, const char *what, int rc);

/* Prints the device operations and busy TSC cycles (guest instructions excluding idle,
 * under -icount) since the last call, labelled `phase` (none printed for 0); returns the
 * device flushes among them; phase_bytes gets the bytes the device moved. */
uint64_t device_ops(const char *phase);
extern uint64_t phase_bytes;

/* The environment on DISK: MDB_NOSUBDIR | MDB_NOLOCK, never MDB_NOSYNC, MDB_NOMETASYNC or
 * MDB_MAPASYNC, a map as large as the disk (its size in *disk if disk is not 0). 0 (and a
 * failed check) if it cannot be opened. */
MDB_env *open_env(uint64_t *disk);

/* One write transaction calling step(t, dbi, i) for each i in [first, first + n), then
 * committed; 0, or the first error (the transaction aborted). */
typedef int lmdb_step(MDB_txn *t, MDB_dbi dbi, unsigned i);
int in_txn(MDB_env *env, unsigned first, unsigned n, lmdb_step *step);

/* Prints the environment's entries, depth, pages and last transaction. */
void report(MDB_env *env);

#endif
