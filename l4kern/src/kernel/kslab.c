/*
 * kslab.c — small fixed-size kernel objects (mapping nodes) packed into pool pages. A page
 * goes back to the pool as soon as its last object is freed, so the pool's counters in
 * the KIP return exactly to where they were once everything is deleted.
 */
#include <k/lib.h>
#include <k/mem.h>
#include <k/space.h>

struct slab_page {
    struct slab_page *next, *prev;    /* on the cache's partial list */
    void *free;                       /* free objects in this page */
    unsigned used, capacity;
};

static void list_remove(struct kslab *s, struct slab_page *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        s->partial = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->next = p->prev = 0;
}

static void list_push(struct kslab *s, struct slab_page *p)
{
    p->prev = 0;
    p->next = s->partial;
    if (p->next)
        p->next->prev = p;
    s->partial = p;
}

static struct slab_page *grow(struct kslab *s)
{
    struct slab_page *p = kpool_alloc(1);
    if (!p)
        return 0;
    char *first = (char *)p + ALIGN_UP(sizeof(*p), 16);
    p->capacity = (unsigned)(((char *)p + PAGE_SIZE - first) / s->size);
    for (unsigned i = 0; i < p->capacity; i++) {
        void **obj = (void **)(first + i * s->size);
        *obj = p->free;
        p->free = obj;
    }
    list_push(s, p);
    return p;
}

void *kslab_alloc(struct kslab *s)
{
    struct slab_page *p = s->partial ? s->partial : grow(s);
    if (!p)
        return 0;
    void **obj = p->free;
    p->free = *obj;
    if (++p->used == p->capacity)
        list_remove(s, p);
    memset(obj, 0, s->size);
    return obj;
}

/* The object is charged, by its size, to t's quota (kpool.c). */
void *kslab_alloc_for(struct kslab *s, struct task *t)
{
    if (kmem_charge(t, s->size))
        return 0;
    void *obj = kslab_alloc(s);
    if (!obj)
        kmem_uncharge(t, s->size);
    return obj;
}

void kslab_free_for(struct kslab *s, struct task *t, void *obj)
{
    kmem_uncharge(t, s->size);
    kslab_free(s, obj);
}

void kslab_free(struct kslab *s, void *obj)
{
    struct slab_page *p = (struct slab_page *)ALIGN_DOWN((uint64_t)obj, PAGE_SIZE);
    if (p->used == p->capacity)
        list_push(s, p);
    *(void **)obj = p->free;
    p->free = obj;
    if (--p->used == 0) {
        list_remove(s, p);
        kpool_free(p, 1);
    }
}
