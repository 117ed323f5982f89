/* util.c - sleeping, pinning, RSS, medians and percentiles. */
#include "ngbench.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

void ngb_sleep_until(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ull),
                          .tv_nsec = (long)(t % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

void ngb_pin_cpu(int cpu)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % ncpu, &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

long ngb_rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &res) != 2)
        res = -1;
    fclose(f);
    return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

struct mstat ngb_stat_of(const double *v, int n)
{
    struct mstat s = {NAN, NAN, NAN, 0};
    double tmp[MAXREPS];
    int k = 0;
    for (int i = 0; i < n && k < MAXREPS; i++)
        if (!isnan(v[i]))
            tmp[k++] = v[i];
    if (k == 0)
        return s;
    qsort(tmp, (size_t)k, sizeof(double), cmp_double);
    s.n = k;
    s.min = tmp[0];
    s.max = tmp[k - 1];
    s.med = (k & 1) ? tmp[k / 2] : 0.5 * (tmp[k / 2 - 1] + tmp[k / 2]);
    return s;
}

int ngb_mark_quiet(const double *probe, bool *quiet, int reps)
{
    double best = 0;
    for (int i = 0; i < reps; i++)
        best = fmax(best, probe[i]);
    int contended = 0;
    for (int i = 0; i < reps; i++) {
        quiet[i] = probe[i] >= NGB_QUIET * best;
        contended += !quiet[i];
    }
    return contended;
}

double ngb_quiet_med(const double *v, const bool *quiet, int reps)
{
    double q[MAXREPS];
    int k = 0;
    for (int i = 0; i < reps && k < MAXREPS; i++)
        if (quiet[i])
            q[k++] = v[i];
    if (k == 0)
        for (int i = 0; i < reps && k < MAXREPS; i++)
            q[k++] = v[i];
    return k ? ngb_stat_of(q, k).med : NAN;
}

void ngb_percentiles(uint32_t *lat, size_t k, double *p50, double *p99, double *p999)
{
    *p50 = *p99 = *p999 = NAN;
    if (!k)
        return;
    qsort(lat, k, sizeof(uint32_t), cmp_u32);
    *p50 = lat[(size_t)(0.5 * (double)(k - 1))];
    *p99 = lat[(size_t)(0.99 * (double)(k - 1))];
    *p999 = lat[(size_t)(0.999 * (double)(k - 1))];
}
