/*
 * tasks.c — the boot programs root starts: each is a task made with task_new whose pager
 * and exception handler is root's main thread. Root loads the program lazily: a fault in
 * an ELF segment gets a frame from frames.c filled from the archive; anything else the
 * task cannot survive ends it. An ended task is deleted and its frames go back to sigma0.
 * Protocol: sas/proto/root.h.
 *
 * Each program runs in a protection domain: its own name's, or one the boot command line
 * ("domain=") or the console ("run PROG as DOMAIN", prompt.c) chose; no request of a
 * child's can choose or change one. A musl program's first instance in a boot sits at its
 * home slot, every further one at an extra slot never handed out again (slottab.h).
 */
#include "root.h"
#include "domname.h"
#include "slottab.h"
#include <l4/errors.h>
#include <l4/fault.h>
#include <sas/layout.h>
#include <sas/proto/root.h>
#include <sas/proto/sigma0.h>

#define CHILD_MCP 100u      /* boot programs never outrank root */
#define MAX_EXITS 64u

struct child {
    unsigned task;          /* 0: slot unused */
    char name[ROOT_NAME_LEN];
    const uint8_t *image;
    l4_threadid_t first;    /* its first thread (a musl task's lthread 0) */
    int service;
    char domain[ROOT_NAME_LEN];   /* programs: the protection domain it runs in */
    const uint8_t *rt;      /* musl programs: the system thread's image (else 0) */
    struct prog_info prog;  /* musl programs: where the PIE sits */
    unsigned quota;         /* musl programs: kernel memory of its own, in pages */
};

static struct child kids[ROOT_MAX_CHILDREN];
static struct child_exit exits[MAX_EXITS];
static unsigned nexits, live;
static struct slottab slots;
static int slots_ready;

static struct child *child_of(l4_threadid_t t)
{
    unsigned task = l4_tid_task(t);
    for (unsigned i = 0; i < ROOT_MAX_CHILDREN; i++)
        if (kids[i].task && kids[i].task == task)
            return &kids[i];
    return 0;
}

static struct child *free_child(void)
{
    for (unsigned i = 0; i < ROOT_MAX_CHILDREN; i++)
        if (!kids[i].task)
            return &kids[i];
    return 0;
}

/* The home slot of every program image in the archive: extra slots stay above them. */
static void slots_init(void)
{
    uint64_t cursor = 0;
    struct cpio_member f;
    struct prog_info pi;
    slottab_init(&slots);
    while (!bootfs_next(&cursor, &f))
        if (loader_is_pie(f.data, f.size) && !loader_check(f.data, f.size, &pi))
            slottab_home(&slots, pi.home);
    slots_ready = 1;
}

/* A musl program starts with its system thread in the "posixrt" image; 0 is its entry. */
static uint64_t musl_entry(struct child *c, const struct cpio_member *f)
{
    struct cpio_member rt;
    uint64_t entry;
    if (loader_check(f->data, f->size, &c->prog) || bootfs_find("posixrt", &rt) ||
        !(entry = elf_check(rt.data, rt.size)))
        return 0;
    c->rt = rt.data;
    return entry;
}

/* Places c's image at the slot its instance gets (slottab.h): 0, or -1 if none is left. */
static int musl_place(struct child *c, const char *name)
{
    if (!slots_ready)
        slots_init();
    int slot = slottab_take(&slots, c->prog.home);
    if (slot < 0) {
        printf("root: cannot start '%s': no program slot left for another instance in this "
               "boot (%u extra instances started; reboot to start more)\n", name,
               slots.extras);
        return -1;
    }
    loader_place(&c->prog, (unsigned)slot);
    return 0;
}

/* c's domain: `domain` (the console's choice), else "domain=prog:dom" on the boot command
 * line (as authoritative as the console: whoever boots the machine acts for every
 * domain), else its own name; NUL-padded. 0, or -1 with a log line if that is not a
 * domain name. */
