/*
 * main.c — the persist server (sas/proto/persist.h): a musl program that owns the store
 * on /disk. Root starts it as a service; it
 *   1. opens /disk read-only first (PERSIST_RDONLY) to learn whether it holds an Ell Four
 *      store, so that a foreign, newer, damaged or truncated image is never written to;
 *   2. if so, opens it read-write (and the "capstore" database in it); else prints why
 *      and exits 0, and the system boots without the single address space;
 *   3. prints its one boot line, reserves its receive window, tells root it serves
 *      (ROOT_SERVICE_READY) and runs sas/server.h's loop on psrv_ops (psrv_ops.c).
 * The window is one page of an anonymous PROT_NONE mapping made here and never touched
 * but through a request's map item: the personality never maps a frame of its own there
 * (a fault on it is not resolved: persist ends, rather than store or hand out a page that
 * is not the client's), no mmap is ever given it, and no system call is ever passed it.
 * Before every receive, which is also before every reply, the window hook unmaps whatever
 * is mapped there (keeping the reply's words, which the unmap's report would overwrite) (a page request's item, or an item a sender attached to a message the
 * loop refused), so the page is persist's for one request only and each item lands on an
 * empty window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <l4/errors.h>
#include <sas/proto/root.h>
#include "psrv.h"

#define DISK "/disk"

static l4_threadid_t root;

l4_threadid_t psrv_lookup(unsigned svc)
{
    l4_threadid_t id;
    return root_service(root, svc, &id) ? L4_NILTHREAD : id;
}

int psrv_alive(l4_threadid_t id)
{
    uint64_t err = L4_OK;
    l4_id_nearest(id, 0, &err);
    return err == L4_OK;
}

/* fpage_unmap reports accessed and dirty bits in all of the UTCB's message words, and
 * the hook runs after a handler filled in its reply: the words past MR7 are kept across
 * the unmap, or a long reply (DB_NEXT's, RECORD_NEXT's) would go out as zeros. */
static l4_fpage_t window(void *state)
{
    struct psrv *s = state;
    l4_word_t keep[L4_MSG_MAX_WORDS - L4_MSG_REG_WORDS];
    l4_fpage_t w = l4_fpage((uint64_t)s->window, 12, L4_FPAGE_RWX);
    __builtin_memcpy(keep, s->hi + L4_MSG_REG_WORDS, sizeof keep);
    l4_fpage_unmap(w, L4_UNMAP_SELF, 0, 0);
    __builtin_memcpy(s->hi + L4_MSG_REG_WORDS, keep, sizeof keep);
    return w;
}

/* Steps 1 and 2: the store open read-write, or why not. */
static enum sas_error open_store(struct psrv *s)
{
    enum sas_error e = persist_open(DISK, PERSIST_RDONLY, &s->p);
    if (e)
        return e;
    persist_close(s->p);
    s->p = NULL;
    if ((e = persist_open(DISK, 0, &s->p)))
        return e;
    if ((e = persist_db_open(s->p, "capstore", &s->capdb))) {
        persist_close(s->p);
        s->p = NULL;
    }
    return e;
}

static int without_store(enum sas_error e)
{
    if (e == SAS_ENOTFOUND)
        printf("persist: no disk: running without the single address space\n");
    else
        printf("persist: " DISK " holds no usable store (%s): running without the single "
               "address space\n", sas_strerror(e));
    fflush(stdout);
    return 0;
}

int main(void)
{
    static struct psrv s;
    struct persist_info info;
    root = root_find();
    enum sas_error e = open_store(&s);
    if (!e && (e = persist_stat(s.p, &info)))
        persist_close(s.p);
    if (e)
        return without_store(e);
    printf("persist: store on " DISK ": %llu objects, format %u\n",
           (unsigned long long)info.records, (unsigned)info.format);
    fflush(stdout);
    void *w = mmap(0, PERSIST_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (w == MAP_FAILED)
        e = SAS_ENOMEM;
    else
        e = root_service_ready(root, ROOT_SERVICE_PERSIST);
    if (e) {
        printf("persist: cannot serve (%s): the store stays closed\n", sas_strerror(e));
        persist_close(s.p);
        return 0;
    }
    s.window = w;
    s.hi = l4_utcb()->mr;
    struct server srv = { .ops = psrv_ops, .nops = psrv_nops, .state = &s, .window = window };
    server_run(&srv);
    return 0;
}
