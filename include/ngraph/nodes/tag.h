/*
 * <ngraph/nodes/tag.h> - the "tag" node type (FreeBSD's ng_tag(4)): route
 * packets by the tags they carry, strip tags, and tag packets leaving a
 * hook.  Cookie, command numbers, structs and ASCII names are FreeBSD's
 * <netgraph/ng_tag.h> (with its NG_TAG_DEBUG statistics always on).
 *
 * FreeBSD's tags are mbuf tags; here they live in the item's metadata area
 * (ng_item_meta(), NG_ITEM_META_SIZE = 32 bytes), in the layout below, so
 * that other node types can read and write them with the inline helpers
 * ng_tag_meta_*().  docs/nodes/tag.md describes both.
 */
#ifndef NGRAPH_NODES_TAG_H
#define NGRAPH_NODES_TAG_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_tag_type;

#define NG_TAG_NODE_TYPE "tag"
#define NGM_TAG_COOKIE 1149771193u

/* ------------------------------------------------------------------------ */
/* Tags in the item metadata area                                           */
/* ------------------------------------------------------------------------ */
/*
 * The NG_ITEM_META_SIZE bytes of an item's metadata area hold a list of
 * tags, newest first (FreeBSD's m_tag_prepend order):
 *
 *     byte 0         number of bytes of tag records that follow (0: no tag;
 *                    a new item's area is zeroed, so it carries none)
 *     bytes 1...     records, back to back, unaligned:
 *                        uint32_t cookie   (host byte order)
 *                        uint16_t id       (host byte order)
 *                        uint8_t  len      (data bytes)
 *                        uint8_t  data[len]
 *
 * At most NG_TAG_META_SPACE (31) bytes of records: one tag carries at most
 * NG_TAG_MAX_LEN (24) data bytes; four tags with no data fit.  A tag with
 * cookie 0 and id 0 is never stored (FreeBSD's "no tag").  A list that
 * does not parse (byte 0 too large, a record running past it: the area
 * written by something else) reads as no tags, and adding a tag to it
 * starts a new list.
 */
#define NG_TAG_META_HDR 7u                                   /* cookie, id, len */
#define NG_TAG_META_SPACE (NG_ITEM_META_SIZE - 1u)           /* 31 bytes of records */
#define NG_TAG_MAX_LEN (NG_TAG_META_SPACE - NG_TAG_META_HDR) /* 24 */

/*
 * Length of the valid record list at meta (byte 0 if every record fits).
 *   Context:  the item's owner; pure.
 *   Consumes: nothing.
 *   Returns:  the number of record bytes (0..NG_TAG_META_SPACE); 0 for an
 *             area that does not parse.
 */
static inline unsigned ng_tag_meta_used(const void *meta)
{
    const uint8_t *m = (const uint8_t *)meta;
    unsigned used = m[0], off = 0;
    if (used > NG_TAG_META_SPACE)
        return 0;
    while (off < used) {
        if (used - off < NG_TAG_META_HDR || used - off - NG_TAG_META_HDR < m[1 + off + 6])
            return 0;
        off += NG_TAG_META_HDR + m[1 + off + 6];
    }
    return used;
}

/*
 * Find the first tag with cookie and id at or after record offset `from`
 * (0: the newest tag; the offset after a match: the next one).
 *   Context:  the item's owner; pure.
 *   Consumes: nothing.
 *   Returns:  the record's offset (>= 0); -ENOENT if there is none.
 */
static inline int ng_tag_meta_find(const void *meta, uint32_t cookie, uint16_t id, unsigned from)
{
    const uint8_t *m = (const uint8_t *)meta;
    unsigned used = ng_tag_meta_used(meta), off = 0;
    while (off < used) {
        uint32_t c;
        uint16_t i;
        memcpy(&c, m + 1 + off, sizeof(c));
        memcpy(&i, m + 1 + off + 4, sizeof(i));
        if (off >= from && c == cookie && i == id)
            return (int)off;
        off += NG_TAG_META_HDR + m[1 + off + 6];
    }
    return -ENOENT;
}

/*
 * The record at offset off (from ng_tag_meta_find): its data and length.
 *   Context:  the item's owner; pure.
 *   Consumes: nothing.
 *   Returns:  the data length (0..NG_TAG_MAX_LEN); *data (if not NULL)
 *             points into the area.
 */
static inline unsigned ng_tag_meta_data(const void *meta, int off, const uint8_t **data)
{
    const uint8_t *m = (const uint8_t *)meta;
    if (data)
        *data = m + 1 + off + NG_TAG_META_HDR;
    return m[1 + off + 6];
}