static int choose_domain(struct child *c, const char *name, const char *domain)
{
    char word[2 * ROOT_NAME_LEN];
    if (!domain)
        domain = root_cmdline_word("domain", name, word, sizeof(word)) ? name : word;
    if (!domain_name_ok(domain)) {
        printf("root: cannot start '%s': '%s' is not a domain name (1 to %u of A-Z a-z "
               "0-9 . _ -)\n", name, domain, ROOT_DOMAIN_NAME_MAX);
        return -1;
    }
    memset(c->domain, 0, sizeof(c->domain));
    memcpy(c->domain, domain, strlen(domain));
    return 0;
}

/* sp 0: a native program's crt0 sets up its own stack, as for the kernel's boot tasks.
 * A musl program gets a kernel-memory quota of its own (root.h): the full size, or the
 * largest halving of it root's quota can still give; native programs and services are the
 * system's and draw on root's. */
static uint64_t task_new(struct child *c, const char *name, uint64_t entry, l4_threadid_t *first)
{
    l4_threadid_t me = l4_myself();
    if (!c->rt)
        return l4_task_new(L4_TASK_ANY, entry, 0, me, CHILD_MCP, me, first);
    unsigned quota = root_cmdline_value("kmem", name);
    if (!quota)
        quota = c->service ? services_kmem(name) : ROOT_PROGRAM_QUOTA;
    uint64_t err;
    while ((err = l4_task_new_quota(L4_TASK_ANY, entry, 0, me, CHILD_MCP, me, quota, first)) ==
               L4_ERR_NO_MEMORY && quota / 2 >= ROOT_PROGRAM_QUOTA_MIN)
        quota /= 2;
    c->quota = err ? 0 : quota;
    return err;
}

int tasks_spawn(const char *name, const char *domain, int service, l4_threadid_t *first_out)
{
    struct cpio_member f;
    struct child *c = free_child();
    uint64_t entry = 0;
    if (c && !bootfs_find(name, &f))
        entry = loader_is_pie(f.data, f.size) ? musl_entry(c, &f) : elf_check(f.data, f.size);
    if (!entry) {
        printf("root: cannot start '%s': %s\n", name, !c ? "too many tasks"
               : bootfs_find(name, &f) ? "no such boot program" : "not a loadable executable");
        if (c)
            c->rt = 0;
        return -1;
    }
    memset(c->domain, 0, sizeof(c->domain));
    if ((!service && choose_domain(c, name, domain)) || (c->rt && musl_place(c, name))) {
        c->rt = 0;
        return -1;
    }
    l4_threadid_t first;
    c->service = service;
    uint64_t err = task_new(c, name, entry, &first);
    if (err) {
        printf("root: task_new for '%s' failed: error %lu%s\n", name, err,
               err == L4_ERR_NO_MEMORY ? " (out of kernel memory)" : "");
        if (c->rt)
            slottab_untake(&slots, c->prog.home, c->prog.slot);
        c->rt = 0;
        return -1;
    }
    c->task = l4_tid_task(first);
    c->image = f.data;
    c->first = first;
    if (first_out)
        *first_out = first;
    snprintf(c->name, sizeof(c->name), "%s", name);
    live += !service;
    if (c->rt)
        printf("root: started task %u '%s'%s%s (musl program at %lx, %s slot %u, entry %lx, "
               "kernel memory %u pages)\n", c->task, name, service ? "" : " in domain ",
               c->domain, c->prog.base, c->prog.slot == c->prog.home ? "its home" : "extra",
               c->prog.slot, c->prog.entry, c->quota);
    else
        printf("root: started task %u '%s'%s%s (thread %lx, entry %lx)\n", c->task, name,
               service ? "" : " in domain ", c->domain, first, entry);
    return (int)c->task;
}

int tasks_start(const char *name)
{
    return tasks_spawn(name, 0, 0, 0) < 0 ? -1 : 0;
}

unsigned tasks_live(void) { return live; }

unsigned tasks_exits(const struct child_exit **list)
{
    *list = exits;
    return nexits;
}

