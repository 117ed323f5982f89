/*
 * entry.pml - a Promela model of libngraph's netgraph-mode node entry with
 * the biased (asymmetric) reader scheme, its queue and drain, and hook
 * removal.  Checked by tests/model/run.sh with spin; see README.md here.
 *
 * One node n.  NR reader threads send data items (RITEMS each), NW writer
 * threads send messages (WITEMS each).  Whoever wins DRAIN drains inline.
 * The memory model is TSO for the one store that the protocol leaves
 * unfenced: each reader's stores to its announcement slot go through a
 * per-thread FIFO store buffer (sb[i]) that a flusher process commits to
 * memory (slot[i]) at any time, in order; a fence or an atomic RMW by that
 * thread empties it first; membarrier() empties every thread's buffer at
 * once.  Every other shared access is an atomic RMW, or a load, or a store
 * followed by an RMW of the same thread before it matters, so it is
 * sequentially consistent here.
 *
 * Compile-time switches (spin -D...):
 *   NR, NW, RITEMS, WITEMS   threads and items (defaults 2, 1, 1, 1)
 *   INIT_BIAS=0|1            BIAS at the start (1: the node was armed; 0: a
 *                            node that has not been re-armed yet, so direct
 *                            writers and counted readers run)
 *   WORKER                   a runtime worker: a kick winner may hand the
 *                            node to it instead of draining inline
 *   REMOVE                   hook removal: a remover cuts the hook, the last
 *                            reference defers its free by a grace period
 *   SPEC_D0                  the spec's D0 (clear PENDING, then re-check the
 *                            queue) instead of the fixed one (NEWQ)
 *   FIFO_PER_THREAD          the no-overtaking check among each thread's own
 *                            items only (per-sender order)
 *   SPEC_KICK                the spec's kick (CAS DRAIN whatever PENDING)
 *                            instead of the fixed one (only while PENDING)
 *   NO_OWNER_PENDING_CHECK   no assertion that an owner with an item sees
 *                            PENDING (to let SPEC_KICK run into the mutual
 *                            exclusion violation that follows)
 *   NO_RETRACT_NOTIFY        drop the NOTIFY after a retract (E5): an
 *                            optimisation the model shows to be safe or not
 * Broken variants (run.sh requires spin to refute each one):
 *   BROKEN_NO_MEMBARRIER     membarrier() is a no-op
 *   BROKEN_NO_NOTIFY_FENCE   NOTIFY without its full fence
 *   BROKEN_NO_L3             a biased leave never NOTIFYs
 *   BROKEN_NO_PARK_RETAKE    W3 never re-takes DRAIN after its rescan
 *   W1_ONCE                  W1 skipped for a parked writer item taken back
 *                            (safe with the fixed kick: PENDING stays set)
 *   BROKEN_NO_GRACE          the deferred free runs without a grace period
 *   BROKEN_PLAIN_REF         enqueue takes a plain hook reference (no tryref)
 */

#ifndef NR
#define NR 2
#endif
#ifndef NW
#define NW 1
#endif
#ifndef RITEMS
#define RITEMS 1
#endif
#ifndef WITEMS
#define WITEMS 1
#endif
#ifndef INIT_BIAS
#define INIT_BIAS 1
#endif

#define NP (NR + NW)                     /* threads sending items */
#ifdef WORKER
#define NT (NP + 1)                      /* and the runtime worker */
#else
#define NT NP
#endif
#define NRITEMS (NR * RITEMS)            /* data items: ids 0 .. NRITEMS-1 */
#define NITEMS (NRITEMS + NW * WITEMS)   /* then the messages */
#define ALLITEMS ((1 << NITEMS) - 1)
#define NONE 255
#define SBSZ (2 * RITEMS)                /* a reader's stores never block */
#define BIT(x) (1 << (x))
#define IS_DATA(x) ((x) < NRITEMS)
/* FIFO_PER_THREAD: check overtaking among one thread's own items only */
#ifdef FIFO_PER_THREAD
#define OWNMASK(me) (((me) < NR) -> (((1 << RITEMS) - 1) << ((me) * RITEMS)) \
                                 : (((1 << WITEMS) - 1) << (NRITEMS + ((me) - NR) * WITEMS)))
#else
#define OWNMASK(me) ALLITEMS
#endif

/* qstate: READERS in bits 0..2, then the flags (entry.c's NGQ_*, bias.md) */
#define RMASK   7
#define WRITER  8
#define PENDING 16
#define DRAIN   32
#define BIAS    64
#define NEWQ    128                      /* the D0 fix: an enqueue happened */
#define ELIGIBLE 1                       /* the node may get BIAS */

