/*
 * generic_types.c - parse types of the generic messages' structs (FreeBSD's
 * field names and order), of struct ng_mesg and of libngraph's NGM_STATS,
 * and the generic command list ng_generic_cmds.
 */
#include <stddef.h>

#include <ngraph/runtime.h>

#include "text.h"

#define STRUCT_TYPE(var, fields)                                                                   \
    static const struct ng_parse_type var = {                                                      \
        &ng_parse_struct_type, fields, NULL, NULL, NULL, NULL, NULL}
#define ARRAY_TYPE(var, info)                                                                      \
    static const struct ng_parse_type var = {                                                      \
        &ng_parse_array_type, info, NULL, NULL, NULL, NULL, NULL}

/* A uint32 count at a fixed distance before the array. */
static int count_at(const uint8_t *buf, size_t back)
{
    uint32_t n;
    memcpy(&n, buf - back, sizeof(n));
    return n > INT32_MAX ? -1 : (int)n;
}

/* ------------------------------------------------------------------------ */
/* struct ng_mesg                                                           */
/* ------------------------------------------------------------------------ */

static int mesg_data_len(const struct ng_parse_type *t, const uint8_t *start, const uint8_t *buf)
{
    (void)t;
    (void)start;
    return count_at(buf, sizeof(struct ng_mesg_header) - offsetof(struct ng_mesg_header, arglen));
}
static const struct ng_parse_bytearray_info mesg_data_info = {mesg_data_len};
static const struct ng_parse_type mesg_data_type = {
    &ng_parse_bytearray_type, &mesg_data_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field mesg_fields[] = {
    {"version", &ng_parse_uint8_type, 0},
    {"spare", &ng_parse_uint8_type, 0},
    {"spare2", &ng_parse_uint16_type, 0},
    {"arglen", &ng_parse_uint32_type, 0},
    {"cmd", &ng_parse_uint32_type, 0},
    {"flags", &ng_parse_hint32_type, 0},
    {"token", &ng_parse_uint32_type, 0},
    {"typecookie", &ng_parse_uint32_type, 0},
    {"cmdstr", &ng_parse_cmdbuf_type, 0},
    {"data", &mesg_data_type, 0},
    {NULL, NULL, 0},
};
const struct ng_parse_type ng_parse_ng_mesg_type = {
    &ng_parse_struct_type, mesg_fields, NULL, NULL, NULL, NULL, NULL};

/* ------------------------------------------------------------------------ */
/* Generic arguments and responses                                          */
/* ------------------------------------------------------------------------ */

static const struct ng_parse_struct_field mkpeer_fields[] = {
    {"type", &ng_parse_typebuf_type, 0},
    {"ourhook", &ng_parse_hookbuf_type, 0},
    {"peerhook", &ng_parse_hookbuf_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(mkpeer_type, mkpeer_fields);

static const struct ng_parse_struct_field connect_fields[] = {
    {"path", &ng_parse_pathbuf_type, 0},
    {"ourhook", &ng_parse_hookbuf_type, 0},
    {"peerhook", &ng_parse_hookbuf_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(connect_type, connect_fields);

static const struct ng_parse_struct_field name_fields[] = {
    {"name", &ng_parse_nodebuf_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(name_type, name_fields);

static const struct ng_parse_struct_field rmhook_fields[] = {
    {"hook", &ng_parse_hookbuf_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(rmhook_type, rmhook_fields);

static const struct ng_parse_struct_field nodeinfo_fields[] = {
    {"name", &ng_parse_nodebuf_type, 0},
    {"type", &ng_parse_typebuf_type, 0},
    {"id", &ng_parse_hint32_type, 0},
    {"hooks", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(nodeinfo_type, nodeinfo_fields);

static const struct ng_parse_struct_field linkinfo_fields[] = {
    {"ourhook", &ng_parse_hookbuf_type, 0},
    {"peerhook", &ng_parse_hookbuf_type, 0},
    {"nodeinfo", &nodeinfo_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(linkinfo_type, linkinfo_fields);

static int hooklist_len(const struct ng_parse_type *t, const uint8_t *start, const uint8_t *buf)
{
    (void)t;
    (void)start;
    return count_at(buf, sizeof(struct nodeinfo) - offsetof(struct nodeinfo, hooks));
}
static const struct ng_parse_array_info linkinfo_array_info = {&linkinfo_type, hooklist_len};
ARRAY_TYPE(linkinfo_array_type, &linkinfo_array_info);
static const struct ng_parse_struct_field hooklist_fields[] = {
    {"nodeinfo", &nodeinfo_type, 0},
    {"linkinfo", &linkinfo_array_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(hooklist_type, hooklist_fields);

static int count_before(const struct ng_parse_type *t, const uint8_t *start, const uint8_t *buf)
{
    (void)t;
    (void)start;
    return count_at(buf, sizeof(uint32_t));
}
static const struct ng_parse_array_info nodeinfo_array_info = {&nodeinfo_type, count_before};
ARRAY_TYPE(nodeinfo_array_type, &nodeinfo_array_info);
static const struct ng_parse_struct_field listnodes_fields[] = {
    {"numnames", &ng_parse_uint32_type, 0},
    {"nodeinfo", &nodeinfo_array_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(listnodes_type, listnodes_fields);

static const struct ng_parse_struct_field typeinfo_fields[] = {
    {"typename", &ng_parse_typebuf_type, 0},
    {"numnodes", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(typeinfo_type, typeinfo_fields);
static const struct ng_parse_array_info typeinfo_array_info = {&typeinfo_type, count_before};
ARRAY_TYPE(typeinfo_array_type, &typeinfo_array_info);
static const struct ng_parse_struct_field typelist_fields[] = {
    {"numtypes", &ng_parse_uint32_type, 0},
    {"typeinfo", &typeinfo_array_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(typelist_type, typelist_fields);

/* ------------------------------------------------------------------------ */
/* NGM_STATS (struct ng_node_stats + struct ng_hook_stats[nhooks])          */
/* ------------------------------------------------------------------------ */

static const struct ng_parse_struct_field hookstats_fields[] = {
    {"name", &ng_parse_hookbuf_type, 0},
    {"items_in", &ng_parse_uint64_type, 0},
    {"items_out", &ng_parse_uint64_type, 0},
    {"drops", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(hookstats_type, hookstats_fields);
static int stats_len(const struct ng_parse_type *t, const uint8_t *start, const uint8_t *buf)
{
    (void)t;
    (void)start;
    return count_at(buf,
                    offsetof(struct ng_node_stats, hook) - offsetof(struct ng_node_stats, nhooks));
}
static const struct ng_parse_array_info hookstats_array_info = {&hookstats_type, stats_len};
ARRAY_TYPE(hookstats_array_type, &hookstats_array_info);
static const struct ng_parse_fixedarray_info drops_info = {&ng_parse_uint64_type, NG_DROP_REASONS};
static const struct ng_parse_type drops_type = {
    &ng_parse_fixedarray_type, &drops_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field stats_fields[] = {
    {"id", &ng_parse_hint32_type, 0},
    {"nhooks", &ng_parse_uint32_type, 0},
    {"items_in", &ng_parse_uint64_type, 0},
    {"items_out", &ng_parse_uint64_type, 0},
    {"drops", &drops_type, 0},
    {"queued", &ng_parse_uint64_type, 0},
    {"queue_depth", &ng_parse_uint64_type, 0},
    {"hook", &hookstats_array_type, 0},
    {NULL, NULL, 0},
};
STRUCT_TYPE(stats_type, stats_fields);

/* ------------------------------------------------------------------------ */
/* The generic command list                                                 */
/* ------------------------------------------------------------------------ */

#define G NGM_GENERIC_COOKIE
const struct ng_cmdlist ng_generic_cmds[] = {
    {G, NGM_SHUTDOWN, "shutdown", NULL, NULL, 0},
    {G, NGM_MKPEER, "mkpeer", &mkpeer_type, NULL, sizeof(struct ngm_mkpeer)},
    {G, NGM_CONNECT, "connect", &connect_type, NULL, sizeof(struct ngm_connect)},
    {G, NGM_NAME, "name", &name_type, NULL, sizeof(struct ngm_name)},
    {G, NGM_RMHOOK, "rmhook", &rmhook_type, NULL, sizeof(struct ngm_rmhook)},
    {G, NGM_NODEINFO, "nodeinfo", NULL, &nodeinfo_type, 0},
    {G, NGM_LISTHOOKS, "listhooks", NULL, &hooklist_type, 0},
    {G, NGM_LISTNAMES, "listnames", NULL, &listnodes_type, 0},
    {G, NGM_LISTNODES, "listnodes", NULL, &listnodes_type, 0},
    {G, NGM_LISTTYPES, "listtypes", NULL, &typelist_type, 0},
    {G, NGM_TEXT_CONFIG, "textconfig", NULL, &ng_parse_string_type, 0},
    {G, NGM_TEXT_STATUS, "textstatus", NULL, &ng_parse_string_type, 0},
    {G, NGM_ASCII2BINARY, "ascii2binary", &ng_parse_ng_mesg_type, &ng_parse_ng_mesg_type,
     sizeof(struct ng_mesg_header)},
    {G, NGM_BINARY2ASCII, "binary2ascii", &ng_parse_ng_mesg_type, &ng_parse_ng_mesg_type,
     sizeof(struct ng_mesg_header)},
    {NGM_NGRAPH_COOKIE, NGM_STATS, "stats", NULL, &stats_type, 0},
    {0, 0, NULL, NULL, NULL, 0},
};
#undef G
