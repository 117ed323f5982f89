/*
 * runtime.c - the runtime scenario: W = 1..cores runtime workers
 * (ng_runtime_start) fed by application producer threads with
 * ng_runtime_submit_burst (bursts of up to RT_BURST items), each worker
 * sending the items through a chain ("private": its own, "shared": one for
 * all) to a sink; bench-level backpressure (bounded items in flight per
 * worker, struct producer in ngbench.h), latency submit -> sink.
 */
#include "ngbench.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

/* Served worker (index into p's arrays) with room in its in-flight window,
 * round robin; -1 if all are full and the run is stopping. */
static int rt_pick(struct producer *p, struct run *r)
{
    unsigned window = r->o->rt_window;
    for (bool waited = false;; waited = true) {
        for (int n = 0; n < p->nw; n++) {
            int k = p->next;
            p->next = k + 1 == p->nw ? 0 : k + 1;
            if (p->credit[k])
                return k;
            uint64_t done =
                atomic_load_explicit(&r->w[p->wid[k]].slot.delivered, memory_order_relaxed);
            uint64_t inflight = p->sub[k] > done ? p->sub[k] - done : 0;
            if (inflight <= window / 2) { /* hysteresis: refill in bursts */
                p->credit[k] = window - inflight;
                return k;
            }
        }
        if (!waited)
            p->bp_waits++; /* this submit waits (counted once) */
        if (atomic_load_explicit(&r->stop, memory_order_relaxed))
            return -1;
        sched_yield(); /* on a shared core, let the worker run */
    }
}

/* Submit up to n items (bounded by worker k's window credit) to worker k in
 * one ng_runtime_submit_burst(); items whose sequence number is a multiple
 * of the latency sampling period carry a timestamp.  Returns the number of
 * items handed over (or consumed by a failed submit). */
static unsigned rt_submit(struct producer *p, struct ng_graph *g, struct ng_runtime *rt, int k,
                          unsigned n, bool timed)
{
    struct ng_item *items[RT_BURST];
    if (n > RT_BURST)
        n = RT_BURST;
    if (n > p->credit[k] && p->credit[k] > 0)
        n = (unsigned)p->credit[k];
    unsigned m = 0;
    for (; m < n; m++) {
        struct ng_item *it = ng_item_alloc(g, 64);
        if (__builtin_expect(it == NULL, 0)) {
            p->alloc_fail++;
            break;
        }
        if (timed && (p->seq++ & LAT_SAMPLE_MASK) == 0)
            ((uint64_t *)ng_item_meta(it))[0] = ngb_now_ns();
        items[m] = it;
    }
    if (m == 0)
        return 0;
    int rc = ng_runtime_submit_burst(rt, p->wid[k], p->head[k], items, m);
    if (__builtin_expect(rc == 0, 1)) {
        p->sub[k] += m;
        p->credit[k] = p->credit[k] > m ? p->credit[k] - m : 0;
        return m;
    }
    /* runtime.h: submit consumes the items in every case.  -ESHUTDOWN:
     * dropped and counted by the engine (NG_DROP_QUEUE, in the graph's
     * drops); -EINVAL: freed without a drop count, so the bench counts them.
     * Neither is expected while the run lasts (valid arguments, runtime not
     * stopping): the run is reported as failed. */
    p->sub_fail += m;
    if (rc != -ESHUTDOWN)
        p->sub_freed += m;
    if (!p->first_err)
        p->first_err = rc;
    return m;
}

static void *producer_main(void *arg)
{
    struct producer *p = arg;
    struct run *r = p->run;
    struct ng_graph *g = r->g;
    struct ng_runtime *rt = r->rt;
    ngb_pin_cpu(p->cpu);
    /* Not needed by ng_runtime_submit (any thread may call it); gives the
     * thread its item cache up front, like the other scenarios' workers. */
    ng_thread_register(g);
    for (int i = 0; i < WARMUP_ITEMS;) {
        unsigned m = rt_submit(p, g, rt, rt_pick(p, r), RT_BURST, false);
        i += m ? (int)m : 1;
    }
    /* Let the warm-up items reach the sinks before the timed phase. */
    uint64_t give_up = ngb_now_ns() + 2000000000ull;
    for (int k = 0; k < p->nw && ngb_now_ns() < give_up; k++)
        while (atomic_load_explicit(&r->w[p->wid[k]].slot.delivered, memory_order_relaxed) <
                   p->sub[k] &&
               ngb_now_ns() < give_up)
            sched_yield();
    p->bp_waits = 0;
    pthread_barrier_wait(&r->bar);
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        for (int i = 0; i < 2; i++) {
            int k = rt_pick(p, r);
            if (k < 0)
                break;
            p->timed += rt_submit(p, g, rt, k, RT_BURST, true);
        }
    }
    ng_thread_unregister(g);
    return NULL;
}

