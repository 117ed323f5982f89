/*
 * fd.c - file descriptor watches (ng_fdwatch_*, docs/fd.md) and the epoll
 * event loops that workers and the graph's timer thread sleep in.
 *
 * Loops.  Every worker owns one epoll instance (struct ngi_fdloop) holding
 * its wake eventfd and the fds of the watches it serves; the graph's timer
 * thread owns another, with a timerfd for the earliest timer deadline.  A
 * loop's thread blocks in epoll_wait; whoever queues work for it writes the
 * eventfd (worker.c keeps its Dekker protocol on `sleeping`, so the write
 * happens only when the worker sleeps).
 *
 * Watches.  The caller owns struct ng_fdwatch; the graph's struct
 * ngi_tbase holds a table slot -> watch, and a watch is known everywhere
 * else by its id (generation << 32 | slot + 1): the epoll_event data, the
 * function item that carries a call to the node.  Every access to a watch's
 * fields and to the table is under tb->flock, so once ng_fdwatch_remove has
 * cleared the slot no event, queued item or loop can reach the caller's
 * memory again (a stale id finds nothing).
 *
 * A call: the loop takes flock, looks each ready id up, sets the watch's
 * `pending` and takes a node reference, drops flock, then hands an
 * NGI_IK_FN item (fdw_run) to the node with ngi_dispatch_item (writer
 * access, or reader with NG_FD_SHARED): it runs inline if the node can be
 * entered, else it is queued on the node and run by its drainer.  fdw_run
 * looks the id up again, marks the watch `running`, calls fn without
 * flock, and clears running and pending after it.  At most one call per
 * watch is in flight; an event for a watch whose call is still queued
 * takes its fd out of epoll (`parked`) until that call has run, so a
 * level-triggered fd does not spin the loop.
 *
 * Removal: ng_fdwatch_remove marks the watch dead, takes it out of its loop
 * and waits on fcond while fn runs on another thread (never when called
 * from fn itself: `runner` is the thread's tag), then frees the slot.
 * Node shutdown (ngi_fd_cancel_node, under the control lock, before the
 * type's shutdown method) removes a node's watches without waiting: a call
 * running then is inside a read-side section, which the grace period before
 * the shutdown method outlasts, and after fn it finds its slot gone.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "runtime.h"

static _Thread_local char fd_self_tag;
#define FD_SELF ((uintptr_t)&fd_self_tag)

#define FD_COND (NG_FD_IN | NG_FD_OUT)
#define FD_FLAGS (NG_FD_SHARED | NG_FD_BUSYPOLL)
#define FD_MAXEV 32
#define FD_MAXSLOTS (1u << 23) /* the slot travels in 23 bits of arg2 */
#define FD_BASE(w) ((_Atomic(void *) *)(void *)&(w)->base)

/* ------------------------------------------------------------------------ */
/* Loops                                                                    */
/* ------------------------------------------------------------------------ */

