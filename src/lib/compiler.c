/*
 * compiler.c - the out-of-line half of compiler.h: the assertion reporter.
 */
#include "compiler.h"

#include <stdio.h>
#include <stdlib.h>

#if NGI_DEBUG
void ngi_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "libngraph: invariant violated: %s (%s:%d, %s)\n", expr, file, line, func);
    abort();
}
#endif