/* CPU time consumed so far by runtime worker i's thread (0 if unknown). */
static uint64_t rt_worker_cpu(struct run *r, int i)
{
    struct tslot *s = &r->w[i].slot;
    struct timespec ts;
    if (!atomic_load_explicit(&s->clk_ok, memory_order_acquire) || clock_gettime(s->clk, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Start the runtime with W workers, worker i pinned to CPU i % ncpu like the
 * other scenarios' workers, and bind its sinks' slots. */
static void rt_start(struct run *r, struct ng_hook *const *heads, int nchains, long ncpu)
{
    const struct ngb_opts *o = r->o;
    int W = r->c->workers;
    struct tslot *slots[MAXW];
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        w->idx = i;
        w->run = r;
        w->head = heads[i % nchains];
        w->slot.caplat = LAT_CAP;
        w->slot.lat = malloc(LAT_CAP * sizeof(uint32_t));
        slots[i] = &w->slot;
    }
    int cpus[MAXW];
    for (int i = 0; i < W; i++)
        cpus[i] = (int)(i % ncpu);
    struct ng_runtime_config rc;
    ng_runtime_config_init(&rc);
    rc.nworkers = (unsigned)W;
    rc.cpus = cpus;
    rc.ncpus = (unsigned)W;
    if (o->rt_spin)
        rc.spin = o->rt_spin;
    if (ng_runtime_start(r->g, &rc, &r->rt) < 0) {
        fprintf(stderr, "ngbench: ng_runtime_start failed\n");
        exit(2);
    }
    ngb_rt_publish(r->rt, slots, W);
}

/* Start P producers, each serving every P-th worker. */
static void rt_producers(struct run *r, long ncpu)
{
    int W = r->c->workers;
    int P = (W + RT_PER_PRODUCER - 1) / RT_PER_PRODUCER;
    r->np = P;
    pthread_barrier_init(&r->bar, NULL, (unsigned)(P + 1));
    for (int p = 0; p < P; p++) {
        struct producer *pr = &r->prod[p];
        pr->idx = p;
        pr->run = r;
        pr->cpu = (int)((ncpu - 1 - p % ncpu + ncpu) % ncpu); /* from the last CPU down */
        for (int i = p; i < W; i += P) {
            pr->wid[pr->nw] = i;
            pr->head[pr->nw] = r->w[i].head;
            pr->nw++;
        }
        pthread_create(&pr->tid, NULL, producer_main, pr);
    }
}

/* Producers' totals into r and per-worker sent counts into r->w[]. */
static void rt_collect(struct run *r)
{
    for (int p = 0; p < r->np; p++) {
        struct producer *pr = &r->prod[p];
        for (int k = 0; k < pr->nw; k++)
            r->w[pr->wid[k]].sent = pr->sub[k];
        r->sub_fail += pr->sub_fail;
        r->sub_freed += pr->sub_freed;
        r->alloc_fail += pr->alloc_fail;
        r->bp_waits += pr->bp_waits;
        r->timed_sub += pr->timed;
        if (pr->first_err && !r->sub_err)
            r->sub_err = pr->first_err;
    }
}

/*
 * One runtime run: start W pinned workers, P producers, measure for
 * c->seconds, stop the producers, then ng_runtime_stop() (drains every
 * queue).  Fills r->w[i] like the injecting workers of the other scenarios:
 * sent = items queued on worker i, timed = items worker i delivered in the
 * timed window, cpu_ns = its CPU time in that window, t_ns = the window.
 */
void ngb_rt_run(struct run *r, struct ng_hook *const *heads, int nchains)
{
    struct cfg *c = r->c;
    int W = c->workers;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        ncpu = 1;
    rt_start(r, heads, nchains, ncpu);
    rt_producers(r, ncpu);
    pthread_barrier_wait(&r->bar);
    uint64_t d0[MAXW], c0[MAXW], idle0[MAXW];
    uint64_t t0 = ngb_now_ns();
    for (int i = 0; i < W; i++) {
        struct ng_worker_stats ws;
        d0[i] = atomic_load_explicit(&r->w[i].slot.delivered, memory_order_relaxed);
        c0[i] = rt_worker_cpu(r, i);
        idle0[i] = ng_runtime_worker_stats(r->rt, (unsigned)i, &ws) == 0 ? ws.idle_ns : 0;
    }
    ngb_sleep_until(t0 + (uint64_t)(c->seconds * 1e9));
    atomic_store(&r->stop, 1);
    uint64_t t1 = ngb_now_ns(), idle = 0;
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        struct ng_worker_stats ws;
        uint64_t c1 = rt_worker_cpu(r, i);
        w->timed = atomic_load_explicit(&w->slot.delivered, memory_order_relaxed) - d0[i];
        w->cpu_ns = c0[i] && c1 > c0[i] ? c1 - c0[i] : 0;
        w->t_ns = t1 - t0;
        if (ng_runtime_worker_stats(r->rt, (unsigned)i, &ws) == 0) {
            idle += ws.idle_ns - idle0[i];
            if (r->o->verbose)
                fprintf(stderr,
                        "\n  worker %d (cpu %d): %" PRIu64 " items, %.1f ns CPU/item, "
                        "%.1f%% asleep, %" PRIu64 " wake-ups, %" PRIu64 " drains, queue %" PRIu64,
                        i, ng_runtime_pinned(r->rt, (unsigned)i), w->timed,
                        w->timed ? (double)w->cpu_ns / (double)w->timed : 0,
                        100.0 * (double)(ws.idle_ns - idle0[i]) / (double)(t1 - t0), ws.wakeups,
                        ws.drains, ws.queue_depth);
        }
    }
    r->idle = (double)idle / ((double)W * (double)(t1 - t0));
    for (int p = 0; p < r->np; p++)
        pthread_join(r->prod[p].tid, NULL);
    ng_runtime_stop(r->rt); /* drains the worker and node queues */
    ngb_rt_retract(W);
    r->rt = NULL;
    rt_collect(r);
}
