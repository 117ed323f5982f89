/*
 * test_pcap.c - the "pcap" node type (docs/nodes/pcap.md) against its
 * documented behaviour: a capture file the test writes with libpcap (six
 * Ethernet frames of different sizes) played by one pcap node into another
 * that writes it back comes out byte-identical (the files compared whole,
 * and `tcpdump -r -xx` of both), with and without a runtime; loop counts;
 * snaplen and frames without the reader's metadata; TEXT_STATUS and every
 * message's ASCII form; bad input (missing, empty, truncated and non-capture
 * files, unwritable output, unknown hooks, short and invalid arguments,
 * oversized records, frames with nowhere to go), each with its errno or
 * counted.  Pace timing: test_pcap_timing.c.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "test_pcap_common.c"

static const uint32_t sizes6[6] = {60, 1514, 64, 128, 42, 512};

/* tcpdump -r path -xx -nn output (malloc'ed). */
static char *tcpdump_xx(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "tcpdump -r '%s' -xx -nn 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t cap = 1 << 20, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    size_t k;
    while (n + 1 < cap && (k = fread(b + n, 1, cap - 1 - n, f)) > 0)
        n += k;
    b[n] = '\0';
    int st = pclose(f);
    assert_int_equal(st, 0);
    return b;
}

static void roundtrip(struct ng_graph *g, unsigned nw)
{
    struct ng_runtime *rt = nw ? ngtest_runtime(g, nw) : NULL;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    char a[256], b[256];
    pc_path(a, sizeof(a), "a.pcap");
    pc_path(b, sizeof(b), "b.pcap");
    pc_write_file(a, sizes6, 6, 1000);
    pc_play(g, a, b, "setpace { mode=2 loops=1 burst=4 }");
    struct ng_pcap_stats s;
    pc_stats(g, "r:", &s);
    assert_int_equal(s.read_frames, 6);
    assert_int_equal(s.sent_frames, 6);
    assert_int_equal(s.loops, 1);
    assert_int_equal(s.dropped, 0);
    assert_int_equal(s.errors, 0);
    uint64_t bytes = 0;
    for (int i = 0; i < 6; i++)
        bytes += sizes6[i];
    assert_int_equal(s.read_bytes, bytes);
    pc_stats(g, "w:", &s);
    assert_int_equal(s.written_frames, 6);
    assert_int_equal(s.written_bytes, bytes);
    /* Close the output (flushes), then compare. */
    pc_ascii(g, "w:", "setoutput { path=\"\" }", 0);
    size_t na, nb;
    uint8_t *fa = pc_slurp(a, &na), *fb = pc_slurp(b, &nb);
    assert_int_equal(na, 24 + 6 * 16 + bytes);
    assert_int_equal(nb, na);
    assert_memory_equal(fa, fb, na);
    free(fa);
    free(fb);
    char *ta = tcpdump_xx(a), *tb = tcpdump_xx(b);
    assert_true(strlen(ta) > 100);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    pc_pair_done(r, w);
    ng_runtime_stop(rt);
}

static void test_roundtrip(void **state)
{
    roundtrip(*state, 0);
    roundtrip(*state, 1);
    roundtrip(*state, 2);
}

/* loops=3: the file three times; loops=0 plays until stopped; start after
 * the end plays it again. */