/*
 * Add a tag in front of the list (it becomes the newest).
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (cookie and id both 0, len above NG_TAG_MAX_LEN,
 *             data NULL with len > 0); -ENOSPC (the list has no room left:
 *             nothing changed).
 */
static inline int ng_tag_meta_add(void *meta, uint32_t cookie, uint16_t id, const void *data,
                                  unsigned len)
{
    uint8_t *m = (uint8_t *)meta;
    if ((cookie == 0 && id == 0) || len > NG_TAG_MAX_LEN || (len && !data))
        return -EINVAL;
    unsigned used = ng_tag_meta_used(meta), rec = NG_TAG_META_HDR + len;
    if (used + rec > NG_TAG_META_SPACE)
        return -ENOSPC;
    memmove(m + 1 + rec, m + 1, used);
    memcpy(m + 1, &cookie, sizeof(cookie));
    memcpy(m + 1 + 4, &id, sizeof(id));
    m[1 + 6] = (uint8_t)len;
    if (len)
        memcpy(m + 1 + NG_TAG_META_HDR, data, len);
    m[0] = (uint8_t)(used + rec);
    return 0;
}

/*
 * Remove the record at offset off (from ng_tag_meta_find).
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
static inline void ng_tag_meta_del(void *meta, int off)
{
    uint8_t *m = (uint8_t *)meta;
    unsigned used = ng_tag_meta_used(meta), o = (unsigned)off;
    if (off < 0 || o >= used)
        return;
    unsigned rec = NG_TAG_META_HDR + m[1 + o + 6];
    memmove(m + 1 + o, m + 1 + o + rec, used - o - rec);
    memset(m + 1 + used - rec, 0, rec);
    m[0] = (uint8_t)(used - rec);
}

/* ------------------------------------------------------------------------ */
/* Messages (FreeBSD's)                                                     */
/* ------------------------------------------------------------------------ */

/* Incoming side of a hook (NGM_TAG_SET_HOOKIN argument, GET_HOOKIN
 * response): tag_len data bytes follow the struct. */
struct ng_tag_hookin {
    char thisHook[NG_HOOKSIZ];   /* name of hook */
    char ifMatch[NG_HOOKSIZ];    /* match dest hook */
    char ifNotMatch[NG_HOOKSIZ]; /* !match dest hook */
    uint8_t strip;               /* strip tag if found */
    uint32_t tag_cookie;         /* ABI/Module ID */
    uint16_t tag_id;             /* tag ID */
    uint16_t tag_len;            /* length of data (at most NG_TAG_MAX_LEN here) */
    uint8_t tag_data[];          /* tag data */
};

/* Outgoing side of a hook (NGM_TAG_SET_HOOKOUT argument, GET_HOOKOUT
 * response). */
struct ng_tag_hookout {
    char thisHook[NG_HOOKSIZ]; /* name of hook */
    uint32_t tag_cookie;       /* ABI/Module ID */
    uint16_t tag_id;           /* tag ID */
    uint16_t tag_len;          /* length of data (at most NG_TAG_MAX_LEN here) */
    uint8_t tag_data[];        /* tag data */
};

#define NG_TAG_HOOKIN_SIZE(taglen) (sizeof(struct ng_tag_hookin) + (taglen))
#define NG_TAG_HOOKOUT_SIZE(taglen) (sizeof(struct ng_tag_hookout) + (taglen))

/* Statistics of one hook (NGM_TAG_GET_STATS response). */
struct ng_tag_hookstat {
    uint64_t recvFrames;
    uint64_t recvOctets;
    uint64_t recvMatchFrames;
    uint64_t recvMatchOctets;
    uint64_t xmitFrames;
    uint64_t xmitOctets;
};

enum {
    NGM_TAG_SET_HOOKIN = 1, /* struct ng_tag_hookin */
    NGM_TAG_GET_HOOKIN,     /* hook name (char[NG_HOOKSIZ]); response struct ng_tag_hookin */
    NGM_TAG_SET_HOOKOUT,    /* struct ng_tag_hookout */
    NGM_TAG_GET_HOOKOUT,    /* hook name; response struct ng_tag_hookout */
    NGM_TAG_GET_STATS,      /* hook name; response struct ng_tag_hookstat */
    NGM_TAG_CLR_STATS,      /* hook name */
    NGM_TAG_GETCLR_STATS,   /* hook name; response struct ng_tag_hookstat */
};

#ifdef __cplusplus
}
#endif

#endif