/* Ends c: deletes the task (its mappings go with it), then gives its frames back. */
static void child_end(struct child *c, unsigned code, int record)
{
    printf("root: task %u '%s' exited with code %u\n", c->task, c->name, code);
    uint64_t err = l4_task_delete(c->task);
    if (err)
        printf("root: deleting task %u failed: error %lu\n", c->task, err);
    frames_release_task(c->task);
    batches_release_task(c->task);
    if (record && nexits < MAX_EXITS) {
        exits[nexits] = (struct child_exit){ .task = c->task, .code = code,
                                             .service = c->service };
        memcpy(exits[nexits].name, c->name, sizeof(c->name));
        memcpy(exits[nexits].domain, c->domain, sizeof(c->domain));
        nexits++;
    }
    unsigned task = c->task;
    c->task = 0;
    c->rt = 0;
    live -= !c->service;
    services_task_ended(task);
    prompt_task_ended(task, code);
}

static const char *access_name(unsigned a)
{
    return a & L4_FPAGE_W ? "write" : a & L4_FPAGE_X ? "execute" : "read";
}

/* The rights and (with page) the bytes of c's page at va: a musl task has two images. */
static unsigned image_fill(const struct child *c, uint64_t va, uint8_t *page)
{
    if (!c->rt)
        return elf_fill(c->image, va, page);
    if (va >= SAS_POSIXRT_ADDR && va < SAS_POSIXRT_END)
        return elf_fill(c->rt, va, page);
    if (va >= c->prog.base && va < c->prog.end)
        return elf_fill(c->image, va - c->prog.base, page);
    return 0;
}

/* A page fault: the page of the image at va, from a frame of root's; 1 to reply. */
static int on_fault(struct child *c, const l4_msg_t *m, unsigned access, l4_msgtag_t *tag,
                    l4_msg_t *out)
{
    uint64_t va = m->w[0] & ~(SAS_PAGE_SIZE - 1);
    int slot = frames_find(c->task, va);
    unsigned rights = slot >= 0 ? frames_rights(slot) : image_fill(c, va, 0);
    if (!rights || (access & ~rights)) {
        printf("root: task %u '%s': %s fault at %lx (ip %lx) %s\n", c->task, c->name,
               access_name(access), m->w[0], m->w[1],
               rights ? "on a page without that right" : "outside its image");
        child_end(c, ROOT_EXIT_FAULT, 1);
        return 0;
    }
    if (slot < 0) {         /* a new page (else a retry: map the same frame again) */
        if ((slot = frames_get(c->task, va)) < 0) {
            printf("root: task %u '%s': no memory for %lx\n", c->task, c->name, va);
            child_end(c, ROOT_EXIT_FAULT, 1);
            return 0;
        }
        image_fill(c, va, frames_ptr(slot));    /* sigma0's frames come zeroed */
        frames_set_rights(slot, rights);
    }
    *out = (l4_msg_t){ { l4_fpage((uint64_t)frames_ptr(slot), 12, rights), va } };
    *tag = l4_msgtag(0, 0, 2);
    return 1;
}