static void test_loops(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    char a[256], b[256];
    pc_path(a, sizeof(a), "a.pcap");
    pc_path(b, sizeof(b), "b.pcap");
    pc_write_file(a, sizes6, 6, 10);
    pc_play(g, a, b, "setpace { mode=2 loops=3 }");
    struct ng_pcap_stats s;
    pc_stats(g, "r:", &s);
    assert_int_equal(s.read_frames, 18);
    assert_int_equal(s.loops, 3);
    pc_stats(g, "w:", &s);
    assert_int_equal(s.written_frames, 18);
    /* The output holds the records three times over. */
    pc_ascii(g, "w:", "setoutput { path=\"\" }", 0);
    size_t na, nb;
    uint8_t *fa = pc_slurp(a, &na), *fb = pc_slurp(b, &nb);
    assert_int_equal(nb, 24 + 3 * (na - 24));
    for (int k = 0; k < 3; k++)
        assert_memory_equal(fa + 24, fb + 24 + k * (na - 24), na - 24);
    free(fa);
    free(fb);
    /* start again after the end: from the top, once more three times */
    pc_ascii(g, "r:", "clrstats", 0);
    pc_ascii(g, "r:", "start", 0);
    struct ng_pcap_config c;
    for (int i = 0; i < 10000; i++) {
        pc_config(g, "r:", &c);
        if (!c.running)
            break;
        usleep(1000);
    }
    pc_stats(g, "r:", &s);
    assert_int_equal(s.read_frames, 18);
    /* loops=0: until stopped */
    pc_ascii(g, "r:", "setpace { mode=2 loops=0 }", 0);
    pc_ascii(g, "r:", "start", 0);
    for (int i = 0; i < 10000; i++) {
        pc_stats(g, "r:", &s);
        if (s.loops >= 20)
            break;
        usleep(1000);
    }
    assert_true(s.loops >= 20);
    pc_config(g, "r:", &c);
    assert_int_equal(c.running, 1);
    pc_ascii(g, "r:", "stop", 0);
    pc_config(g, "r:", &c);
    assert_int_equal(c.running, 0);
    pc_stats(g, "r:", &s);
    uint64_t n0 = s.read_frames;
    usleep(20000);
    pc_stats(g, "r:", &s);
    assert_int_equal(s.read_frames, n0); /* stopped means stopped */
    pc_pair_done(r, w);
}

/* Frames not from a reader (no metadata): stamped now, length their own;
 * snaplen cuts them (the record keeps the original length). */
static void test_write_snaplen(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    char b[256], cmd[400];
    pc_path(b, sizeof(b), "b.pcap");
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s\" linktype=1 snaplen=100 }", b);
    pc_ascii(g, "w:", cmd, 0);
    uint8_t f[300];
    pc_frame(f, sizeof(f), 9);
    struct ng_item *it = ngtest_item(g, sizeof(f), 0);
    memcpy(ng_item_data(it), f, sizeof(f));
    time_t before = time(NULL);
    assert_int_equal(ng_inject_data(w, "in", it), 0); /* as if r had sent it */
    pc_ascii(g, "w:", "setoutput { path=\"\" }", 0);
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(b, eb);
    assert_non_null(pc);
    assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
    assert_int_equal(pcap_snapshot(pc), 100);
    struct pcap_pkthdr *h;
    const u_char *d;
    assert_int_equal(pcap_next_ex(pc, &h, &d), 1);
    assert_int_equal(h->caplen, 100);
    assert_int_equal(h->len, 300);
    assert_memory_equal(d, f, 100);
    assert_true(h->ts.tv_sec >= before && h->ts.tv_sec <= time(NULL) + 1);
    assert_int_equal(pcap_next_ex(pc, &h, &d), PCAP_ERROR_BREAK);
    pcap_close(pc);
    pc_pair_done(r, w);
}