byte q = (INIT_BIAS * BIAS);

/* the MPSC queue (push: atomic exchange; pop_wait: linearised at the push)
 * and the owner's parked head item */
chan queue = [NITEMS] of { byte };
byte held = NONE;

/* announcement slots: memory, and each reader's store buffer */
bit slot[NR];
chan sb[NR] = [SBSZ] of { bit };

/* ghosts: who is inside, what ran, the FIFO bookkeeping */
byte rin;            /* readers inside (biased or counted) */
byte win;            /* writers inside */
short started;       /* items run or dropped (each exactly once) */
short queued;        /* items whose enqueue completed (PENDING set by it) */
byte qseq[NITEMS];   /* push order */
byte pushseq;
byte runseq;         /* next push order to leave the queue */
byte ndone;          /* threads finished */

#ifdef REMOVE
/* the hook the data items arrive on (with its node: released together) */
bit hinvalid;
byte hrefs = 1;      /* the node's hook-list reference */
bit hdefer;          /* last reference dropped: free after a grace period */
bit hfreed;
bit insec[NT];       /* read-side sections (RCU, ideal) */
byte secgen[NT];
#define SEC_ENTER(me) insec[me] = 1
#define SEC_EXIT(me) atomic { insec[me] = 0; secgen[me]++ }
#define USE_HOOK assert(!hfreed)
#else
#define SEC_ENTER(me) skip
#define SEC_EXIT(me) skip
#define USE_HOOK skip
#endif

/* Reachability probes: -DPROBE=n turns REACH(n) / REACHIF(n, c) into an
 * assertion that fails where the path n is taken, so run.sh can require
 * that spin reaches it (a check that cannot fail is worth nothing: these
 * show that the interesting interleavings are really explored). */
#ifdef PROBE
#define REACHIF(n, c) assert(!((PROBE == n) && (c)))
#else
#define REACHIF(n, c) skip
#endif
#define REACH(n) REACHIF(n, 1)

/* ---- memory ----------------------------------------------------------- */

/* a full fence (or the drain part of an RMW) by thread me */
inline fence(me)
{
    if
    :: me < NR ->
        do
        :: sb[me]?fv -> slot[me] = fv
        :: empty(sb[me]) -> break
        od
    :: else -> skip
    fi
}

/* membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): a full barrier on every
 * running thread of the process, i.e. every store buffer drained */
inline membarrier()
{
#ifndef BROKEN_NO_MEMBARRIER
    d_step {
        i = 0;
        do
        :: i < NR ->
            do
            :: sb[i]?fv -> slot[i] = fv
            :: empty(sb[i]) -> break
            od;
            i++
        :: else -> break
        od;
        i = 0
    }
#else
    skip
#endif
}

/* ---- ghosts --------------------------------------------------------- */

inline start(x)
{
    assert(!(started & BIT(x)));          /* each item runs once */
    started = started | BIT(x)
}

/* an arrival that runs without the queue: nothing queued before it
 * arrived may still be waiting (FIFO: no overtaking) */
inline direct(x)
{
    assert((snap & ~started) == 0);
    start(x)
}

/* an item leaving the queue: in push order */
inline fromq(x)
{
    assert(qseq[x] == runseq);
    runseq++;
    start(x)
}

inline in_reader()
{
    assert(win == 0);
    rin++
}

inline in_writer()
{
    assert(win == 0 && rin == 0);
    win++
}

/* ---- hooks ------------------------------------------------------------ */

inline unpin(x)
{
#ifdef REMOVE
    if
    :: IS_DATA(x) ->
        d_step {
            assert(hrefs > 0);
            hrefs--;
            if
            :: hrefs == 0 -> hdefer = 1
            :: else -> skip
            fi
        }
    :: else -> skip
    fi
#else
    skip
#endif
}

/* ---- scans (W2 / W3) ------------------------------------------------- */

/* the announcement slots, one acquire load each.  Reader i's buffered
 * stores reach memory at any time, in order; nobody but a scan looks at
 * slot[i], so letting the scan commit any prefix of sb[i] just before its
 * load gives exactly the behaviours of an eager, independent flusher */
inline scan_slots()
{
    i = 0;
    do
    :: i < NR ->
        atomic {
            do
            :: nempty(sb[i]) -> sb[i]?fv; slot[i] = fv
            :: true -> break
            od;
            fv = 0;
            if
            :: slot[i] -> busy = 1; REACH(7); REACHIF(8, len(sb[i]) > 0)
            :: else -> skip
            fi
        };
        i++
    :: else -> break
    od;
    i = 0
}

