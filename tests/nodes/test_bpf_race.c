/*
 * test_bpf_race.c - the "bpf" node type's shared-mode data path (its
 * header comment's invariants) under changes: two runtime workers filter
 * frames, single and in bursts, while the test thread replaces the
 * program (setprogram and setexpr), removes and reconnects a destination
 * hook and the filtered hook, and finally shuts the node down under
 * traffic.  No frame may be lost uncounted; ASan and TSan see any use of
 * freed program, hook or node state.  Bounded: 150 rounds or 10 s.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/bpf.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

struct frame {
    uint8_t b[64];
    uint32_t len;
};
static struct frame frames[3];

/* Ethernet + IPv4 TCP SYN to port 80, Ethernet + IPv4 UDP to port 53, an
 * ARP request. */
static const char *const frames_hex[3] = {
    "00112233445566778899aabb0800450000281234400040060000c0000201c0000202"
    "3039005000000000000000005002000000000000",
    "00112233445566778899aabb08004500001c1234400040110000c0000201c0000202"
    "3039003500080000",
    "ffffffffffff66778899aabb08060001080006040001"
    "66778899aabbc0000201000000000000c0000202",
};

/* Shared-mode data path against program changes and hook removal: two
 * workers run frames (single and in bursts) while this thread replaces the
 * program, removes and reconnects the match hook and the filtered hook
 * itself, and at last shuts the node down under traffic.  Every frame is
 * counted by the sink or as a drop: none is lost (ASan/TSan: no freed
 * program, hook state or node state is touched). */
static void test_concurrent_changes(void **state)
{
    struct ng_graph *g = *state;
    int rc = ng_type_register(g, &ng_bpf_type);
    assert_true(rc == 0 || rc == -EEXIST);
    struct ng_node *b, *cnt;
    assert_int_equal(ng_node_create(g, "bpf", &b), 0);
    assert_int_equal(ng_node_name(b, "bpf0"), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(b, "a", cnt, "a"), 0);
    assert_int_equal(ng_connect(b, "m", cnt, "m"), 0);
    assert_int_equal(ng_connect(b, "n", cnt, "n"), 0);
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(cnt, "a", &in), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    const char *progs[] = {
        "setexpr { thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" expr=\"tcp\" }",
        "setprogram { thisHook=\"a\" ifMatch=\"m\" bpf_prog_len=1 bpf_prog=[ { code=6 k=40 } ] }",
        "setexpr { thisHook=\"a\" ifMatch=\"n\" ifNotMatch=\"m\" expr=\"udp\" }",
    };
    uint64_t sent = 0;
    double end = ngtest_now_s() + 10.0;
    for (int round = 0; round <= 150 && ngtest_now_s() < end; round++) {
        struct ng_item *v[32];
        for (int i = 0; i < 64; i++) {
            const struct frame *f = &frames[i % 3];
            struct ng_item *it = ng_item_alloc(g, f->len);
            assert_non_null(it);
            memcpy(ng_item_data(it), f->b, f->len);
            if (i < 32)
                assert_int_equal(ng_runtime_submit(rt, i & 1, in, it), 0);
            else
                v[i - 32] = it;
            sent++;
        }
        assert_int_equal(ng_runtime_submit_burst(rt, round & 1, in, v, 32), 0);
        if (round == 150)
            break; /* the last frames meet the shutdown */
        assert_int_equal(ng_send_ascii(g, "bpf0:", progs[round % 3], NULL), 0);
        if (round % 8 == 7) {
            assert_int_equal(ng_rmhook(b, "m"), 0);
            assert_int_equal(ng_connect(b, "m", cnt, "m"), 0);
        }
        if (round % 8 == 3) { /* the filtered hook: its state goes, a new one comes */
            assert_int_equal(ng_rmhook(b, "a"), 0);
            assert_int_equal(ng_connect(b, "a", cnt, "a"), 0);
            ng_hook_unref(in);
            assert_int_equal(ng_hook_find(cnt, "a", &in), 0);
        }
    }
    assert_int_equal(ng_node_shutdown(b), 0);
    ng_runtime_stop(rt);
    ng_hook_unref(in);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(ngtest_counter_get(cnt) + ngtest_drops(&st), sent);
    if (ng_node_is_valid(cnt))
        assert_int_equal(ng_node_shutdown(cnt), 0);
    ng_node_unref(b);
    ng_node_unref(cnt);
}

int main(void)
{
    for (int i = 0; i < 3; i++) {
        frames[i].len = (uint32_t)strlen(frames_hex[i]) / 2;
        for (uint32_t j = 0; j < frames[i].len; j++)
            sscanf(frames_hex[i] + 2 * j, "%2hhx", &frames[i].b[j]);
    }
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_concurrent_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