/* TEXT_STATUS, getconfig, getpace; every message's ASCII form round-trips. */
static void test_status_ascii(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    char a[256], b[256], cmd[600];
    pc_path(a, sizeof(a), "a.pcap");
    pc_path(b, sizeof(b), "b.pcap");
    pc_write_file(a, sizes6, 3, 10);
    pc_play(g, a, b, "setpace { mode=2 loops=2 burst=2 }");
    char *resp = NULL;
    assert_int_equal(ng_send_ascii(g, "r:", "getpace", &resp), 0);
    assert_string_equal(resp, "{ mode=2 loops=2 burst=2 }");
    free(resp);
    assert_int_equal(ng_send_ascii(g, "r:", "getstats", &resp), 0);
    assert_non_null(strstr(resp, "read_frames=6"));
    assert_non_null(strstr(resp, "loops=2"));
    free(resp);
    assert_int_equal(ng_send_ascii(g, "w:", "getconfig", &resp), 0);
    snprintf(cmd, sizeof(cmd), "output=\"%s\" linktype=1 snaplen=65535", b);
    assert_non_null(strstr(resp, cmd));
    free(resp);
    struct ng_mesg *st = NULL;
    assert_int_equal(ngtest_msg(g, "r:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &st), 0);
    assert_non_null(strstr(st->data, "read_frames=6 "));
    assert_non_null(strstr(st->data, "finished"));
    assert_non_null(strstr(st->data, a));
    ng_mesg_free(st);
    assert_int_equal(ngtest_msg(g, "w:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &st), 0);
    assert_non_null(strstr(st->data, "written_frames=6 "));
    ng_mesg_free(st);
    assert_int_equal(ng_send_ascii(g, "r:", "getclrstats", &resp), 0);
    assert_non_null(strstr(resp, "read_frames=6"));
    free(resp);
    struct ng_pcap_stats s;
    pc_stats(g, "r:", &s);
    assert_int_equal(s.read_frames, 0);
    /* Round trips: text -> binary -> text, for each command with data. */
    static const struct {
        const char *cmd, *text;
        int resp;
    } rt[] = {
        {"setinput", "{ path=\"/tmp/x.pcap\" }", 0},
        {"setoutput", "{ path=\"/tmp/y.pcap\" linktype=1 snaplen=1500 }", 0},
        {"setpace", "{ mode=1 rate=1000 loops=3 burst=8 }", 0},
        {"start", "", 0},
        {"stop", "", 0},
        {"clrstats", "", 0},
        {"getpace", "{ mode=1 rate=5 }", 1},
        {"getstats",
         "{ read_frames=1 read_bytes=2 sent_frames=3 written_frames=4 "
         "written_bytes=5 dropped=6 errors=7 loops=8 }",
         1},
        {"getclrstats", "{ read_frames=9 }", 1},
        {"getconfig",
         "{ input=\"a\" output=\"b\" linktype=1 snaplen=9 in_linktype=1 running=1 "
         "pace={ mode=2 loops=1 burst=32 } }",
         1},
    };
    for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
        struct ng_mesg *m = ng_mesg_alloc(0, 0, (uint32_t)strlen(rt[i].text) + 1);
        assert_non_null(m);
        snprintf(m->header.cmdstr, sizeof(m->header.cmdstr), "%s", rt[i].cmd);
        memcpy(m->data, rt[i].text, strlen(rt[i].text) + 1);
        if (rt[i].resp)
            m->header.flags |= NGF_RESP;
        struct ng_mesg *bin = NULL, *txt = NULL;
        assert_int_equal(ng_mesg_from_ascii(&ng_pcap_type, m, &bin, NULL), 0);
        assert_int_equal(bin->header.typecookie, NGM_PCAP_COOKIE);
        assert_int_equal(ng_mesg_to_ascii(&ng_pcap_type, bin, &txt), 0);
        assert_string_equal(txt->data, rt[i].text);
        assert_string_equal(txt->header.cmdstr, rt[i].cmd);
        ng_mesg_free(m);
        ng_mesg_free(bin);
        ng_mesg_free(txt);
    }
    pc_pair_done(r, w);
}

/* ---- bad input ----------------------------------------------------------- */

static void test_bad_files(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    char p[256], cmd[600];
    /* no such file */
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", pc_path(p, sizeof(p), "none.pcap"));
    pc_ascii(g, "r:", cmd, -ENOENT);
    /* not a capture file; an empty file */
    FILE *f = fopen(pc_path(p, sizeof(p), "text.pcap"), "w");
    assert_non_null(f);
    fputs("this is not a capture file, it is just text that goes on for a while\n", f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", p);
    pc_ascii(g, "r:", cmd, -EINVAL);
    f = fopen(pc_path(p, sizeof(p), "empty.pcap"), "w");
    assert_non_null(f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", p);
    pc_ascii(g, "r:", cmd, -EINVAL);
    /* a directory */
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", pc_dir);
    pc_ascii(g, "r:", cmd, -EISDIR);
    /* nothing open: start refused */
    pc_ascii(g, "r:", "start", -ENXIO);
    /* unwritable output: missing directory, a directory */
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s/nodir/x.pcap\" }", pc_dir);
    pc_ascii(g, "w:", cmd, -ENOENT);
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s\" }", pc_dir);
    pc_ascii(g, "w:", cmd, -EISDIR);
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s/x\" snaplen=262145 }", pc_dir);
    pc_ascii(g, "w:", cmd, -EINVAL);
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s/x\" linktype=65536 }", pc_dir);
    pc_ascii(g, "w:", cmd, -EINVAL);
    /* a full disk: the header cannot be written */
    pc_ascii(g, "w:", "setoutput { path=\"/dev/full\" }", -ENOSPC);
    /* write errors after the header: a file size limit of 24 + 16 + 60 bytes */
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s\" }", pc_path(p, sizeof(p), "lim.pcap"));
    pc_ascii(g, "w:", cmd, 0);
    struct rlimit old, lim = {100, RLIM_INFINITY};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim.rlim_max = old.rlim_max;
    void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    struct ng_item *it = ngtest_item(g, 60, 1);
    int rc1 = ng_inject_data(w, "in", it);
    it = ngtest_item(g, 60, 2);
    int rc2 = ng_inject_data(w, "in", it);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, oldsig);
    assert_int_equal(rc1, 0);
    assert_int_equal(rc2, 0);
    struct ng_pcap_stats s;
    pc_stats(g, "w:", &s);
    assert_int_equal(s.errors, 1); /* the second record's flush */
    pc_ascii(g, "w:", "setoutput { path=\"\" }", 0);
    pc_ascii(g, "w:", "clrstats", 0);
    /* truncated mid-record: the whole records pass, then one error */
    char a[256], b[256];
    pc_path(a, sizeof(a), "a.pcap");
    pc_path(b, sizeof(b), "b.pcap");
    pc_write_file(a, sizes6, 6, 10);
    struct stat sb;
    assert_int_equal(stat(a, &sb), 0);
    assert_int_equal(truncate(a, sb.st_size - 100), 0); /* inside the 512-byte record */
    pc_play(g, a, b, "setpace { mode=2 loops=1 }");
    pc_stats(g, "r:", &s);
    assert_int_equal(s.read_frames, 5);
    assert_int_equal(s.errors, 1);
    pc_stats(g, "w:", &s);
    assert_int_equal(s.written_frames, 5);
    /* a record longer than an item (2048-byte buffers): dropped, counted */
    static const uint32_t big[3] = {100, 4000, 200};
    pc_write_file(a, big, 3, 10);
    pc_ascii(g, "r:", "clrstats", 0);
    pc_ascii(g, "w:", "clrstats", 0);
    pc_play(g, a, b, "setpace { mode=2 loops=1 }");
    pc_stats(g, "r:", &s);
    assert_int_equal(s.read_frames, 3);
    assert_int_equal(s.sent_frames, 2);
    assert_int_equal(s.dropped, 1);
    pc_stats(g, "w:", &s);
    assert_int_equal(s.written_frames, 2);
    /* the input stays when a new one cannot be opened */
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", pc_path(p, sizeof(p), "none.pcap"));
    pc_ascii(g, "r:", cmd, -ENOENT);
    struct ng_pcap_config c;
    pc_config(g, "r:", &c);
    assert_string_equal(c.input, a);
    pc_pair_done(r, w);
}