static int loop_add_ctl(int epfd, int fd, uint64_t id)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = id};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int ngi_fdloop_init(struct ngi_fdloop *l, int idx, bool tfd)
{
    l->epfd = l->evfd = l->tfd = -1;
    l->idx = idx;
    atomic_init(&l->nwatch, 0);
    atomic_init(&l->nbusy, 0);
    l->busy = NULL;
    l->busycap = 0;
    int rc = 0;
    if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
        (l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
        rc = -errno;
    if (rc == 0)
        rc = loop_add_ctl(l->epfd, l->evfd, NGI_FDID_WAKE);
    if (rc == 0 && tfd) {
        if ((l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
            rc = -errno;
        else
            rc = loop_add_ctl(l->epfd, l->tfd, NGI_FDID_TIMER);
    }
    if (rc)
        ngi_fdloop_fini(l);
    return rc;
}

void ngi_fdloop_fini(struct ngi_fdloop *l)
{
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->evfd >= 0)
        close(l->evfd);
    if (l->tfd >= 0)
        close(l->tfd);
    l->epfd = l->evfd = l->tfd = -1;
    free(l->busy);
    l->busy = NULL;
    l->busycap = 0;
}

void ngi_fdloop_wake(struct ngi_fdloop *l)
{
    uint64_t one = 1;
    /* EAGAIN only when the counter is saturated: it is readable anyway. */
    if (write(l->evfd, &one, sizeof(one)) < 0) {
    }
}

int ngi_fdloop_wait(struct ngi_fdloop *l, struct epoll_event *ev, int max, int timeout_ms)
{
    int n = epoll_wait(l->epfd, ev, max, timeout_ms);
    if (n < 0)
        return 0; /* EINTR: the caller loops */
    for (int i = 0; i < n; i++) {
        uint64_t v;
        if (ev[i].data.u64 == NGI_FDID_WAKE && read(l->evfd, &v, sizeof(v)) < 0) {
        }
        if (ev[i].data.u64 == NGI_FDID_TIMER && read(l->tfd, &v, sizeof(v)) < 0) {
        }
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* The watch table (flock held)                                             */
/* ------------------------------------------------------------------------ */

static struct ng_fdwatch *fw_lookup(struct ngi_tbase *tb, uint64_t id)
{
    uint32_t slot = (uint32_t)id;
    if (slot == 0 || slot > tb->fwcap)
        return NULL;
    struct ng_fdwatch *w = tb->fw[slot - 1];
    return (w && w->id == id) ? w : NULL;
}

/* A free slot's id, or 0 (no memory, or FD_MAXSLOTS watches). */
static uint64_t fw_alloc(struct ngi_tbase *tb, struct ng_fdwatch *w)
{
    uint32_t s = 0;
    while (s < tb->fwcap && tb->fw[s])
        s++;
    if (s == tb->fwcap) {
        uint32_t ncap = tb->fwcap ? tb->fwcap * 2 : 16;
        if (ncap > FD_MAXSLOTS)
            return 0;
        struct ng_fdwatch **nfw = realloc(tb->fw, ncap * sizeof(*nfw));
        if (!nfw)
            return 0;
        tb->fw = nfw;
        uint32_t *ngen = realloc(tb->fgen, ncap * sizeof(*ngen));
        if (!ngen)
            return 0;
        tb->fgen = ngen;
        for (uint32_t i = tb->fwcap; i < ncap; i++) {
            tb->fw[i] = NULL;
            tb->fgen[i] = 0;
        }
        tb->fwcap = ncap;
    }
    if (++tb->fgen[s] == 0)
        tb->fgen[s] = 1;
    tb->fw[s] = w;
    tb->fwfree++;
    return ((uint64_t)tb->fgen[s] << 32) | (s + 1);
}

static void fw_free_slot(struct ngi_tbase *tb, uint64_t id)
{
    tb->fw[(uint32_t)id - 1] = NULL;
    tb->fwfree--;
}

static uint32_t fw_epoll_events(unsigned events)
{
    return ((events & NG_FD_IN) ? (EPOLLIN | EPOLLRDHUP) : 0u) |
           ((events & NG_FD_OUT) ? EPOLLOUT : 0u);
}

static int fw_epoll(struct ngi_fdloop *l, int op, const struct ng_fdwatch *w, unsigned events)
{
    struct epoll_event ev = {.events = fw_epoll_events(events), .data.u64 = w->id};
    return epoll_ctl(l->epfd, op, w->fd, op == EPOLL_CTL_DEL ? NULL : &ev) ? -errno : 0;
}

/* Put w (id, fd, events, loop set) in its loop. */
static int fw_attach(struct ng_fdwatch *w)
{
    struct ngi_fdloop *l = w->loop;
    if (w->events & NG_FD_BUSYPOLL) {
        unsigned nb = atomic_load_explicit(&l->nbusy, memory_order_relaxed);
        if (nb == l->busycap) {
            unsigned ncap = l->busycap ? l->busycap * 2 : 8;
            uint64_t *nbz = realloc(l->busy, ncap * sizeof(*nbz));
            if (!nbz)
                return -ENOMEM;
            l->busy = nbz;
            l->busycap = ncap;
        }
        l->busy[nb] = w->id;
        atomic_store_explicit(&l->nbusy, nb + 1, memory_order_relaxed);
        ngi_fdloop_wake(l); /* a sleeping loop starts polling */
        return 0;
    }
    if (!w->parked) {
        int rc = fw_epoll(l, EPOLL_CTL_ADD, w, w->events);
        if (rc)
            return rc;
    }
    atomic_fetch_add_explicit(&l->nwatch, 1, memory_order_relaxed);
    return 0;
}

/* Take w out of its loop. */
static void fw_detach(struct ng_fdwatch *w)
{
    struct ngi_fdloop *l = w->loop;
    if (w->events & NG_FD_BUSYPOLL) {
        unsigned nb = atomic_load_explicit(&l->nbusy, memory_order_relaxed);
        for (unsigned i = 0; i < nb; i++)
            if (l->busy[i] == w->id) {
                l->busy[i] = l->busy[nb - 1];
                atomic_store_explicit(&l->nbusy, nb - 1, memory_order_relaxed);
                break;
            }
        return;
    }
    if (!w->parked)
        (void)fw_epoll(l, EPOLL_CTL_DEL, w, 0); /* EBADF: fd closed, already gone */
    atomic_fetch_sub_explicit(&l->nwatch, 1, memory_order_relaxed);
}

/* Forget w (out of its loop already); returns its node, *hookp its hook,
 * whose references the caller drops after flock. */
static struct ng_node *fw_clear(struct ngi_tbase *tb, struct ng_fdwatch *w, struct ng_hook **hookp)
{
    fw_free_slot(tb, w->id);
    struct ng_node *n = w->node;
    *hookp = w->hook;
    w->node = NULL;
    w->hook = NULL;
    w->id = 0;
    w->loop = NULL;
    w->bound = -1;
    w->pending = w->parked = w->dead = w->running = 0;
    /* The watch no longer names its graph's table: a later remove, modify
     * or add (a type's final shutdown method during ng_graph_destroy, after
     * the engine removed the watch and freed the table) sees NULL, and
     * never locks the table's freed mutex. */
    atomic_store_explicit(FD_BASE(w), NULL, memory_order_release);
    return n;
}

static void fw_unref(struct ng_node *n, struct ng_hook *h)
{
    ng_hook_unref(h);
    ng_node_unref(n);
}

/* A call has run (or will not): allow the next, put a parked fd back. */
static void fw_done(struct ng_fdwatch *w)
{
    w->pending = 0;
    if (w->parked) {
        w->parked = 0;
        /* Failure (fd closed meanwhile): the watch stays, silent until
         * removed; nothing else can be done without an fd. */
        (void)fw_epoll(w->loop, EPOLL_CTL_ADD, w, w->events);
    }
}

/* ------------------------------------------------------------------------ */
/* Calls                                                                    */
/* ------------------------------------------------------------------------ */

static unsigned fd_revents(uint32_t e)
{
    return ((e & EPOLLIN) ? NG_FD_IN : 0u) | ((e & EPOLLOUT) ? NG_FD_OUT : 0u) |
           ((e & EPOLLERR) ? NG_FD_ERR : 0u) | ((e & (EPOLLHUP | EPOLLRDHUP)) ? NG_FD_HUP : 0u);
}

/* The function item's body, in the node's context. */
static void fdw_run(struct ng_node *node, struct ng_hook *nohook, void *arg1, int arg2)
{
    (void)nohook;
    struct ngi_tbase *tb = atomic_load_explicit(&node->g->tbase, memory_order_acquire);
    if (!tb)
        return; /* graph destruction removed every watch */
    uint64_t id = ((uint64_t)(uintptr_t)arg1 << 32) | ((uint32_t)arg2 >> 8);
    unsigned rev = (unsigned)arg2 & 0xffu;
    pthread_mutex_lock(&tb->flock);
    struct ng_fdwatch *w = fw_lookup(tb, id);
    if (!w || w->dead) {
        pthread_mutex_unlock(&tb->flock);
        return;
    }
    if (w->hook && !ng_hook_is_valid(w->hook)) {
        /* Its hook is gone: as a timer's call, fn is not run; the watch
         * goes with the hook. */
        fw_detach(w);
        struct ng_hook *h;
        struct ng_node *n = fw_clear(tb, w, &h);
        pthread_mutex_unlock(&tb->flock);
        fw_unref(n, h);
        return;
    }
    w->running = 1;
    w->runner = FD_SELF;
    ng_fdwatch_fn fn = w->fn;
    struct ng_hook *hook = w->hook;
    int fd = w->fd;
    void *arg = w->arg;
    pthread_mutex_unlock(&tb->flock);
    fn(w, node, hook, fd, rev, arg);
    pthread_mutex_lock(&tb->flock);
    w = fw_lookup(tb, id); /* NULL: fn removed it (its memory may be gone) */
    if (w) {
        w->running = 0;
        if (!w->dead)
            fw_done(w);
        if (w->nwait)
            pthread_cond_broadcast(&tb->fcond);
    }
    pthread_mutex_unlock(&tb->flock);
}

struct fd_job {
    struct ng_node *n;
    uint64_t id;
    unsigned rev;
    bool writer;
};

/* flock held: w's call is handed on (pending); the job holds a node ref. */
static void fd_take(struct ng_fdwatch *w, unsigned rev, struct fd_job *j)
{
    w->pending = 1;
    ng_node_ref(w->node);
    j->n = w->node;
    j->id = w->id;
    j->rev = rev;
    j->writer = !(w->events & NG_FD_SHARED);
}

/* Outside flock: hand each job's call to its node. */
static unsigned fd_run_jobs(struct ng_graph *g, struct ngi_tbase *tb, struct ngi_thread *t,
                            struct fd_job *jobs, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        struct ng_item *it = ngi_item_new_ctl(g, NGI_IK_FN);
        if (it) {
            it->u.f.fn = fdw_run;
            it->u.f.arg1 = (void *)(uintptr_t)(jobs[i].id >> 32);
            it->u.f.arg2 = (int)(((uint32_t)jobs[i].id << 8) | jobs[i].rev);
            /* -ESHUTDOWN: the node is going; its shutdown removes the watch. */
            (void)ngi_dispatch_item(t, jobs[i].n, NULL, it, jobs[i].writer);
        } else {
            pthread_mutex_lock(&tb->flock); /* no memory: try again next time */
            struct ng_fdwatch *w = fw_lookup(tb, jobs[i].id);
            if (w && !w->dead)
                fw_done(w);
            pthread_mutex_unlock(&tb->flock);
        }
        ng_node_unref(jobs[i].n);
    }
    return k;
}

unsigned ngi_fdloop_dispatch(struct ng_graph *g, struct ngi_thread *t, struct ngi_fdloop *l,
                             const struct epoll_event *ev, int n)
{
    struct ngi_tbase *tb = atomic_load_explicit(&g->tbase, memory_order_acquire);
    if (!tb)
        return 0;
    struct fd_job jobs[FD_MAXEV];
    unsigned k = 0, total = 0;
    bool any = false;
    for (int i = 0; i < n; i++)
        any = any || ev[i].data.u64 > NGI_FDID_TIMER;
    if (any) {
        pthread_mutex_lock(&tb->flock);
        for (int i = 0; i < n && k < FD_MAXEV; i++) {
            struct ng_fdwatch *w =
                ev[i].data.u64 > NGI_FDID_TIMER ? fw_lookup(tb, ev[i].data.u64) : NULL;
            if (!w || w->dead || w->loop != l || (w->events & NG_FD_BUSYPOLL))
                continue; /* removed, or moved to another loop meanwhile */
            if (w->pending) {
                /* Its call waits in the node's queue: quiet the fd until it ran. */
                if (!w->parked && fw_epoll(l, EPOLL_CTL_DEL, w, 0) == 0)
                    w->parked = 1;
                continue;
            }
            fd_take(w, fd_revents(ev[i].events), &jobs[k++]);
        }
        pthread_mutex_unlock(&tb->flock);
        total += fd_run_jobs(g, tb, t, jobs, k);
    }
    /* Busy-poll watches, FD_MAXEV at a time. */
    for (unsigned from = 0; atomic_load_explicit(&l->nbusy, memory_order_relaxed) > from;) {
        k = 0;
        pthread_mutex_lock(&tb->flock);
        unsigned nb = atomic_load_explicit(&l->nbusy, memory_order_relaxed);
        for (; from < nb && k < FD_MAXEV; from++) {
            struct ng_fdwatch *w = fw_lookup(tb, l->busy[from]);
            if (w && !w->dead && !w->pending)
                fd_take(w, NG_FD_POLL, &jobs[k++]);
        }
        pthread_mutex_unlock(&tb->flock);
        total += fd_run_jobs(g, tb, t, jobs, k);
    }
    return total;
}

/* ------------------------------------------------------------------------ */
/* The graph's table: creation, node shutdown, runtime stop, destruction    */
/* ------------------------------------------------------------------------ */

void ngi_fd_tbase_init(struct ngi_tbase *tb)
{
    pthread_mutex_init(&tb->flock, NULL);
    pthread_cond_init(&tb->fcond, NULL);
    tb->fw = NULL;
    tb->fgen = NULL;
    tb->fwcap = tb->fwfree = 0;
    tb->frr = 0;
}

/* Remove the first watch matching n (every watch if n is NULL) that no
 * remover owns; false if none.  flock held; dropped around the unref. */
static bool fd_cancel_one(struct ngi_tbase *tb, struct ng_node *n)
{
    for (uint32_t s = 0; s < tb->fwcap; s++) {
        struct ng_fdwatch *w = tb->fw[s];
        if (!w || w->dead || (n && w->node != n))
            continue;
        fw_detach(w);
        struct ng_hook *h;
        struct ng_node *wn = fw_clear(tb, w, &h);
        pthread_mutex_unlock(&tb->flock);
        fw_unref(wn, h);
        pthread_mutex_lock(&tb->flock);
        return true;
    }
    return false;
}

void ngi_fd_cancel_node(struct ngi_tbase *tb, struct ng_node *n)
{
    pthread_mutex_lock(&tb->flock);
    while (tb->fwfree && fd_cancel_one(tb, n)) {
    }
    pthread_mutex_unlock(&tb->flock);
}

void ngi_fd_tbase_fini(struct ngi_tbase *tb)
{
    pthread_mutex_lock(&tb->flock);
    while (tb->fwfree && fd_cancel_one(tb, NULL)) {
    }
    pthread_mutex_unlock(&tb->flock);
    free(tb->fw);
    free(tb->fgen);
    tb->fw = NULL;
    tb->fgen = NULL;
    tb->fwcap = 0;
    pthread_mutex_destroy(&tb->flock);
    pthread_cond_destroy(&tb->fcond);
}

void ngi_fd_runtime_stop(struct ng_runtime *rt)
{
    struct ngi_tbase *tb = atomic_load_explicit(&rt->g->tbase, memory_order_acquire);
    if (!tb)
        return;
    pthread_mutex_lock(&tb->flock);
    for (uint32_t s = 0; s < tb->fwcap; s++) {
        struct ng_fdwatch *w = tb->fw[s];
        if (!w || w->bound < 0)
            continue;
        /* A worker's watch (workers belong to rt: one runtime per graph). */
        fw_detach(w);
        w->loop = &tb->tloop;
        w->bound = -1;
        if (fw_attach(w) != 0 && !(w->events & NG_FD_BUSYPOLL)) {
            /* The fd was closed without a remove: keep the watch, parked
             * (out of epoll), until it is removed. */
            w->parked = 1;
            atomic_fetch_add_explicit(&tb->tloop.nwatch, 1, memory_order_relaxed);
        }
    }
    pthread_mutex_unlock(&tb->flock);
    ngi_tbase_wake(tb);
}

/* ------------------------------------------------------------------------ */
/* The API                                                                  */
/* ------------------------------------------------------------------------ */

void ng_fdwatch_init(struct ng_fdwatch *w)
{
    if (!w)
        return;
    memset(w, 0, sizeof(*w));
    w->fd = -1;
    w->worker = -1;
    w->bound = -1;
}

int ng_fdwatch_set_worker(struct ng_fdwatch *w, int worker)
{
    if (!w)
        return -EINVAL;
    struct ngi_tbase *tb = atomic_load_explicit(FD_BASE(w), memory_order_acquire);
    int rc = 0;
    if (tb)
        pthread_mutex_lock(&tb->flock);
    if (w->id)
        rc = -EBUSY;
    else
        w->worker = worker < 0 ? -1 : worker;
    if (tb)
        pthread_mutex_unlock(&tb->flock);
    return rc;
}

static bool fd_events_ok(unsigned events)
{
    return (events & FD_COND) && !(events & ~(FD_COND | FD_FLAGS));
}

int ng_fdwatch_add(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                   unsigned events, ng_fdwatch_fn fn, void *arg)
{
    if (!w || !node || !fn || (hook && ng_hook_node(hook) != node) || !fd_events_ok(events))
        return -EINVAL;
    if (fd < 0 || fcntl(fd, F_GETFD) < 0)
        return -EBADF;
    int err = 0;
    struct ngi_tbase *tb = ngi_tbase_get(node->g, &err);
    if (!tb)
        return err;
    struct ngi_tbase *cur = atomic_load_explicit(FD_BASE(w), memory_order_acquire);
    if (cur && cur != tb) { /* last added in another graph: still there? */
        pthread_mutex_lock(&cur->flock);
        bool other = w->id != 0;
        pthread_mutex_unlock(&cur->flock);
        if (other)
            return -EBUSY;
    }
    pthread_mutex_lock(&tb->flock);
    bool busy = w->id != 0;
    int rc = 0;
    if (busy)
        rc = -EBUSY;
    else if (!ng_node_is_valid(node))
        rc = -ESHUTDOWN;
    else if (hook && !ng_hook_is_valid(hook))
        rc = -ENOTCONN;
    else if ((w->id = fw_alloc(tb, w)) == 0)
        rc = -ENOMEM;
    if (rc) {
        pthread_mutex_unlock(&tb->flock);
        return rc;
    }
    w->node = node;
    w->hook = hook;
    w->fn = fn;
    w->arg = arg;
    w->fd = fd;
    w->events = events;
    w->pending = w->parked = w->dead = w->running = 0;
    w->nwait = 0;
    struct ng_runtime *rt = ng_graph_runtime(node->g);
    if (rt && !atomic_load_explicit(&rt->stopping, memory_order_acquire)) {
        unsigned i = w->worker >= 0 ? (unsigned)w->worker % rt->nworkers : tb->frr++ % rt->nworkers;
        w->loop = &rt->w[i].loop;
        w->bound = (int)i;
    } else {
        w->loop = &tb->tloop;
        w->bound = -1;
    }
    atomic_store_explicit(FD_BASE(w), tb, memory_order_release);
    rc = fw_attach(w);
    if (rc) {
        fw_free_slot(tb, w->id);
        w->id = 0;
        w->node = NULL;
        w->hook = NULL;
        w->loop = NULL;
        w->bound = -1;
        pthread_mutex_unlock(&tb->flock);
        return rc;
    }
    ng_node_ref(node);
    if (hook)
        ng_hook_ref(hook);
    pthread_mutex_unlock(&tb->flock);
    return 0;
}

int ng_fdwatch_modify(struct ng_fdwatch *w, unsigned events)
{
    if (!w || !fd_events_ok(events & ~FD_FLAGS) || (events & ~(FD_COND | FD_FLAGS)))
        return -EINVAL;
    struct ngi_tbase *tb = atomic_load_explicit(FD_BASE(w), memory_order_acquire);
    if (!tb)
        return -ENOENT;
    pthread_mutex_lock(&tb->flock);
    int rc = 0;
    unsigned nev = (w->events & FD_FLAGS) | (events & FD_COND);
    if (!w->id || w->dead)
        rc = -ENOENT;
    else if ((events & FD_FLAGS) && (events & FD_FLAGS) != (w->events & FD_FLAGS))
        rc = -EINVAL;
    else if (!(w->events & NG_FD_BUSYPOLL) && !w->parked)
        rc = fw_epoll(w->loop, EPOLL_CTL_MOD, w, nev);
    if (rc == 0)
        w->events = nev;
    pthread_mutex_unlock(&tb->flock);
    return rc;
}

int ng_fdwatch_remove(struct ng_fdwatch *w)
{
    if (!w)
        return -EINVAL;
    struct ngi_tbase *tb = atomic_load_explicit(FD_BASE(w), memory_order_acquire);
    if (!tb)
        return -ENOENT;
    pthread_mutex_lock(&tb->flock);
    if (!w->id || w->dead) {
        pthread_mutex_unlock(&tb->flock);
        return -ENOENT;
    }
    w->dead = 1; /* no loop hands on a call, no queued call runs fn */
    fw_detach(w);
    while (w->running && w->runner != FD_SELF) {
        w->nwait++;
        pthread_cond_wait(&tb->fcond, &tb->flock);
        w->nwait--;
    }
    struct ng_hook *h;
    struct ng_node *n = fw_clear(tb, w, &h);
    pthread_mutex_unlock(&tb->flock);
    fw_unref(n, h);
    return 0;
}

int ng_fdwatch_worker(const struct ng_fdwatch *w)
{
    if (!w)
        return -EINVAL;
    struct ngi_tbase *tb =
        atomic_load_explicit(FD_BASE((struct ng_fdwatch *)w), memory_order_acquire);
    if (!tb)
        return -ENOENT;
    pthread_mutex_lock(&tb->flock);
    int r = w->id ? w->bound : -ENOENT;
    pthread_mutex_unlock(&tb->flock);
    return r;
}
