/*
 * compiler.h - compiler helpers, typed container_of and debug assertions.
 *
 * NGI_ASSERT(cond) checks an invariant in Debug and sanitizer builds (every
 * build without NDEBUG: scripts/test.sh builds its ASan/UBSan and TSan stages
 * without it) and compiles to nothing in Release, so it may sit on the data
 * path.  Use it where a comment would otherwise say "caller holds X" or
 * "owner only"; compile-time facts are _Static_assert instead.
 */
#ifndef NGI_LIB_COMPILER_H
#define NGI_LIB_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NGI_LIKELY(x) __builtin_expect(!!(x), 1)
#define NGI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NGI_NOINLINE __attribute__((noinline))
#define NGI_ALWAYS_INLINE inline __attribute__((always_inline))
#define NGI_CACHELINE 64
/* Thread-locals of the data path: initial-exec, no __tls_get_addr call. */
#define NGI_TLS_IE __attribute__((tls_model("initial-exec")))

/* Round n up to a multiple of a (a power of two). */
#define NGI_ALIGN_UP(n, a) (((n) + (a)-1) & ~(size_t)((a)-1))

/*
 * The struct of type `type` whose member `member` is at ptr.  Typed: the
 * result has type `type *`, and ptr must point to the member's type (checked
 * at compile time), so a wrong member is a compile error, not a bad pointer.
 */
#define ngi_container_of(ptr, type, member)                                                        \
    ((type *)(void *)((char *)(1 ? (ptr) : &((type *)0)->member) - offsetof(type, member)))

#ifdef NDEBUG
#define NGI_DEBUG 0
#define NGI_ASSERT(cond) ((void)0)
#else
#define NGI_DEBUG 1
/* Print the failed invariant and abort (lib/compiler.c). */
_Noreturn void ngi_assert_fail(const char *expr, const char *file, int line, const char *func);
#define NGI_ASSERT(cond)                                                                           \
    (NGI_LIKELY(cond) ? (void)0 : ngi_assert_fail(#cond, __FILE__, __LINE__, __func__))
#endif

/* Spin-wait hint. */
static inline void ngi_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* The calling thread's stack pointer (one register move), for the data
 * path's stack guard (datapath/thread.c, ngi_stack_floor). */
static inline uintptr_t ngi_stack_pointer(void)
{
    uintptr_t sp;
#if defined(__x86_64__)
    __asm__("movq %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
    __asm__("mov %0, sp" : "=r"(sp));
#else
    sp = (uintptr_t)__builtin_frame_address(0);
#endif
    return sp;
}

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t ngi_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sanitizer detection, one place for the whole library. */
#if defined(__SANITIZE_ADDRESS__)
#define NGI_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NGI_HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define NGI_HAVE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NGI_HAVE_TSAN 1
#endif
#endif

#endif