static void test_bad_messages(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    /* invalid paces */
    pc_ascii(g, "r:", "setpace { mode=3 }", -EINVAL);
    pc_ascii(g, "r:", "setpace { mode=1 rate=0 }", -EINVAL);
    pc_ascii(g, "r:", "setpace { mode=1 rate=10000001 }", -EINVAL);
    pc_ascii(g, "r:", "setpace { mode=2 burst=257 }", -EINVAL);
    pc_ascii(g, "r:", "setpace { mode=1 rate=10 burst=0 }", 0); /* burst 0: 32 */
    char *resp = NULL;
    assert_int_equal(ng_send_ascii(g, "r:", "getpace", &resp), 0);
    assert_string_equal(resp, "{ mode=1 rate=10 burst=32 }"); /* loops 0: the default text */
    free(resp);
    /* short arguments (binary): refused before the node sees them */
    static const uint32_t cmds[3] = {NGM_PCAP_SET_INPUT, NGM_PCAP_SET_OUTPUT, NGM_PCAP_SET_PACE};
    for (int i = 0; i < 3; i++) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_PCAP_COOKIE, cmds[i], 4);
        assert_non_null(m);
        assert_int_equal(ng_send_msg(g, NULL, "r:", m, NULL), -EINVAL);
    }
    /* a path without its NUL */
    struct ng_mesg *m = ng_mesg_alloc(NGM_PCAP_COOKIE, NGM_PCAP_SET_INPUT, NG_PCAP_PATHSIZ);
    assert_non_null(m);
    memset(m->data, 'a', NG_PCAP_PATHSIZ);
    assert_int_equal(ng_send_msg(g, NULL, "r:", m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_PCAP_COOKIE, NGM_PCAP_SET_OUTPUT, sizeof(struct ng_pcap_output));
    assert_non_null(m);
    memset(m->data, 'a', NG_PCAP_PATHSIZ);
    assert_int_equal(ng_send_msg(g, NULL, "w:", m, NULL), -EINVAL);
    /* unknown command number */
    m = ng_mesg_alloc(NGM_PCAP_COOKIE, 99, 0);
    assert_non_null(m);
    assert_int_equal(ng_send_msg(g, NULL, "r:", m, NULL), -EINVAL);
    /* a path too long for the ASCII form */
    char cmd[400];
    memset(cmd, 0, sizeof(cmd));
    strcpy(cmd, "setinput { path=\"");
    memset(cmd + strlen(cmd), 'x', 300);
    strcat(cmd, "\" }");
    pc_ascii(g, "r:", cmd, -E2BIG);
    /* unknown hooks; a second "out" */
    struct ng_node *x;
    assert_int_equal(ng_node_create(g, "pcap", &x), 0);
    assert_int_equal(ng_connect(x, "foo", r, "bar"), -EINVAL);
    assert_int_equal(ng_connect(r, "out", x, "in"), -EEXIST); /* the name is taken */
    assert_int_equal(ng_connect(x, "in", w, "out"), 0);
    /* frames with nowhere to go: arriving on "out"; on "in" without an output */
    struct ng_item *it = ngtest_item(g, 60, 1);
    assert_int_equal(ng_inject_data(r, "out", it), -EOPNOTSUPP);
    it = ngtest_item(g, 60, 1);
    assert_int_equal(ng_inject_data(w, "in", it), -ENOTCONN); /* no output file */
    struct ng_pcap_stats s;
    pc_stats(g, "r:", &s);
    assert_int_equal(s.dropped, 1);
    pc_stats(g, "w:", &s);
    assert_int_equal(s.dropped, 1);
    assert_int_equal(s.written_frames, 0);
    /* playing with "out" unconnected: read and dropped, counted */
    char a[256], p[256];
    pc_path(a, sizeof(a), "a.pcap");
    pc_write_file(a, sizes6, 6, 10);
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", a);
    pc_ascii(g, "x:", cmd, -ENOENT); /* x has no name */
    assert_int_equal(ng_node_name(x, "x"), 0);
    pc_ascii(g, "x:", cmd, 0);
    pc_ascii(g, "x:", "setpace { mode=2 loops=1 }", 0);
    pc_ascii(g, "x:", "start", 0);
    struct ng_pcap_config c;
    for (int i = 0; i < 10000; i++) {
        pc_config(g, "x:", &c);
        if (!c.running)
            break;
        usleep(1000);
    }
    pc_stats(g, "x:", &s);
    assert_int_equal(s.read_frames, 6);
    assert_int_equal(s.dropped, 6);
    assert_int_equal(s.sent_frames, 0);
    (void)p;
    ng_node_shutdown(x);
    ng_node_unref(x);
    pc_pair_done(r, w);
}