/* ---- the DRAIN owner ------------------------------------------------- */

/* ngi_mpsc_pop_wait: the head item, or NONE */
inline pop()
{
    if
    :: nempty(queue) -> queue?it
    :: empty(queue) -> it = NONE
    fi
}

/* take DRAIN back by a CAS from s & ~DRAIN (the value our release left);
 * stop if anything changed (someone else owns it, or will kick) */
inline retake(tag)
{
    d_step {
        if
        :: q == (s & ~DRAIN) -> q = q | DRAIN; REACH(tag)
        :: else -> stop = 1
        fi
    }
}

/* release DRAIN after D0, with the re-take for an enqueuer that relied
 * on us (entry.c) */
inline release_drain(me)
{
    d_step { fence(me); s = q; q = q & ~DRAIN };
    if
    :: (s & PENDING) && !(s & (RMASK | WRITER)) ->
        retake(15)
    :: else -> stop = 1
    fi;
    s = 0
}

/* D0: nothing held, the queue found empty */
inline d0(me)
{
#ifdef SPEC_D0
    /* bias.md D0: clear PENDING (and RE-ARM), re-check, let go */
    d_step {
        fence(me);
        q = q & ~PENDING;
        if
        :: ELIGIBLE && !(q & WRITER) -> q = q | BIAS
        :: else -> skip
        fi
    };
    d_step {
        pop()
    };
    if
    :: it != NONE ->
        d_step { fence(me); q = q | PENDING };
        held = it;
        it = NONE
    :: else -> release_drain(me)
    fi
#else
    /* fixed D0: PENDING is cleared only if no enqueue completed since
     * the owner last looked at the queue */
    do
    :: d_step { fence(me); q = q & ~NEWQ };
        d_step {
            pop()
        };
        if
        :: it != NONE -> held = it; it = NONE; break
        :: else ->
            d_step {
                fence(me);
                if
                :: !(q & NEWQ) ->
                    q = q & ~PENDING;
                    if
                    :: ELIGIBLE && !(q & WRITER) -> q = q | BIAS
                    :: else -> skip
                    fi;
                    ok = 1
                :: else -> ok = 0; REACH(16)
                fi
            };
            if
            :: ok -> ok = 0; release_drain(me); break
            :: else -> skip
            fi
        fi
    od
#endif
}

/* W3: park the writer item, let go of DRAIN, rescan, maybe re-take */
inline park_writer(me)
{
    held = it;
    it = NONE;
    d_step { fence(me); s = q; q = q & ~DRAIN };   /* seq_cst RMW + fence */
    busy = 0;
#ifndef BROKEN_SPIN_PARK
    scan_slots();
#endif
    if
    :: s & (RMASK | WRITER) -> busy = 1
    :: else -> skip
    fi;
#ifdef BROKEN_NO_PARK_RETAKE
    busy = 1;                                      /* always leave it to NOTIFY */
#endif
    if
    :: !busy ->
        retake(9)
    :: else -> stop = 1
    fi;
    busy = 0;
    s = 0
}

/* one head item `it` */
inline dispatch(me)
{
#ifdef REMOVE
    if
    :: IS_DATA(it) && hinvalid ->       /* data for a removed hook: dropped */
        d_step { fromq(it); REACH(20) };
        unpin(it);
        it = NONE
    :: else -> skip
    fi;
#endif
    if
    :: it == NONE -> skip
    :: IS_DATA(it) ->
        /* D1: a counted reader entry regardless of PENDING and BIAS */
        d_step {
            fence(me);
            if
            :: !(q & WRITER) -> q = q + 1; ok = 1; fromq(it); in_reader(); REACH(4)
            :: else -> ok = 0
            fi
        };
        if
        :: ok ->
            USE_HOOK;
            d_step { rin--; q = q - 1 };          /* leave: no kick, we own DRAIN */
            unpin(it);
            ok = 0
        :: else ->
            /* blocked by a writer: park (entry.c) */
            held = it;
            d_step { REACH(5); fence(me); s = q; q = q & ~DRAIN };
            if
            :: !(s & WRITER) ->
                retake(0)
            :: else -> stop = 1
            fi;
            s = 0
        fi;
        it = NONE
    :: else ->
        /* D2: a writer item.  W1: revoke (again for a parked item taken
         * back: BIAS may have been re-armed meanwhile) */
        if
#ifdef W1_ONCE
        :: fromheld -> skip
        :: !fromheld && (q & BIAS) ->
#else
        :: q & BIAS ->
#endif
            d_step { REACH(6); fence(me); q = q & ~BIAS };
            membarrier()
        :: else -> skip
        fi;
        fromheld = 0;
        /* W2: scan */
        busy = 0;
        scan_slots();
        if
        :: q & (RMASK | WRITER) -> busy = 1
        :: else -> skip
        fi;
        if
        :: busy -> park_writer(me)
        :: else ->
            /* W4 */
            d_step {
                fence(me);
                if
                :: !(q & (RMASK | WRITER)) -> q = q | WRITER; ok = 1; fromq(it); in_writer()
                :: else -> ok = 0; REACH(23)
                fi
            };
            if
            :: ok ->
                d_step {
                    /* PENDING is set (an owner's item): no re-arm here */
                    win--;
                    q = q & ~WRITER;
                    if
                    :: ELIGIBLE && !(q & PENDING) -> q = q | BIAS
                    :: else -> skip
                    fi
                };
                ok = 0;
                it = NONE
            :: else -> park_writer(me)
            fi
        fi
    fi
}

