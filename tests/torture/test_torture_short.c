/*
 * Torture test as a ctest (label "concurrency": the TSan stage runs it).
 * The engine is tests/torture/torture.c (torture.h); this runs it once for
 * the backend named by NG_BACKEND with a short default duration.
 *
 *   test_torture_short [--seconds N] [--seed S] [--workers W] [--no-runtime]
 *                      [--types tort|std] [--verbose]
 *
 * Defaults: --seconds $NG_TORTURE_SECONDS or 5, --seed $NG_TORTURE_SEED or
 * the time, --workers 2, --types tort (only the torture's own types; std
 * mixes the standard node types in, tests/torture/stdtypes.c).  The seed is
 * printed at start; re-running with it replays the same schedule of control
 * operations.  test_torture_types.c is this file with --types std as the
 * default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"
#include "torture.h"

#ifndef TORTURE_DEFAULT_STD
#define TORTURE_DEFAULT_STD 0
#endif

static struct torture_opts opts;

static void test_torture(void **state)
{
    (void)state;
    opts.backend = ngtest_backend();
    assert_int_equal(torture_run(&opts), 0);
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--seconds N] [--seed S] [--workers W] [--no-runtime] [--types tort|std] "
            "[--verbose]\n",
            argv0);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *e;
    opts.seconds = (e = getenv("NG_TORTURE_SECONDS")) && atof(e) > 0 ? atof(e) : 5.0;
    opts.seed = (e = getenv("NG_TORTURE_SEED")) && *e ? strtoull(e, NULL, 0)
                                                      : (uint64_t)time(NULL) ^ (uint64_t)clock();
    opts.workers = 2;
    opts.no_runtime = (e = getenv("NG_TORTURE_RUNTIME")) && strcmp(e, "0") == 0;
    opts.std_types = TORTURE_DEFAULT_STD;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            opts.seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            opts.seed = strtoull(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
            opts.workers = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-runtime") == 0)
            opts.no_runtime = 1;
        else if (strcmp(argv[i], "--types") == 0 && i + 1 < argc)
            opts.std_types = strcmp(argv[++i], "std") == 0;
        else if (strcmp(argv[i], "--verbose") == 0)
            opts.verbose = 1;
        else
            usage(argv[0]);
    }
    if (opts.seconds <= 0)
        usage(argv[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
