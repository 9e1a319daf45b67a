/*
 * run.h — the page layout of run.c, used by pages.c.
 */
#ifndef PERSIST_RUN_H
#define PERSIST_RUN_H

#include "store.h"

#define HDR 8u
#define CS  PERSIST_CSUM_BYTES
#define PG  PERSIST_PAGE

void run_csum(const struct persist *p, uint64_t addr, const uint8_t *page, uint8_t out[CS]);
int run_page_zero(const uint8_t *page);
int run_page_ok(const struct persist *p, uint64_t addr, const uint8_t *page, const uint8_t *csum);
enum sas_error run_check_range(uint64_t addr, size_t n);
uint64_t run_bytes(const struct persist *p);

/* A stored value: check its layout, then find page i in it. */
enum sas_error run_check(const struct persist *p, const MDB_val *v, uint32_t *bits);
const uint8_t *run_stored_page(const MDB_val *v, uint32_t bits, unsigned i, const uint8_t **csum);

/* The decoded run in t->run, for read-modify-write. */
uint32_t *run_dec_bits(struct persist_txn *t);
uint8_t *run_dec_csum(struct persist_txn *t, unsigned i);
uint8_t *run_dec_page(struct persist_txn *t, unsigned i);
enum sas_error run_scratch(struct persist_txn *t);
enum sas_error run_load(struct persist_txn *t, uint64_t base);
enum sas_error run_store(struct persist_txn *t, uint64_t base);

#endif