/* ngi_node_drain: we own DRAIN */
inline drain(me)
{
    stop = 0;
    do
    :: !stop ->
        d_step {
            if
            :: held != NONE -> it = held; held = NONE; fromheld = 1
            :: else ->
                fromheld = 0;
                pop()
            fi;
            /* the owner has an item: PENDING is set (what lets try_write
             * trust "BIAS clear and PENDING clear" without a scan, and
             * what queues arrivals behind a parked item) */
#ifndef NO_OWNER_PENDING_CHECK
            assert(it == NONE || (q & PENDING))
#endif
        };
        if
        :: it == NONE -> d0(me)
        :: else -> dispatch(me)
        fi
    :: else -> stop = 0; break
    od
}

/* kick: CAS DRAIN clear -> set.  The winner (won) drains inline: a kick
 * is always the last action of a step of the thread's item (see reader()),
 * and the thread runs drain() right after that step, before anything
 * else, so drain() is expanded once per thread type */
inline kick(me, tag)
{
    d_step {
        fence(me);
        if
#ifdef SPEC_KICK
        :: !(q & DRAIN) -> q = q | DRAIN; won = 1; REACH(tag)
#else
        /* fixed kick: only while PENDING is set.  A kick decided on an
         * older qstate may come after another owner drained the queue
         * and cleared PENDING; taking DRAIN then would let this owner pop
         * an item whose enqueuer has not set PENDING yet (push comes
         * first) and revoke / park with PENDING clear, where try_write
         * enters without a scan (see README.md) */
        :: (q & PENDING) && !(q & DRAIN) -> q = q | DRAIN; won = 1; REACH(tag)
#endif
        :: else -> won = 0
        fi
    }
}

/* ---- arrivals ----------------------------------------------------------- */

/* enqueue item x: push, then fetch_or PENDING, kick unless busy */
inline enqueue(me, x)
{
    ok = 1;
#ifdef REMOVE
    if
    :: IS_DATA(x) ->
        d_step {
            fence(me);
            USE_HOOK;
#ifdef BROKEN_PLAIN_REF
            hrefs++                      /* may resurrect a deferred hook */
#else
            if
            :: hrefs > 0 -> hrefs++
            :: else -> ok = 0; start(x); REACH(21)   /* the hook is going: dropped */
            fi
#endif
        }
    :: else -> skip
    fi;
#endif
    if
    :: ok ->
        d_step { fence(me); queue!x; qseq[x] = pushseq; pushseq++ };
        d_step {
            fence(me);
            s = q;
            q = q | PENDING | NEWQ;
            queued = queued | BIT(x)
        };
        ok = 0;
        if
        :: !(s & (DRAIN | RMASK | WRITER)) -> s = 0; kick(me, 11)
        :: else -> s = 0
        fi
    :: else -> ok = 0
    fi
}

/* NOTIFY: full fence, then kick if the queue waits on nobody */
inline notify(me, tag)
{
#ifndef BROKEN_NO_NOTIFY_FENCE
    d_step { fence(me) };
#endif
    s = q;
    if
    :: (s & PENDING) && !(s & (DRAIN | RMASK | WRITER)) -> s = 0; kick(me, tag)
    :: else -> s = 0
    fi
}

