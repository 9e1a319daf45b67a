/*
 * root.h — the root task's parts: frames from sigma0 (frames.c), in batches for musl tasks
 * (batches.c over batchtab.h), the boot archive (bootfs.c), ELF images (elf.c), musl
 * programs and their anonymous memory (loader.c, anon.c) and the tasks it starts and pages
 * (tasks.c).
 */
#ifndef ROOT_H
#define ROOT_H

#include <ell/cpio.h>
#include <native/rt.h>
#include <sas/errors.h>

#define ROOT_MAX_FRAMES   65536u  /* 256 MiB of children's memory (all of RAM) */
#define ROOT_MAX_CHILDREN 16u
#define ROOT_NAME_LEN     32u
/* Each musl program's kernel-memory quota, in pages, carved from root's at task_new and
 * returned when the task is deleted (docs/ABI.md §2d; the measurements behind the size:
 * docs/POSIX.md). When root has less left, the program gets the largest half, quarter, ...
 * of it that root can give, down to ROOT_PROGRAM_QUOTA_MIN; below that it does not start.
 * "kmem=name:pages,..." on the command line sets a program's quota (tests). */
#define ROOT_PROGRAM_QUOTA     1024u      /* 4 MiB */
#define ROOT_PROGRAM_QUOTA_MIN 128u

/* frames.c — 4 KiB frames root holds, each mapped in its own slot of SAS_ROOT_FRAMES. */
void frames_init(l4_threadid_t sigma0);
int frames_get(unsigned task, uint64_t va);            /* slot, or -1 (no memory) */
int frames_find(unsigned task, uint64_t va);           /* the slot task has at va, or -1 */
uint8_t *frames_ptr(int slot);
unsigned frames_rights(int slot);
void frames_set_rights(int slot, unsigned rights);
void frames_set_anon(int slot);                        /* anonymous: the task may free it */
unsigned frames_release_task(unsigned task);           /* returns the count given back */
int frames_anon_held(uint32_t slot, unsigned task);    /* 1 if an anonymous frame of task's */
int frames_release_anon(uint32_t slot, unsigned task); /* 0, or -1 if not held */
unsigned frames_in_use(void);

/* batches.c — frames in batches for musl tasks (batchtab.h): from sigma0 in runs, or from
 * root's pool of batches that came back whole; to the pool, or back to sigma0 in runs. */
void batches_init(l4_threadid_t sigma0);
/* A batch of 2^log2 zeroed frames for task, mapped in the batch slots of root's window:
 * SAS_OK and the first frame's handle and the map item's flexpage (in root's window), or
 * SAS_ENOMEM (nothing taken). */
enum sas_error batches_get(unsigned task, unsigned log2, uint32_t *first, l4_fpage_t *item);
int batches_check_run(unsigned task, uint32_t first, uint32_t count);   /* 0 if all held */
void batches_free_run(unsigned task, uint32_t first, uint32_t count);  /* checked: freed */
unsigned batches_release_task(unsigned task);          /* every frame; the count */
unsigned batches_reclaim(void);     /* frames freed but kept go back to sigma0; the count */
unsigned batches_in_use(void);                         /* frames root holds in batches */

/* bootfs.c — the boot archive, mapped read-only from sigma0. */
enum sas_error bootfs_init(l4_threadid_t sigma0);
int bootfs_find(const char *name, struct cpio_member *f);   /* 0, or -1 */
int bootfs_next(uint64_t *cursor, struct cpio_member *f);   /* 0 and the next file, or -1 */

/* elf.c — static ELF64 executables, checked as input. */
struct elf_page {
    unsigned rights;       /* L4_FPAGE_*: 0 if no segment covers the page */
};
uint64_t elf_check(const uint8_t *image, uint64_t size);   /* entry, or 0 if unloadable */
unsigned elf_fill(const uint8_t *image, uint64_t va, uint8_t *page);   /* rights, or 0 */

/* loader.c — musl static PIEs at a slot (sas/layout.h). */
struct prog_info {
    uint64_t base, entry, phdr, phnum, end;    /* addresses are absolute */
    unsigned slot, home;                       /* the slot it sits in; its note's */
};
int loader_is_pie(const uint8_t *image, uint64_t size);
/* Checks a PIE and places it at its home slot: 0, or -1 if it cannot be loaded. */
int loader_check(const uint8_t *image, uint64_t size, struct prog_info *pi);
void loader_place(struct prog_info *pi, unsigned slot);    /* moves it to another slot */
void loader_info_words(const struct prog_info *pi, const char *name, l4_msg_t *m);

/* anon.c — a musl task's anonymous memory: ROOT_ANON_MAP, ROOT_FRAMES_BATCH and
 * ROOT_FRAMES_FREE (sas/proto/root.h). 1 and the reply in *tag and *m if `tag_in`'s label
 * is one of them, else 0. */
