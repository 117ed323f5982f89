/* machine.c - what the suite ran on: CPU, kernel, date, the load of other
 * processes, and the machine's own scaling ceiling. */
#include "ngbench.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

void ngb_machine_info(struct machine *m)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->cpu, sizeof(m->cpu), "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *p = strchr(line, ':');
                if (p) {
                    p++;
                    while (*p == ' ')
                        p++;
                    p[strcspn(p, "\n")] = '\0';
                    snprintf(m->cpu, sizeof(m->cpu), "%s", p);
                }
                break;
            }
        }
        fclose(f);
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(m->date, sizeof(m->date), "%Y-%m-%d %H:%M:%S UTC", &tm);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof(m->kernel), "%s %s %s", u.sysname, u.release, u.machine);
    else
        snprintf(m->kernel, sizeof(m->kernel), "unknown");
    m->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
}

/* Busy and total jiffies of the whole machine (/proc/stat). */
static void proc_stat(uint64_t *busy, uint64_t *total)
{
    unsigned long long v[8] = {0};
    *busy = *total = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++)
            *total += v[i];
        *busy = *total - v[3] - v[4];
    }
    fclose(f);
}

static double self_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ngb_load_sample(struct ngb_load *l)
{
    l->self_s = self_cpu_s();
    proc_stat(&l->busy, &l->total);
}

double ngb_load_other(const struct ngb_load *l)
{
    struct ngb_load now;
    proc_stat(&now.busy, &now.total);
    now.self_s = self_cpu_s();
    if (now.total <= l->total)
        return 0;
    double hz = (double)sysconf(_SC_CLK_TCK);
    double all = (double)(now.total - l->total) / hz, busy = (double)(now.busy - l->busy) / hz;
    double other = (busy - (now.self_s - l->self_s)) / all;
    return other < 0 ? 0 : other;
}

struct spin_arg {
    int cpu;
    double secs;
};

static void *spin_main(void *a)
{
    struct spin_arg *sa = a;
    ngb_pin_cpu(sa->cpu);
    volatile uint64_t x = 0;
    uint64_t t0 = ngb_now_ns();
    for (uint64_t i = 0; i < 40000000ull; i++)
        x += i;
    sa->secs = (double)(ngb_now_ns() - t0) / 1e9;
    (void)x; /* a volatile read: keeps clang's -Wunused-but-set-variable quiet */
    return NULL;
}

/* How much W concurrent CPU-bound threads get done vs one: the machine's own
 * scaling ceiling (below W on SMT siblings or shared/overcommitted vCPUs). */
double ngb_spin_scaling(int W)
{
    if (W < 2)
        return 1;
    if (W > MAXW)
        W = MAXW;
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        struct spin_arg one = {0, 0}, many[MAXW];
        pthread_t t[MAXW];
        /* On its own thread: the main thread must stay unpinned, since the
         * threads it creates (the runtime's workers, timer thread) inherit
         * its affinity mask. */
        pthread_create(&t[0], NULL, spin_main, &one);
        pthread_join(t[0], NULL);
        for (int i = 0; i < W; i++) {
            many[i].cpu = i;
            pthread_create(&t[i], NULL, spin_main, &many[i]);
        }
        double worst = 0;
        for (int i = 0; i < W; i++) {
            pthread_join(t[i], NULL);
            if (many[i].secs > worst)
                worst = many[i].secs;
        }
        double r = worst > 0 ? W * one.secs / worst : 0;
        if (r > best)
            best = r;
    }
    return best;
}

/* ------------------------------------------------------------------------ */
/* Contention probe                                                         */
/* ------------------------------------------------------------------------ */

struct probe_arg {
    unsigned iters;
    int cpu;
    pthread_barrier_t *bar;
    uint64_t ns, sink;
};

/* A dependent chain of multiplies and L1 loads/stores: what a hop is made
 * of, on one pinned CPU; its wall time grows when anything else runs on
 * that CPU (or the hypervisor takes it). */
static void *probe_main(void *a)
{
    struct probe_arg *pa = a;
    uint32_t buf[1024];
    for (unsigned i = 0; i < 1024; i++)
        buf[i] = i * 2654435761u;
    ngb_pin_cpu(pa->cpu);
    pthread_barrier_wait(pa->bar);
    uint64_t x = 0x9e3779b97f4a7c15ull, t0 = ngb_now_ns();
    for (unsigned i = 0; i < pa->iters; i++) {
        x = x * 6364136223846793005ull + buf[x & 1023];
        buf[i & 1023] = (uint32_t)x;
    }
    pa->ns = ngb_now_ns() - t0;
    pa->sink = x;
    return NULL;
}

double ngb_probe(unsigned iters)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int n = ncpu < 1 ? 1 : ncpu > MAXW ? MAXW : (int)ncpu;
    struct probe_arg pa[MAXW];
    pthread_t t[MAXW];
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        pa[i] = (struct probe_arg){.iters = iters, .cpu = i, .bar = &bar};
        pthread_create(&t[i], NULL, probe_main, &pa[i]);
    }
    uint64_t worst = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        if (pa[i].ns > worst)
            worst = pa[i].ns;
    }
    pthread_barrier_destroy(&bar);
    return worst ? (double)iters * 1e9 / (double)worst : 0;
}
