/*
 * The torture with the standard node types in the mix (--types std by
 * default): test_torture_short.c's driver, registered as its own ctest
 * (label "concurrency") so both mixes run on every backend.
 */
#define TORTURE_DEFAULT_STD 1
#include "test_torture_short.c"