/* the counted path: try_read or enqueue */
inline counted(me, x)
{
    d_step {
        fence(me);
        if
        :: !(q & (WRITER | PENDING)) -> q = q + 1; ok = 1; direct(x); in_reader(); REACH(3)
        :: else -> ok = 0
        fi
    };
    if
    :: ok ->
        ok = 0;
        USE_HOOK;
        d_step { fence(me); rin--; q = q - 1; s = q };   /* fetch_sub, release */
        if
        :: (s & PENDING) && !(s & (DRAIN | RMASK)) -> s = 0; kick(me, 12)
        :: else -> s = 0
        fi
    :: else -> enqueue(me, x)
    fi
}

/* a data item x arriving at n from reader thread me: the biased entry;
 * sets phase to 1 (the counted path next) or 2 (done) */
inline data_first(me, x)
{
#ifdef REMOVE
    if
    :: hinvalid -> d_step { start(x); REACH(22) }; phase = 2   /* the hop drops it (cut link) */
    :: else ->
#endif
    if
    :: true ->
        /* E1 (a free slot), E2: slot = n, a plain store; E3: compiler barrier */
        sb[me]!1;
        /* E4: s = qstate; E5 */
        d_step {
            s = q;
            if
            :: (s & BIAS) && !(s & PENDING) -> ok = 1; direct(x); in_reader(); REACH(1)
            :: else -> ok = 0
            fi
        };
        if
        :: ok ->
            ok = 0;
            USE_HOOK;
            /* L1: slot = NULL (release store); L2: compiler barrier */
            d_step { rin--; sb[me]!0 };
            /* L3: s = qstate; L4 */
#ifndef BROKEN_NO_L3
            if
            :: q & BIAS -> skip
            :: else -> notify(me, 10)
            fi;
#endif
            phase = 2
        :: else ->
            /* retract, NOTIFY, the counted path */
            d_step { REACH(2); sb[me]!0 };
#ifndef NO_RETRACT_NOTIFY
            notify(me, 14);
#endif
            phase = 1
        fi
    :: true ->
        /* E1: no free slot (nested too deep): the counted path */
        phase = 1
    fi
#ifdef REMOVE
    fi
#endif
}

/* a message x from writer thread me: try_write or enqueue.  try_write
 * (entry.c) on an otherwise idle node turns BIAS into WRITER in one CAS
 * (R1), then membarrier and the scan: no announced reader, it runs; one
 * still inside, it queues its item while holding WRITER and then leaves
 * as a writer, which hands the item to the drain.  -DNO_R1: the writer
 * never enters a biased node directly (it queues). */
inline msg_item(me, x)
{
    d_step {
        s = q;
        if
#ifdef NO_R1
        :: !(s & (RMASK | WRITER | PENDING | BIAS)) -> q = s | WRITER; ok = 1; direct(x); in_writer(); REACH(17)
#else
        :: !(s & (RMASK | WRITER | PENDING)) && !(s & BIAS) ->
            q = s | WRITER; ok = 1; direct(x); in_writer(); REACH(17)
        :: !(s & (RMASK | WRITER | PENDING)) && (s & BIAS) ->
            fence(me); q = (s & ~BIAS) | WRITER; ok = 2
#endif
        :: else -> ok = 0
        fi
    };
#ifndef NO_R1
    if
    :: ok == 2 ->
        /* R1: revoked inline; we hold WRITER (no drain owner can start,
         * every kick needs !WRITER... or PENDING, which nobody sets
         * without pushing behind us) */
        busy = 0;
#ifndef BROKEN_R1_NO_SCAN
        membarrier();
        scan_slots();
#endif
        if
        :: busy ->
            /* a reader still inside: queue the message, then leave */
            REACH(24);
            busy = 0;
            enqueue(me, x);
            d_step {
                q = q & ~WRITER;                 /* PENDING set by us: no re-arm */
                s = q
            };
            if
            :: (s & PENDING) && !(s & (DRAIN | RMASK)) -> s = 0; kick(me, 25)
            :: else -> s = 0
            fi;
            ok = 3                                /* handled */
        :: else ->
            d_step { direct(x); in_writer(); REACH(26) };
            ok = 1
        fi
    :: else -> skip
    fi;
#endif
    if
    :: ok == 1 ->
        ok = 0;
        /* writer leave: clear WRITER, re-arm BIAS if nothing is pending */
        d_step {
            win--;
            q = q & ~WRITER;
            if
            :: ELIGIBLE && !(q & PENDING) -> q = q | BIAS; REACH(18)
            :: else -> skip
            fi;
            s = q
        };
        if
        :: (s & PENDING) && !(s & (DRAIN | RMASK)) -> s = 0; kick(me, 13)
        :: else -> s = 0
        fi
    :: ok == 0 -> enqueue(me, x)
    :: ok == 3 -> ok = 0
    fi
}