/* Shutdown with files open and the reader running: nothing leaks (ASan),
 * the output holds what was written. */
static void test_shutdown_running(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *r, *w;
    pc_pair(g, &r, &w);
    char a[256], b[256], cmd[600];
    pc_path(a, sizeof(a), "a.pcap");
    pc_path(b, sizeof(b), "b.pcap");
    pc_write_file(a, sizes6, 6, 1000000); /* 1 s apart: still running at shutdown */
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s\" }", b);
    pc_ascii(g, "w:", cmd, 0);
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", a);
    pc_ascii(g, "r:", cmd, 0);
    pc_ascii(g, "r:", "start", 0);
    struct ng_pcap_stats s;
    for (int i = 0; i < 5000; i++) {
        pc_stats(g, "w:", &s);
        if (s.written_frames >= 1)
            break;
        usleep(1000);
    }
    assert_int_equal(s.written_frames, 1);
    pc_pair_done(r, w);
    assert_int_equal(ng_graph_barrier(g), 0);
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(b, eb);
    assert_non_null(pc);
    struct pcap_pkthdr *h;
    const u_char *d;
    assert_int_equal(pcap_next_ex(pc, &h, &d), 1);
    assert_int_equal(h->len, sizes6[0]);
    pcap_close(pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        pc_test(test_roundtrip),        pc_test(test_loops),     pc_test(test_write_snaplen),
        pc_test(test_status_ascii),     pc_test(test_bad_files), pc_test(test_bad_messages),
        pc_test(test_shutdown_running),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
