/*
 * test_pcap_timing.c - the "pcap" node type's pace modes (docs/nodes/pcap.md)
 * with generous tolerances: recorded pace never plays early (five frames
 * 40 ms apart take at least 160 ms) nor very late; a fixed rate of 100
 * frames per second takes about 1/100 s per frame; as-fast-as-possible
 * plays 3000 frames without waiting.  Label concurrency (not valgrind).
 */
#include "test_pcap_common.c"

static void pace(struct ng_graph *g, unsigned nw)
{
    struct ng_runtime *rt = nw ? ngtest_runtime(g, nw) : NULL;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    char a[256], b[256];
    pc_path(a, sizeof(a), "a.pcap");
    pc_path(b, sizeof(b), "b.pcap");
    static const uint32_t len5[5] = {60, 60, 60, 60, 60};
    pc_write_file(a, len5, 5, 40000);
    /* recorded: 4 gaps of 40 ms */
    double t = pc_play(g, a, b, "setpace { mode=0 loops=1 }");
    assert_true(t >= 0.159);
    assert_true(t < 5.0);
    struct ng_pcap_stats s;
    pc_stats(g, "w:", &s);
    assert_int_equal(s.written_frames, 5);
    /* fixed rate: 20 frames (5 x 4 loops) at 100/s: frame i at i/100 s */
    t = pc_play(g, a, b, "setpace { mode=1 rate=100 loops=4 }");
    assert_true(t >= 0.189);
    assert_true(t < 5.0);
    /* as fast as possible: 3000 frames; well under the 20 x 5 ms = 100 ms a
     * recorded pace of these gaps would take per loop */
    static uint32_t len30[30];
    for (int i = 0; i < 30; i++)
        len30[i] = 60 + (uint32_t)i * 10;
    pc_write_file(a, len30, 30, 5000);
    pc_ascii(g, "w:", "clrstats", 0);
    t = pc_play(g, a, b, "setpace { mode=2 loops=100 burst=64 }");
    assert_true(t < 5.0); /* recorded would be 100 x 145 ms */
    pc_stats(g, "w:", &s);
    assert_int_equal(s.written_frames, 3000);
    pc_pair_done(r, w);
    ng_runtime_stop(rt);
}

static void test_pace(void **state)
{
    pace(*state, 0);
    pace(*state, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        pc_test(test_pace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