int tasks_handle(l4_threadid_t from, uint64_t res, l4_msg_t *m, l4_msgtag_t *tag)
{
    uint32_t label = l4_msgtag_label(l4_ipc_tag(res));
    struct child *c = child_of(from);
    *tag = l4_msgtag(SAS_ENOTSUP, 0, 0);
    if (!c)
        return prompt_handle(from, res, m, tag);      /* root's own threads */
    if (label == ROOT_SERVICE || label == ROOT_SERVICE_READY || label == ROOT_DISK_OWNER ||
        label == ROOT_TASK_DOMAIN || label == SIGMA0_IO || label == SIGMA0_IRQ ||
        label == SIGMA0_ALLOC)
        return services_handle(from, c->name, l4_ipc_tag(res), m, tag);
    if ((label & ~(uint32_t)L4_FPAGE_RWX) == L4_LABEL_PAGEFAULT)
        return on_fault(c, m, label & L4_FPAGE_RWX, tag, m);
    if (label == L4_LABEL_EXCEPTION || label == L4_LABEL_STOPPED) {
        unsigned vec = (unsigned)m->w[L4_EXC_VECTOR];
        vec = vec == L4_EXC_SYSCALL ? L4_FAULT_BAD_SYSCALL : vec & 0xff;
        printf("root: task %u '%s': exception %u at ip %lx\n", c->task, c->name, vec,
               m->w[L4_EXC_RIP]);
        child_end(c, ROOT_EXIT_EXCEPTION + vec, 1);
        return 0;
    }
    if (label == ROOT_PROGRAM_INFO && c->rt) {
        loader_info_words(&c->prog, c->name, m);
        *tag = l4_msgtag(SAS_OK, 8, 0);
        return 1;
    }
    if (c->rt && anon_handle(c->task, &c->prog, l4_ipc_tag(res), m, tag))
        return 1;
    if (label == ROOT_EXIT) {
        child_end(c, m->w[0] > 255 ? 255 : (unsigned)m->w[0], 1);
        return 0;
    }
    return 1;
}

void tasks_reply_failed(l4_threadid_t to, uint64_t res)
{
    struct child *c = child_of(to);
    if (!c || (c->service && !c->rt) || l4_ipc_error(res) != L4_ERR_MAP_FAILED)
        return;
    if (c->rt)
        printf("root: task %u '%s': out of kernel memory: a page could not be mapped "
               "(quota %u pages)\n", c->task, c->name, c->quota);
    else
        printf("root: task %u '%s': a page could not be mapped (MAP_FAILED)\n", c->task,
               c->name);
    child_end(c, ROOT_EXIT_KMEM, 1);
}

int tasks_alive(unsigned task)
{
    return task && child_of(l4_tid_make(task, 0, 0)) != 0;
}

int tasks_domain(unsigned task, l4_threadid_t *lthread0, char name[ROOT_NAME_LEN])
{
    struct child *c = task ? child_of(l4_tid_make(task, 0, 0)) : 0;
    if (!c || c->service)
        return -1;
    *lthread0 = c->first;
    memcpy(name, c->domain, ROOT_NAME_LEN);
    return 0;
}

int tasks_kill(unsigned task, int record)
{
    struct child *c = task ? child_of(l4_tid_make(task, 0, 0)) : 0;
    if (!c)
        return -1;
    child_end(c, ROOT_EXIT_KILLED, record);
    return 0;
}

/* "running", "waiting" or "stopped", from the state of the task's first thread. */
static const char *run_state(const struct child *c)
{
    struct l4_sched s = { .thread = c->first };
    if (l4_thread_schedule(&s))
        return "gone";
    switch (s.state & 0xff) {
    case L4_TSTATE_READY:     return "running";
    case L4_TSTATE_SENDING:
    case L4_TSTATE_RECEIVING: return "waiting (IPC)";
    case L4_TSTATE_STOPPED:   return "stopped";
    }
    return "?";
}

unsigned tasks_list(struct task_info *out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ROOT_MAX_CHILDREN && n < max; i++) {
        if (!kids[i].task)
            continue;
        out[n] = (struct task_info){ .task = kids[i].task };
        memcpy(out[n].name, kids[i].name, ROOT_NAME_LEN);
        memcpy(out[n].domain, kids[i].domain, ROOT_NAME_LEN);
        snprintf(out[n].state, sizeof(out[n].state), "%s%s", kids[i].service ? "service, " : "",
                 run_state(&kids[i]));
        n++;
    }
    for (unsigned i = nexits; i-- > 0 && n < max; n++) {
        out[n] = (struct task_info){ .task = exits[i].task };
        memcpy(out[n].name, exits[i].name, ROOT_NAME_LEN);
        memcpy(out[n].domain, exits[i].domain, ROOT_NAME_LEN);
        snprintf(out[n].state, sizeof(out[n].state), "exited with code %u", exits[i].code);
    }
    return n;
}
