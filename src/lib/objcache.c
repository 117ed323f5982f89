/*
 * objcache.c - the bounded object free list (see objcache.h).
 */
#include "objcache.h"

#include <stdlib.h>

#include "compiler.h"

#ifdef NGI_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define NGI_HAVE_VALGRIND 1
#endif
#endif

static void objcache_poison(struct ngi_objcache *c, void *o)
{
    char *p = (char *)o + sizeof(void *);
    size_t len = c->size - sizeof(void *);
    (void)p, (void)len;
#ifdef NGI_HAVE_ASAN
    ASAN_POISON_MEMORY_REGION(p, len);
#endif
#ifdef NGI_HAVE_VALGRIND
    VALGRIND_MAKE_MEM_NOACCESS(p, len);
#endif
}

static void objcache_unpoison(struct ngi_objcache *c, void *o)
{
    (void)c, (void)o;
#ifdef NGI_HAVE_ASAN
    ASAN_UNPOISON_MEMORY_REGION(o, c->size);
#endif
#ifdef NGI_HAVE_VALGRIND
    VALGRIND_MAKE_MEM_UNDEFINED(o, c->size);
#endif
}

void ngi_objcache_init(struct ngi_objcache *c, size_t size)
{
    pthread_mutex_init(&c->lock, NULL);
    c->head = NULL;
    c->n = 0;
    c->size = size;
}

void ngi_objcache_fini(struct ngi_objcache *c)
{
    while (c->head) {
        void *o = c->head;
        c->head = *(void **)o;
        objcache_unpoison(c, o);
        free(o);
    }
    c->n = 0;
    pthread_mutex_destroy(&c->lock);
}

/* An object of the cache's kind, or NULL (allocate one yourself). */
void *ngi_objcache_get(struct ngi_objcache *c)
{
    pthread_mutex_lock(&c->lock);
    void *o = c->head;
    if (o) {
        c->head = *(void **)o;
        c->n--;
    }
    pthread_mutex_unlock(&c->lock);
    if (o)
        objcache_unpoison(c, o);
    return o;
}

/* Keep o (past its grace period) for reuse, or free it. */
void ngi_objcache_put(struct ngi_objcache *c, void *o)
{
    pthread_mutex_lock(&c->lock);
    if (c->n < NGI_OBJCACHE_MAX) {
        *(void **)o = c->head;
        objcache_poison(c, o);
        c->head = o;
        c->n++;
        o = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(o);
}
