/*
 * test_large_response.c - a node type's response larger than a sender's
 * NG_MAX_MSG_ARGLEN (64 KiB) crosses the control socket: a bridge with 5000
 * learnt hosts answers NGM_BRIDGE_GET_TABLE with 4 + 5000 * 42 bytes, which
 * the server sends in NGI_WIRE_FRAG fragments and which arrives whole, each
 * host once.  Every wait is bounded (srvtest.h).
 */
#include "srvtest.h"

#include "capture.h"

#include <ngraph/message.h>
#include <ngraph/nodes/bridge.h>

enum { NHOSTS = 5000 };

/* A broadcast frame from host number k (02:00:00:kk:kk:kk) on hook. */
static void learn(struct ngtest_fx *x, const char *hook, unsigned k)
{
    uint8_t f[60];
    memset(f, 0, sizeof(f));
    memset(f, 0xff, 6);
    f[6] = 0x02;
    f[9] = (uint8_t)(k >> 16);
    f[10] = (uint8_t)(k >> 8);
    f[11] = (uint8_t)k;
    f[12] = 0x08;
    assert_int_equal(ngtest_fx_inject(x, hook, f, sizeof(f)), 0);
}

/* Read one message off c's control connection, reassembling fragments
 * (at most `size` bytes, at most 1000 frames); returns its length, and
 * the number of frames in *nframes. */
static size_t recv_mesg(struct srvtest_client *c, uint8_t *msg, size_t size, int *nframes)
{
    static uint8_t buf[NGI_WIRE_FRAME_MAX];
    size_t got = 0;
    uint32_t total = 0;
    for (int frames = 0; frames < 1000; frames++) {
        struct ngi_wire_frame f;
        assert_true(srvtest_recv(c->ctl, buf, sizeof(buf), &f) > 0);
        assert_int_equal(f.hdr.kind, NGI_WIRE_MSG);
        assert_true(f.paylen <= NGI_WIRE_FRAG);
        if (frames == 0)
            total = f.hdr.aux;
        assert_int_equal(f.hdr.aux, total);
        assert_true(got + f.paylen <= size);
        memcpy(msg + got, f.payload, f.paylen);
        got += f.paylen;
        if (!(f.hdr.flags & NGI_WIRE_F_MORE)) {
            assert_int_equal(got, total);
            *nframes = frames + 1;
            return got;
        }
    }
    fail_msg("more than 1000 fragments");
    return 0;
}

static void test_bridge_table(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    static const char *const links[] = {"link0", "link1", NULL};
    struct ngtest_fx x;
    ngtest_fx_make(&x, t.g, "bridge", "br0", links);
    for (unsigned k = 0; k < NHOSTS; k++)
        learn(&x, k & 1 ? "link1" : "link0", k);

    struct srvtest_client c;
    srvtest_client_open(&t, &c, "cli", 1, 0);
    assert_int_equal(srvtest_msg(&c, "br0:", NGM_BRIDGE_COOKIE, NGM_BRIDGE_GET_TABLE, NULL, 0), 0);
    static uint8_t msg[512 * 1024];
    int frames = 0;
    size_t len = recv_mesg(&c, msg, sizeof(msg), &frames);
    assert_true(frames >= 4); /* 210 KiB in NGI_WIRE_FRAG (64 KiB) pieces */
    struct ng_mesg_header h;
    memcpy(&h, msg, sizeof(h));
    assert_true(h.flags & NGF_RESP);
    assert_int_equal(h.typecookie, NGM_BRIDGE_COOKIE);
    assert_int_equal(h.cmd, NGM_BRIDGE_GET_TABLE);
    size_t want = sizeof(struct ng_bridge_host_ary) + NHOSTS * sizeof(struct ng_bridge_host);
    assert_true(want > NG_MAX_MSG_ARGLEN);
    assert_int_equal(h.arglen, want);
    assert_int_equal(len, sizeof(h) + want);
    struct ng_bridge_host_ary ary;
    memcpy(&ary, msg + sizeof(h), sizeof(ary));
    assert_int_equal(ary.numHosts, NHOSTS);
    static uint8_t seen[NHOSTS];
    memset(seen, 0, sizeof(seen));
    for (unsigned i = 0; i < NHOSTS; i++) {
        struct ng_bridge_host hst;
        memcpy(&hst, msg + sizeof(h) + sizeof(ary) + i * sizeof(hst), sizeof(hst));
        assert_int_equal(hst.addr[0], 0x02);
        unsigned k = (unsigned)hst.addr[3] << 16 | (unsigned)hst.addr[4] << 8 | hst.addr[5];
        assert_true(k < NHOSTS);
        assert_int_equal(seen[k]++, 0);
        assert_string_equal(hst.hook, k & 1 ? "link1" : "link0");
    }
    /* the connection still works: a small answer follows */
    assert_int_equal(srvtest_msg(&c, "br0:", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), 0);
    len = recv_mesg(&c, msg, sizeof(msg), &frames);
    assert_int_equal(frames, 1);
    assert_int_equal(len, sizeof(h) + sizeof(struct nodeinfo));
    srvtest_client_close(&c);
    ngtest_fx_done(&x);
    srvtest_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
