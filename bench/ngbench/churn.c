/*
 * churn.c - the churn scenario's control thread: changes the topology of
 * the live chain at a paced rate while the workers push items.
 */
#include "ngbench.h"

#include <sys/prctl.h>
#include <unistd.h>

/* Churn: one "change" is one of: disconnect the middle link, reconnect it
 * (done back to back), insert a node into the link (create, disconnect,
 * connect both sides), remove that node (shutdown, reconnect).  Cycle of 4
 * changes, paced so that the average is the target rate. */
static int churn_op(struct run *r, uint64_t op, struct ng_node **x)
{
    struct ng_graph *g = r->g;
    int rc = 0;
    switch (op & 3) {
    case 0:
        rc = ng_rmhook(r->mid, "out");
        break;
    case 1:
        rc = ng_connect(r->mid, "out", r->nxt, "in");
        break;
    case 2:
        if ((rc = ng_node_create(g, r->passtype, x)) < 0)
            break;
        if ((rc = ng_rmhook(r->mid, "out")) < 0)
            break;
        if ((rc = ng_connect(r->mid, "out", *x, "in")) < 0)
            break;
        rc = ng_connect(*x, "out", r->nxt, "in");
        break;
    default:
        if (*x) {
            ng_node_shutdown(*x);
            ng_node_unref(*x);
            *x = NULL;
        }
        rc = ng_connect(r->mid, "out", r->nxt, "in");
        break;
    }
    return rc;
}

void *ngb_churn_main(void *arg)
{
    struct run *r = arg;
    struct ng_graph *g = r->g;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    ngb_pin_cpu((int)(ncpu > 1 ? ncpu - 1 : 0));
    (void)prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* precise pacing */
    ngb_slot_set(&r->ctl_slot);
    ng_thread_register(g);
    pthread_barrier_wait(&r->bar);
    struct ng_node *x = NULL;
    uint64_t period = (uint64_t)(1e9 / r->c->rate);
    uint64_t t0 = ngb_now_ns(), next = t0, op = 0;
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        uint64_t b0 = ngb_now_ns();
        if (churn_op(r, op, &x) < 0)
            r->ctl_err++;
        r->busy_ns += ngb_now_ns() - b0;
        op++;
        if ((op & 7) == 0) {
            struct ng_graph_stats st;
            ng_graph_stats(g, &st);
            if (st.defer_pending > r->defer_peak)
                r->defer_peak = st.defer_pending;
        }
        next += period;
        if ((op & 3) == 1)
            continue; /* reconnect right after the disconnect: short gap */
        /* Average-rate pacing: a late wake-up (sleep overshoot on a busy
         * machine) is caught up by the next changes; only a backlog of more
         * than 50 ms is forgotten.  Sleeps shorter than 20 us are skipped. */
        uint64_t now = ngb_now_ns();
        if (next + 50000000ull < now)
            next = now;
        if (next > now + 20000)
            ngb_sleep_until(next);
    }
    r->ctl_ns = ngb_now_ns() - t0;
    r->ops = op;
    /* Leave the chain whole. */
    while (op & 3) {
        if (churn_op(r, op, &x) < 0)
            r->ctl_err++;
        op++;
    }
    ng_thread_unregister(g);
    ngb_slot_set(NULL);
    return NULL;
}
