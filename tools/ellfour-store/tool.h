/*
 * tool.h — shared parts of ellfour-store, the host tool that makes and inspects Ell Four
 * disk images (LMDB files) through the same objmgr and persist libraries as the system.
 */
#ifndef ELLFOUR_STORE_TOOL_H
#define ELLFOUR_STORE_TOOL_H

#include <stdint.h>
#include <objmgr/objmgr.h>
#include <persist/persist.h>

/* Exit codes: also documented in the usage text. */
#define EXIT_PROBLEMS  1   /* check found inconsistencies */
#define EXIT_USAGE     2
#define EXIT_DAMAGED   3   /* the image cannot be read: truncated, foreign, corrupt */

extern const char *tool_img;   /* the image named on the command line, for messages */

/* Print "ellfour-store: IMG: what: reason" to stderr and return EXIT_DAMAGED. */
int tool_fail(const char *what, enum sas_error e);

/* Open the image read-only and start a read transaction; prints the reason on failure. */
int tool_open(struct persist **p, struct persist_txn **t);
void tool_close(struct persist *p, struct persist_txn *t);

/* Parse "64M", "1G", "4096"; 0 on success. */
int parse_size(const char *s, uint64_t *out);
int parse_u64(const char *s, uint64_t *out);

int cmd_create(int argc, char **argv);
int cmd_ls(struct persist_txn *t, int argc, char **argv);
int cmd_dump(struct persist_txn *t, int argc, char **argv);
int cmd_check(struct persist_txn *t, int argc, char **argv);
int cmd_stat(struct persist *p, struct persist_txn *t, int argc, char **argv);
int cmd_domains(int argc, char **argv);      /* domains.c (capstore) */
int cmd_check_caps(int check_rc);            /* domains.c: check's capability part */

#endif