/* the kick winner drains inline, or (WORKER) may hand the node to the
 * runtime worker (ngi_runtime_ops.schedule) and go on */
#ifdef WORKER
bit sched;           /* a node handed to the worker, DRAIN with it */
bit wdone;
#define OWN(me) if :: drain(me) :: sched = 1 fi
#else
#define OWN(me) drain(me)
#endif

/* ---- threads -------------------------------------------------------------- */

#define LOCALS byte it = NONE; byte s; byte i; byte k; byte x; short snap; \
               byte phase; bit fv; byte ok; bit busy; bit stop; bit won; bit fromheld

/* a thread sending RITEMS data items, each in a read-side section; a won
 * kick drains inline right after the step that won it */
proctype reader(byte me)
{
    LOCALS;
    do
    :: k < RITEMS ->
        x = me * RITEMS + k;
        SEC_ENTER(me);
        snap = queued & OWNMASK(me);
        do
        :: won -> won = 0; OWN(me)
        :: !won && phase == 0 -> data_first(me, x)
        :: !won && phase == 1 -> counted(me, x); phase = 2
        :: !won && phase == 2 -> break
        od;
        phase = 0;
        snap = 0;
        SEC_EXIT(me);
        k++
    :: else -> break
    od;
    ndone++
}

/* a thread sending WITEMS messages */
proctype writer(byte me)
{
    LOCALS;
    do
    :: k < WITEMS ->
        x = NRITEMS + (me - NR) * WITEMS + k;
        SEC_ENTER(me);
        snap = queued & OWNMASK(me);
        do
        :: won -> won = 0; OWN(me)
        :: !won && phase == 0 -> msg_item(me, x); phase = 2
        :: !won && phase == 2 -> break
        od;
        phase = 0;
        snap = 0;
        SEC_EXIT(me);
        k++
    :: else -> break
    od;
    ndone++
}

#ifdef WORKER
/* a runtime worker: drains the nodes scheduled on it, each in a read-side
 * section (its quiescent point between them) */
proctype worker(byte me)
{
    LOCALS;
    do
    :: sched ->
        sched = 0;
        SEC_ENTER(me);
        drain(me);
        SEC_EXIT(me)
    :: ndone == NP && !sched -> break
    od;
    wdone = 1
}
#endif

#ifdef REMOVE
/* the control thread: cut the hook (HKF_INVALID), drop the list
 * reference (ngi_hook_destroy_locked) */
proctype remover()
{
    hinvalid = 1;
    d_step {
        hrefs--;
        if
        :: hrefs == 0 -> hdefer = 1
        :: else -> skip
        fi
    }
}

/* the backend's deferred free: after a grace period (every thread that
 * was in a read-side section when the free was deferred has left it) */
proctype reclaimer()
{
    bit was[NT];
    byte gen[NT];
    byte j;
    hdefer;
#ifndef BROKEN_NO_GRACE
    d_step {
        j = 0;
        do
        :: j < NT -> was[j] = insec[j]; gen[j] = secgen[j]; j++
        :: else -> break
        od;
        j = 0
    };
    do
    :: j < NT -> (!was[j] || secgen[j] != gen[j]); j++
    :: else -> break
    od;
#endif
    assert(hrefs == 0);              /* never freed while referenced */
    hfreed = 1
}
#endif

init
{
    byte t;
    atomic {
        t = 0;
        do
        :: t < NR -> run reader(t); t++
        :: else -> break
        od;
        do
        :: t < NP -> run writer(t); t++
        :: else -> break
        od;
#ifdef REMOVE
        run remover();
        run reclaimer();
#endif
#ifdef WORKER
        run worker(NP);
#endif
        t = 0
    };
    /* every thread finished: nothing may be left behind (no lost wake-up) */
    (ndone == NP);
#ifdef WORKER
    wdone;
#endif
    assert(empty(queue) && held == NONE);
    assert(started == ALLITEMS);
    assert(rin == 0 && win == 0 && (q & (RMASK | WRITER | DRAIN)) == 0);
    /* and the node is idle again: nothing pending, BIAS re-armed once a
     * writer went (not an error for correctness, but a lost fast path) */
    assert(!(q & PENDING));
    assert(NW == 0 || (q & BIAS))
}