int anon_handle(unsigned task, const struct prog_info *pi, l4_msgtag_t tag_in, l4_msg_t *m,
                l4_msgtag_t *tag);

/* main.c: the number "key=name:number,..." on the command line gives `name`, or 0. */
unsigned root_cmdline_value(const char *key, const char *name);
/* The word "key=name:word,..." gives `name`, into out (n bytes); 0, or -1 if none. */
int root_cmdline_word(const char *key, const char *name, char *out, size_t n);

/* tasks.c — children: started from the archive, paged, reported when they end. */
struct child_exit {
    char name[ROOT_NAME_LEN];
    char domain[ROOT_NAME_LEN];   /* NUL-padded; empty for a service */
    unsigned task, code;
    int service;           /* a service stopped at shutdown: not a program's result */
};
#define ROOT_EXIT_KILLED 137u   /* 128 + SIGKILL: ended by root (kill at the prompt) */
int tasks_start(const char *name);                  /* 0, or -1 with a log line */
/* Starts `name` as a program or (service = 1) a service, which tasks_live does not count;
 * the task number (and *first, its first thread), or -1 with a log line. A program runs in
 * protection domain `domain`, or (domain 0) the one "domain=" on the boot command line
 * gives it, else its own name's; only the console's prompt passes a domain (prompt.c). A
 * musl program's first instance sits at its home slot, others at extra ones (slottab.h):
 * none left, not a domain name (domname.h), no such program or no kernel memory is -1. */
int tasks_spawn(const char *name, const char *domain, int service, l4_threadid_t *first);
unsigned tasks_live(void);                          /* programs running, services apart */
int tasks_alive(unsigned task);
int tasks_kill(unsigned task, int record);          /* 0, or -1 if no such task */
struct task_info {
    unsigned task;
    char name[ROOT_NAME_LEN];
    char domain[ROOT_NAME_LEN];   /* NUL-padded; empty for a service */
    char state[40];
};
/* A program's lthread 0 (as root created it) and its domain's name, NUL-padded to
 * ROOT_NAME_LEN bytes: 0, or -1 if no program (services have no domain) runs as `task`. */
int tasks_domain(unsigned task, l4_threadid_t *lthread0, char name[ROOT_NAME_LEN]);
/* Running tasks, then ended ones (newest first), at most max; returns the count. */
unsigned tasks_list(struct task_info *out, unsigned max);
/* Handles one message from a child; 1 if the sender should get the reply in *tag and *m. */
int tasks_handle(l4_threadid_t from, uint64_t res, l4_msg_t *m, l4_msgtag_t *tag);
/* Root's reply to `to` failed with `res`: a child program whose mapping the kernel
 * refused (MAP_FAILED: its quota is spent) is ended with ROOT_EXIT_KMEM and a report,
 * rather than left waiting for a reply that cannot come; so is a musl service (it has a
 * quota of its own, as programs do). Native services, which draw on root's, and other
 * failures (the caller gone) are left as they are. */
void tasks_reply_failed(l4_threadid_t to, uint64_t res);
/* The exits seen so far, oldest first. */
unsigned tasks_exits(const struct child_exit **list);

/* services.c — services started before any program; their devices (sas/proto/root.h). */
void services_start(l4_threadid_t sigma0);          /* the drivers */
/* Starts SAS service `id` (ROOT_SERVICE_PERSIST, _CAPSTORE, _OBJMGR) if the archive
 * holds it: 0, or -1 (not there, already running, or it could not start: a log line). */
int services_spawn(unsigned id);
/* 1 once SAS service `id` is ready (ROOT_SERVICE_READY) or no longer running. */
int services_settled(unsigned id);
void services_stop(void);                           /* last started first */
int services_is(const char *name);
unsigned services_kmem(const char *name);           /* a musl service's kernel memory */
/* ROOT_SERVICE's answer: a driver's first thread, a SAS service's server thread once it
 * is ready; nil if none. */
l4_threadid_t services_id(uint64_t id);
unsigned services_disk_owner(void);                 /* persist's task if ready, else 0 */
void services_task_ended(unsigned task);            /* tasks.c: the task is gone */
/* The requests about services (ROOT_SERVICE, ROOT_SERVICE_READY, ROOT_DISK_OWNER,
 * ROOT_TASK_DOMAIN) and a service's devices (SIGMA0_IO, _IRQ, _ALLOC) from child `name`
 * (thread `from`): 1 and the reply in *tag and *m. */
int services_handle(l4_threadid_t from, const char *name, l4_msgtag_t in, l4_msg_t *m,
                    l4_msgtag_t *tag);

/* prompt.c — root's prompt on the console, in a thread of its own. */
int prompt_start(l4_threadid_t console);            /* 0, or -1 */
int prompt_handle(l4_threadid_t from, uint64_t res, l4_msg_t *m, l4_msgtag_t *tag);
void prompt_task_ended(unsigned task, unsigned code);

#endif
