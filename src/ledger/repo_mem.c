/* The ledger's memory backend (ledger_repo.h), for one thread (a backtest
 * without a store): portfolios, strategies, instruments, the signal log,
 * portfolio states, positions, orders, fills, trades and pyramiding state
 * in chunked arrays (elements never move) indexed by open-addressing hash
 * maps. Rows are compact: their text (keys, ids, reasons) lives in an
 * append-only string arena of the backend whose blocks never move (named by
 * offset; keys by pointer), and the public structs are rebuilt when a read
 * asks for them. A transaction keeps an undo
 * journal (old bytes of what it changed); a failure replays it backwards,
 * drops the keys of the elements it added from the maps (newest first) and
 * sets the tables' counts and the arena's length back to where they were, so
 * nothing of the transaction stays. Elements made in the running
 * transaction are not journalled: undoing their table's count drops them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
#include "tradecore/accounts.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define CHUNK_SHIFT 9
#define CHUNK ((size_t)1 << CHUNK_SHIFT)
#define SLOT_KEY_MAX (2 * TC_ID_BUFSZ + 2)

/* ------------------------------------------------------------------------ */
/* The string arena                                                           */

#define STR_SHIFT 15
#define STR_BLK ((size_t)1 << STR_SHIFT)
/* zeroed bytes after each block: a read of a whole column (at most
 * STR_COPY_MAX bytes) from any string stays inside its block and reads no
 * uninitialised byte, so texts are copied out at a fixed size */
#define STR_COPY_MAX TC_LEDGER_TEXT_MAX
#define STR_ALLOC (STR_BLK + STR_COPY_MAX)
/* an order's fingerprint that is its key's prefix (not a valid offset) */
#define SAME UINT32_MAX

/* Strings in blocks of STR_BLK bytes (malloc'd, STR_ALLOC with room for
 * the zeroes after them), each NUL-terminated inside one block; offset 0 is
 * "". Any offset below N reads a NUL-terminated string. A failed
 * transaction sets N back to N0: what it appended is dropped.
 *
 * The bytes are initialised ahead of the appends, ZCHUNK at a time (not a
 * whole block at once): every block below ZB whole, block ZB up to ZAT;
 * an append keeps the STR_COPY_MAX bytes after its NUL initialised. */
struct arena {
    char **blk;
    size_t nblk, capblk;
    size_t n;        /* the next offset: block << STR_SHIFT | byte */
    size_t n0;       /* n when the running transaction began */
    size_t zb, zat;  /* the block being initialised and its bytes so far */
};

#define ZCHUNK ((size_t)1024)

/* Room for LEN bytes and a NUL at N, in the block being initialised, with
 * the bytes after them initialised (the appends' common case). */
static int str_room(const struct arena *a, size_t len)
{
    return a->n >> STR_SHIFT == a->zb &&
           (a->n & (STR_BLK - 1)) + len + 1 + STR_COPY_MAX <= a->zat;
}

static const char *str_at(const struct arena *a, uint32_t off)
{
    return a->blk[off >> STR_SHIFT] + (off & (STR_BLK - 1));
}

/* Appends the LEN bytes at S (LEN < STR_BLK) and a NUL; *OFF their offset
 * (0 for an empty one, nothing appended). TC_ENOMEM, nothing appended. */
static int str_add(struct arena *a, const char *s, size_t len, uint32_t *off)
{
    size_t b = a->n >> STR_SHIFT, at = a->n & (STR_BLK - 1);

    if (!len) {
        *off = 0;
        return 0;
    }
    if (at == 0 && b == a->zb + 1) {
        /* the text before ended on block ZB's last byte, which is whole
         * then (with the zeroes after it): B is the one to initialise */
        a->zb = b;
        a->zat = 0;
    }
    if (at + len + 1 > STR_BLK) {
        /* the end of the block stays zeroes (a rollback may have left text
         * there), and the block is initialised whole */
        memset(a->blk[b] + at, 0, (b == a->zb ? STR_ALLOC : STR_BLK) - at);
        if (b == a->zb) {
            a->zb = b + 1;
            a->zat = 0;
        }
        b++;
        at = 0;
    }
    if (b >= a->nblk) {
        if (b >= (UINT32_MAX >> STR_SHIFT) - 1)
            return TC_ENOMEM;
        if (tc__grow((void **)&a->blk, &a->capblk, a->nblk, sizeof(*a->blk), 16) != 0)
            return TC_ENOMEM;
        if (!(a->blk[a->nblk] = malloc(STR_ALLOC)))
            return TC_ENOMEM;
        a->nblk++;
    }
    /* B is at most ZB: the bytes it writes and the STR_COPY_MAX after them
     * initialised (ZCHUNK more at a time) */
    if (b == a->zb && at + len + 1 + STR_COPY_MAX > a->zat) {
        size_t to = at + len + 1 + STR_COPY_MAX + ZCHUNK;
        if (to > STR_ALLOC)
            to = STR_ALLOC;
        memset(a->blk[b] + a->zat, 0, to - a->zat);
        a->zat = to;
    }
    memcpy(a->blk[b] + at, s, len);
    a->blk[b][at + len] = '\0';
    *off = (uint32_t)(b << STR_SHIFT | at);
    a->n = (b << STR_SHIFT) + at + len + 1;
    return 0;
}

/* The column DST (a char array of at most STR_COPY_MAX bytes) from the
 * string at OFF, stored at most sizeof(DST) - 1 bytes long: copied at a
 * fixed size (the string, its NUL and what follows). */
#define STR_COPY(a, dst, off) memcpy((dst), str_at((a), (off)), sizeof(dst))

/* S truncated to CAP - 1 bytes (what a char[CAP] column keeps). */
static int str_put(struct arena *a, const char *s, size_t cap, uint32_t *off)
{
    size_t n = strlen(s), at = a->n & (STR_BLK - 1);
    if (n >= cap)
        n = cap - 1;
    /* the common case inline: room in the current block */
    if (n && str_room(a, n)) {
        char *d = a->blk[a->n >> STR_SHIFT] + at;
        memcpy(d, s, n);
        d[n] = '\0';
        *off = (uint32_t)a->n;
        a->n += n + 1;
        return 0;
    }
    return str_add(a, s, n, off);
}

/* The texts many rows share (order and exit reasons, strategy ids): the
 * offsets of the last ones stored and their lengths, each checked before
 * use (below the arena's length, the same text). */
#define NSHARED 4
struct shared {
    uint32_t off[NSHARED];
    size_t len[NSHARED];
    unsigned next;
};

/* The same as str_put, reusing a shared text equal to S (stored whole). */
static int str_put_shared(struct arena *a, struct shared *sh, const char *s, size_t cap,
                          uint32_t *off)
{
    size_t n = strlen(s);
    int rc;
    if (!n) {
        *off = 0;
        return 0;
    }
    if (n >= cap) /* kept truncated: not shared */
        return str_add(a, s, cap - 1, off);
    for (unsigned k = 0; k < NSHARED; k++) {
        uint32_t o = sh->off[k];
        /* the length first: the text's bytes only for one that may be it
         * (a text below the arena's length is whole, its NUL with it) */
        if (o && sh->len[k] == n && o < a->n && memcmp(str_at(a, o), s, n + 1) == 0) {
            *off = o;
            return 0;
        }
    }
    if ((rc = str_add(a, s, n, off)) == 0) {
        sh->off[sh->next] = *off;
        sh->len[sh->next] = n;
        sh->next = (sh->next + 1) % NSHARED;
    }
    return rc;
}

static void arena_free(struct arena *a)
{
    for (size_t b = 0; b < a->nblk; b++)
        free(a->blk[b]);
    free(a->blk);
}

/* ------------------------------------------------------------------------ */
/* Tables: chunked element arrays with a hash map of their keys               */

/* Every element begins with a pointer to its key in the arena (blocks never
 * move). */
struct table {
    char **blk;          /* blocks of CHUNK elements, malloc'd: an element is
                            zeroed when it is added (a block is not zeroed whole);
                            after them, the CHUNK hashes of their keys */
    size_t nblk, capblk;
    size_t size;         /* element size */
    size_t n;            /* elements */
    size_t n0;           /* elements when the running transaction began */
    size_t hw;           /* elements ever used: those above are not initialised */
    uint32_t *slots;     /* element index + 1 and its hash's tag (slot_tag);
                            0 = empty */
    size_t nslots;       /* power of two, >= 2 × n; 0 = no map */
    size_t last;         /* index + 1 of the key last found or added (a signal or
                            fill asks for the same row several times); 0 none */
    const struct arena *a;  /* where the keys are */
};

/* Copies S into BUF of CAP bytes, truncated to fit. */
static void copy_str(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

static void *tab_at(const struct table *t, size_t i)
{
    return t->blk[i >> CHUNK_SHIFT] + (i & (CHUNK - 1)) * t->size;
}

/* The hash of element I's key, kept when it was added (the map grows and
 * drops keys without hashing them again). */
static uint64_t *tab_hash(const struct table *t, size_t i)
{
    return (uint64_t *)(void *)(t->blk[i >> CHUNK_SHIFT] + CHUNK * t->size) + (i & (CHUNK - 1));
}

static const char *tab_key(const struct table *t, size_t i)
{
    return *(const char *const *)tab_at(t, i);
}

/* Whether KEY is the key of the element T found or added last. */
static inline int tab_last_is(const struct table *t, const char *key)
{
    return t->last && t->last <= t->n && strcmp(tab_key(t, t->last - 1), key) == 0;
}

/* A key with its length and hash, worked out once for a lookup and the
 * insert that follows it. */
struct hkey {
    const char *s;
    size_t len;
    uint64_t h;
};

#define HMUL UINT64_C(0x9fb21c651e98df25)
#define HK1 UINT64_C(0xa0761d6478bd642f)
#define HK2 UINT64_C(0xe7037ed1a0b428db)

__extension__ typedef unsigned __int128 hk_u128;

/* The 128-bit product of A and B folded to 64 bits (its halves xor'ed). */
static inline uint64_t hk_mix(uint64_t a, uint64_t b)
{
    hk_u128 r = (hk_u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Sixteen bytes a step, each step one 128-bit multiply of the two words
 * (xor'ed with constants and the state) folded to 64 bits; the last 1..16
 * bytes as two words read from the end, overlapping the bytes before
 * (fingerprints are 71 characters: five steps and a last multiply, was
 * nine steps of eight bytes, each a multiply and a shift), keys shorter
 * than eight bytes byte by byte; the length in the last step. The map uses
 * the low bits. */
static struct hkey hkey_n(const char *s, size_t len)
{
    struct hkey k = {s, len, 0};
    uint64_t h = UINT64_C(0x2545f4914f6cdd1d), w0 = 0, w1 = 0;
    size_t i = 0;

    for (; i + 16 < k.len; i += 16) {
        memcpy(&w0, s + i, 8);
        memcpy(&w1, s + i + 8, 8);
        h = hk_mix(w0 ^ HK1, w1 ^ HK2 ^ h);
    }
    if (k.len >= 16) {
        memcpy(&w0, s + k.len - 16, 8);
        memcpy(&w1, s + k.len - 8, 8);
    } else if (k.len >= 8) {
        memcpy(&w0, s, 8);
        memcpy(&w1, s + k.len - 8, 8);
    } else {
        for (size_t j = 0; j < k.len; j++)
            w0 |= (uint64_t)(unsigned char)s[j] << (8 * j);
    }
    h = hk_mix(w0 ^ HK1 ^ k.len * HMUL, w1 ^ HK2 ^ h);
    k.h = hk_mix(h ^ HK1, HMUL);
    if (!k.h) /* 0 marks an element whose key is not in the map */
        k.h = 1;
    return k;
}

static struct hkey hkey(const char *s)
{
    return hkey_n(s, strlen(s));
}

/* The key S of LEN bytes (0: measured) with the hash H that key_hint gave
 * for it (0: none, hashed here). */
static inline struct hkey hkey_hinted(const char *s, size_t len, uint64_t h)
{
    if (!len)
        len = strlen(s);
    return h ? (struct hkey){s, len, h} : hkey_n(s, len);
}

/* A slot of a map of NSLOTS (2^b) slots holds its element's index + 1 in
 * its low b bits (the map has at least twice as many slots as elements:
 * the number fits) and, above them, the bits of its hash above bit 32 + b:
 * the tag (none once b reaches 32). A probe passes the element of another
 * key by its tag, as a rule, without reading that element's hash (a cache
 * miss of its own). */
static inline uint32_t slot_tag(size_t nslots, uint64_t h)
{
    return (uint32_t)(h >> 32) & ~(uint32_t)(nslots - 1);
}

/* Whether the kept key KEY is the one K names (its K->len bytes, which may
 * be followed by more in K->s). memcmp may read K->len bytes of KEY even
 * when KEY is shorter: a kept key lies in the arena, whose blocks keep
 * STR_COPY_MAX initialised bytes after every text's NUL (str_add), and no
 * probe is longer (ids, fingerprints, client order ids, execution ids and
 * slot keys come from arrays of at most TC_BROKER_ID_MAX bytes). */
static inline int key_is(const char *key, const struct hkey *k)
{
    _Static_assert(SLOT_KEY_MAX <= STR_COPY_MAX && TC_BROKER_ID_MAX <= STR_COPY_MAX,
                   "a probe's length fits in the arena's zeroes after a kept key");
    return memcmp(key, k->s, k->len) == 0 && key[k->len] == '\0';
}

/* Index of the key K names (its K->len bytes), or -1. */
static long tab_find_h(const struct table *t, const struct hkey *k)
{
    uint32_t mask = (uint32_t)(t->nslots - 1), tag = slot_tag(t->nslots, k->h);
    if (!t->nslots)
        return -1;
    for (size_t j = k->h & (t->nslots - 1);; j = (j + 1) & (t->nslots - 1)) {
        uint32_t v = t->slots[j], i = v & mask;
        if (!v)
            return -1;
        if ((v & ~mask) == tag && *tab_hash(t, i - 1) == k->h && key_is(tab_key(t, i - 1), k))
            return (long)(i - 1);
    }
}

/* Index of KEY, or -1: the key asked for last is compared before hashing. */
static long tab_find(struct table *t, const char *key)
{
    struct hkey k;
    long i;
    if (tab_last_is(t, key))
        return (long)(t->last - 1);
    k = hkey(key);
    if ((i = tab_find_h(t, &k)) >= 0)
        t->last = (size_t)i + 1;
    return i;
}

static void map_put(uint32_t *slots, size_t nslots, uint64_t h, size_t i)
{
    size_t j = h & (nslots - 1);
    while (slots[j])
        j = (j + 1) & (nslots - 1);
    slots[j] = (uint32_t)(i + 1) | slot_tag(nslots, h);
}

/* Rebuilt in index order: the order the keys were added, which undoing the
 * last additions first relies on. */
static int map_grow(struct table *t, size_t nslots)
{
    uint32_t *s = calloc(nslots, sizeof(*s));
    if (!s)
        return TC_ENOMEM;
    for (size_t i = 0; i < t->n; i++)
        if (*tab_hash(t, i)) /* 0: not in the map */
            map_put(s, nslots, *tab_hash(t, i), i);
    free(t->slots);
    t->slots = s;
    t->nslots = nslots;
    return 0;
}

/* Removes the key of element I, the last one added. */
static void map_drop(struct table *t, size_t i)
{
    uint32_t mask = (uint32_t)(t->nslots - 1);
    if (!t->nslots || !*tab_hash(t, i))
        return;
    for (size_t j = *tab_hash(t, i) & (t->nslots - 1);; j = (j + 1) & (t->nslots - 1)) {
        if (!t->slots[j])
            return;
        if ((t->slots[j] & mask) == i + 1) {
            t->slots[j] = 0;
            return;
        }
    }
}

/* Room for element N (not initialised unless N < hw; tab_insert_h zeroes
 * it); NULL when out of memory. */
static void *tab_room(struct table *t)
{
    size_t b = t->n >> CHUNK_SHIFT;
    if (t->n >= UINT32_MAX - 1)
        return NULL;
    if (b >= t->nblk) {
        if (tc__grow((void **)&t->blk, &t->capblk, t->nblk, sizeof(*t->blk), 8) != 0)
            return NULL;
        if (!(t->blk[t->nblk] = malloc(CHUNK * (t->size + sizeof(uint64_t)))))
            return NULL;
        t->nblk++;
    }
    return tab_at(t, t->n);
}

static void tab_free(struct table *t)
{
    for (size_t b = 0; b < t->nblk; b++)
        free(t->blk[b]);
    free(t->blk);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------------ */
/* Elements (each begins with its key's offset)                               */

struct mpf {
    const char *key;          /* portfolio_id */
    int deleted;
    int has_state;
    struct tc_dec capital;
    struct tc_portfolio_state st;
};

struct mstrat {
    const char *key;          /* strategy_id */
    int deleted, enabled, params_rc;
    struct tc_sizing_params params;
    struct tc_error params_err;
};

struct minst {
    const char *key;          /* in.instrument_id */
    uint32_t slot;            /* index + 1 of the slot last found for it (a
                                 hint: checked before use); 0 none */
    struct tc_instrument in;
};

/* A signal_log row: its outcome's text in the arena. */
struct msig {
    const char *key;          /* fingerprint */
    uint32_t reason, position_id, order_id;
    uint32_t pos;             /* index + 1 of the position row whose id is
                                 the position id (then not kept); 0 none */
    uint32_t ord;             /* index + 1 of its newest order kept by it
                                 (ord_of); 0 none */
    enum tc_signal_status status;
    int64_t duplicates;
};

/* What a save changes (journalled as one block). */
struct mpos_mut {
    uint32_t exit_reason;
    enum tc_position_status status;
    int has_current_stop;
    struct tc_dec quantity, lots, entry_price, current_stop;
    struct tc_dec closed_quantity, exit_price, realized_pnl, commission;
    int64_t exit_time_us, version, updated_at_us;
};

/* A position: its portfolio and instrument are its slot's. */
struct mpos {
    const char *key;          /* position_id */
    uint32_t strategy;
    uint32_t slot;
    uint32_t first_order;     /* index + 1 of its newest order; 0 none */
    uint32_t trade;           /* index + 1 of its trade; 0 none */
    unsigned char klen;       /* the key's length */
    enum tc_side side;
    int has_initial_stop, is_base, layer;
    struct tc_dec multiplier, lot_size, initial_stop;
    int64_t entry_time_us;
    struct mpos_mut v;
};

/* A pyramiding state: a write changes st from base_position_id on, has and
 * updated_at (journalled as one block, not the ids before it). */
struct mpyr {
    struct tc_pyramiding_state st;
    int has;
    int64_t updated_at;
};

#define PYR_MUT(y) ((void *)(y)->st.base_position_id)
#define PYR_MUT_LEN (sizeof(struct mpyr) - offsetof(struct mpyr, st.base_position_id))

/* One (portfolio, instrument): its pyramiding state and positions. */
struct mslot {
    const char *key;          /* "<portfolio>\x1f<instrument>" */
    uint32_t pf;              /* its portfolio's row's index + 1, 0 none */
    char portfolio_id[TC_ID_BUFSZ], instrument_id[TC_ID_BUFSZ];
    struct mpyr pyr;
    uint32_t *pos;            /* its positions' indexes, oldest first */
    size_t npos, cap;
    size_t lo;                /* every position before lo is closed */
};

/* What the versioned updates change (journalled whole). The broker's
 * order id, a reject reason and the times of submission and change are not
 * kept: no read of an in-memory ledger gives them (ledger.h). */
struct mord_state {
    enum tc_order_status status;
    struct tc_dec filled;
    int64_t version;
};

/* An order: its intent without the text, which is in the arena; its
 * portfolio, strategy and instrument are its position's (ledger_repo.h). */
struct mord {
    const char *key;          /* client_order_id */
    uint32_t order_id, reason;
    uint32_t fp;              /* SAME: the key's first fplen bytes */
    unsigned char fplen;
    uint32_t pos;
    uint32_t next;            /* index + 1 of the position's previous order */
    uint32_t sig_next;        /* index + 1 of its signal row's previous order
                                 (ord_of); 0 none */
    int closing;
    enum tc_mode mode;
    enum tc_order_side side;
    enum tc_order_type type;
    enum tc_tif tif;
    int has_ref_price, has_limit_price, has_stop_price;
    struct tc_dec quantity, multiplier, ref_price, limit_price, stop_price;
    int64_t created_at_us;
    struct mord_state s;
};

/* A fill (its id not kept: no read of an in-memory ledger gives it). */
struct mfill {
    const char *key;          /* execution_id */
    uint32_t order;
    struct tc_dec quantity, price, commission;
    int64_t filled_at, created_at;
};

/* A trade: "trd-<position id>", one per position (the position keeps its
 * index), so no key nor map of its own. */
struct mtrade {
    uint32_t pos;
    struct tc_dec net;
    int64_t created_at;
};

/* ------------------------------------------------------------------------ */
/* The journal                                                                */

/* The old LEN bytes at ADDR, kept from OFF in the journal's bytes. The keys
 * a transaction added are not journalled: they are those of its tables'
 * elements from n0 on (dropped newest first on rollback). */
struct undo {
    void *addr;
    size_t len, off;
};

enum { T_PF, T_STRAT, T_INST, T_SIG, T_POS, T_SLOT, T_ORD, T_FILL, T_TRADE, NT };

#define INST_HINT_BITS 10
#define INST_HINTS (1u << INST_HINT_BITS)

struct mem {
    struct table t[NT];
    struct arena a;
    int depth;                /* transactions running (nested ones join) */
    struct undo *u;
    size_t nu, capu;
    unsigned char *bytes;
    size_t nb, capb;
    struct tc__repo_vec scratch;  /* check and positions_open */
    size_t last_slot;             /* index + 1 of the last slot found */
    struct shared texts;          /* reasons and strategy ids */
    /* instruments by their ids' last four bytes and length: index + 1 of
     * the last one found there (a hint: checked), 0 none */
    uint32_t inst_hint[INST_HINTS];
    /* index + 1 of the order after the one a read by client order id found
     * last (fills come in the order their orders were made, as a rule: a
     * hint, checked), 0 none */
    size_t ord_next;
    /* the reason's offset of the order order_load read last: the exit
     * reason a closing fill gives its position, as a rule (a hint: checked
     * against the position's text and the arena's length), 0 none */
    uint32_t last_why;
    /* positions by number (pos_num): NP the prefix learnt from the first
     * position id of that form (NPLEN bytes; HAS_NP), and the positions
     * with such ids sorted by their numbers (appended: the ledger counts
     * them up), not in the positions' map */
    char np[TC_ID_BUFSZ];
    size_t nplen;
    int has_np;
    struct pnum {
        uint64_t n;
        uint32_t idx;
    } *pn;
    size_t npn, cappn;
};

#define M(l) ((struct mem *)(l)->mem)
#define TX(m) ((struct tc_txn *)(void *)(m))

/* Room for one more journal entry. */
static int undo_room(struct mem *m)
{
    return tc__grow((void **)&m->u, &m->capu, m->nu, sizeof(*m->u), 64) != 0 ? TC_ENOMEM : 0;
}

/* Room in the journal for one more entry of LEN bytes (out of save's line). */
static __attribute__((noinline)) int save_grow(struct mem *m, size_t len)
{
    if (m->nb + len > m->capb &&
        tc__grow((void **)&m->bytes, &m->capb, m->nb + len - 1, 1, 4096) != 0)
        return TC_ENOMEM;
    return undo_room(m);
}

/* Keeps the LEN bytes at ADDR for undo (nothing outside a transaction).
 * Inline: LEN is a constant at every call, so its copy is a few moves, not
 * a call of memcpy (a signal and its fill journal about ten fields). */
static inline __attribute__((always_inline)) int save(struct mem *m, void *addr, size_t len)
{
    struct undo *u;
    if (!m->depth)
        return 0;
    if ((m->nb + len > m->capb || m->nu == m->capu) && save_grow(m, len) != 0)
        return TC_ENOMEM;
    u = &m->u[m->nu++];
    u->addr = addr;
    u->len = len;
    u->off = m->nb;
    memcpy(m->bytes + m->nb, addr, len);
    m->nb += len;
    return 0;
}

/* The same for a field of element I of T: nothing when the element was
 * made in the running transaction. */
static inline __attribute__((always_inline)) int save_el(struct mem *m, const struct table *t,
                                                          size_t i, void *addr, size_t len)
{
    return i >= t->n0 ? 0 : save(m, addr, len);
}

static void rollback_to(struct mem *m, size_t nu)
{
    while (m->nu > nu) {
        struct undo *u = &m->u[--m->nu];
        memcpy(u->addr, m->bytes + u->off, u->len);
        m->nb = u->off;
    }
}

/* The elements the running transaction added dropped from each table, their
 * keys from the maps newest first, and the arena's text with them. */
static void drop_added(struct mem *m)
{
    for (size_t k = 0; k < NT; k++) {
        struct table *t = &m->t[k];
        while (t->n > t->n0)
            map_drop(t, --t->n);
    }
    /* the positions numbered among them: the last ones numbered */
    while (m->npn && m->pn[m->npn - 1].idx >= m->t[T_POS].n)
        m->npn--;
    m->a.n = m->a.n0;
}

static int oom(struct tc_error *err, const char *what)
{
    return tc_error_set(err, TC_ENOMEM, "ledger (memory): out of memory for %s", what);
}

/* Element N of T added with the key K names (its K->len bytes copied into
 * the arena) and the hash H kept for it (0: its key is not in the map):
 * counted, made the table's last, undone on rollback; *IDX its index, *OUT
 * the element, zeroed after its key when ZERO (else the caller writes every
 * field). The caller puts its key in the map. */
static inline __attribute__((always_inline)) int
tab_push(struct mem *m, struct table *t, const struct hkey *k, uint64_t h, int zero, void *out,
         size_t *idx, struct tc_error *err)
{
    uint32_t off;
    void *e;

    /* the count and the key are not journalled: a failed transaction sets
     * the count back to the one it began with and drops the keys above it
     * (drop_added) */
    /* the common cases inline: room in the last block and the arena's
     * block */
    if (t->n < t->nblk << CHUNK_SHIFT)
        e = tab_at(t, t->n);
    else if (!(e = tab_room(t)))
        return oom(err, "a row");
    if (k->len && str_room(&m->a, k->len)) {
        char *d = m->a.blk[m->a.n >> STR_SHIFT] + (m->a.n & (STR_BLK - 1));
        memcpy(d, k->s, k->len);
        d[k->len] = '\0';
        off = (uint32_t)m->a.n;
        m->a.n += k->len + 1;
    } else if (str_add(&m->a, k->s, k->len, &off) != 0) {
        return oom(err, "a row");
    }
    if (zero) /* fresh from malloc, or left by a rolled-back insert */
        memset(e, 0, t->size);
    if (t->n >= t->hw)
        t->hw = t->n + 1;
    *(const char **)e = str_at(&m->a, off);
    *tab_hash(t, t->n) = h;
    t->last = t->n + 1;
    *idx = t->n++;
    memcpy(out, &e, sizeof(e));
    return 0;
}

/* A new element of T with KEY (copied into the arena; at most MAXLEN bytes
 * with its NUL): counted, its key in the map, all undone on rollback. With
 * FIND, a KEY already in T is looked for in the same probe: then 1, its
 * element's index in *IDX and nothing added. ZERO: tab_push's. */
static int tab_insert_h(struct mem *m, struct table *t, const struct hkey *k, size_t maxlen,
                        int find, int zero, void *out, size_t *idx, struct tc_error *err)
{
    uint64_t h = k->h;
    uint32_t v, mask, tag;
    size_t j;
    int rc;

    if (k->len >= maxlen)
        return tc_error_set(err, TC_EINVAL, "ledger (memory): key \"%.64s\" is too long", k->s);
    /* grown fourfold: the keys put into new maps a third as often as when
     * doubling, and a map between an eighth and a half full */
    if ((t->n + 1) * 2 > t->nslots) {
        /* at least twice the elements, those kept outside the map too (an
         * index must fit below the slot's tag) */
        size_t ns = t->nslots ? t->nslots * 4 : 64;
        while ((t->n + 1) * 2 > ns)
            ns *= 4;
        if (map_grow(t, ns) != 0)
            return oom(err, "a map");
    }
    /* its slot: the first empty one of its probe (FIND: the key met on the
     * way is the element asked for) */
    mask = (uint32_t)(t->nslots - 1);
    tag = slot_tag(t->nslots, h);
    for (j = h & (t->nslots - 1); (v = t->slots[j]) != 0; j = (j + 1) & (t->nslots - 1))
        if (find && (v & ~mask) == tag && *tab_hash(t, (v & mask) - 1) == h &&
            key_is(tab_key(t, (v & mask) - 1), k)) {
            *idx = (v & mask) - 1;
            return 1;
        }
    if ((rc = tab_push(m, t, k, h, zero, out, idx, err)) != 0)
        return rc;
    t->slots[j] = (uint32_t)(*idx + 1) | tag;
    return 0;
}

static int tab_insert(struct mem *m, struct table *t, const char *key, size_t maxlen, void *out,
                      size_t *idx, struct tc_error *err)
{
    struct hkey k = hkey(key);
    return tab_insert_h(m, t, &k, maxlen, 0, 1, out, idx, err);
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                      */

static void tab_init(struct mem *m, size_t k, size_t size)
{
    memset(&m->t[k], 0, sizeof(m->t[k]));
    m->t[k].size = size;
    m->t[k].a = &m->a;
}

int tc__ledger_mem_init(struct tc_ledger *l, struct tc_error *err)
{
    struct mem *m = calloc(1, sizeof(*m));
    if (!m || !(m->a.blk = malloc(16 * sizeof(*m->a.blk))) ||
        !(m->a.blk[0] = malloc(STR_ALLOC))) {
        if (m)
            free(m->a.blk);
        free(m);
        return tc_error_set(err, TC_ENOMEM, "ledger: out of memory");
    }
    m->a.nblk = 1;
    m->a.capblk = 16;
    memset(m->a.blk[0], 0, ZCHUNK); /* offset 0: "" */
    m->a.zb = 0;
    m->a.zat = ZCHUNK;
    m->a.n = m->a.n0 = 1;
    tab_init(m, T_PF, sizeof(struct mpf));
    tab_init(m, T_STRAT, sizeof(struct mstrat));
    tab_init(m, T_INST, sizeof(struct minst));
    tab_init(m, T_SIG, sizeof(struct msig));
    tab_init(m, T_POS, sizeof(struct mpos));
    tab_init(m, T_SLOT, sizeof(struct mslot));
    tab_init(m, T_ORD, sizeof(struct mord));
    tab_init(m, T_FILL, sizeof(struct mfill));
    tab_init(m, T_TRADE, sizeof(struct mtrade));
    m->scratch.size = 1;
    l->mem = m;
    return 0;
}

static void mem_release(struct tc_ledger *l)
{
    struct mem *m = M(l);

    if (!m)
        return;
    /* the elements ever added (those above hw were never initialised) */
    for (size_t i = 0; i < m->t[T_SLOT].hw; i++)
        free(((struct mslot *)tab_at(&m->t[T_SLOT], i))->pos);
    for (size_t k = 0; k < NT; k++)
        tab_free(&m->t[k]);
    arena_free(&m->a);
    free(m->u);
    free(m->bytes);
    free(m->scratch.items);
    free(m->pn);
    free(m);
    l->mem = NULL;
}

static int mem_load_cache(struct tc_ledger *l, struct tc_error *err)
{
    (void)l;
    (void)err;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                               */

/* Each table's count at the start of a transaction (written out: a loop
 * over the tables cost twice the moves, once a transaction). */
static inline void mark_counts(struct mem *m)
{
    _Static_assert(NT == 9, "mark_counts names every table");
    m->t[T_PF].n0 = m->t[T_PF].n;
    m->t[T_STRAT].n0 = m->t[T_STRAT].n;
    m->t[T_INST].n0 = m->t[T_INST].n;
    m->t[T_SIG].n0 = m->t[T_SIG].n;
    m->t[T_POS].n0 = m->t[T_POS].n;
    m->t[T_SLOT].n0 = m->t[T_SLOT].n;
    m->t[T_ORD].n0 = m->t[T_ORD].n;
    m->t[T_FILL].n0 = m->t[T_FILL].n;
    m->t[T_TRADE].n0 = m->t[T_TRADE].n;
    m->a.n0 = m->a.n;
}

/* A transaction inside a running one: it joins it, and a failure of FN
 * undoes what FN wrote (the outer one goes on). */
static int txn_nested(struct mem *m, tc_txn_fn fn, void *ud, struct tc_error *err)
{
    size_t mark = m->nu, n0[NT], a0 = m->a.n0;
    int rc;

    for (size_t k = 0; k < NT; k++)
        n0[k] = m->t[k].n0;
    mark_counts(m);
    m->depth++;
    rc = fn(TX(m), ud, err);
    if (rc != 0) {
        rollback_to(m, mark);
        drop_added(m);
    }
    m->depth--;
    for (size_t k = 0; k < NT; k++)
        m->t[k].n0 = n0[k];
    m->a.n0 = a0;
    return rc;
}

static int mem_txn(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err)
{
    struct mem *m = M(l);
    int rc;

    if (m->depth)
        return txn_nested(m, fn, ud, err);
    mark_counts(m);
    m->depth = 1;
    rc = fn(TX(m), ud, err);
    if (rc != 0) {
        /* the journal backwards; the rows, keys and text it added dropped */
        rollback_to(m, 0);
        drop_added(m);
    }
    m->depth = 0;
    m->nu = 0;
    m->nb = 0;
    return rc;
}

static int mem_read(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err)
{
    return fn(TX(M(l)), ud, err);
}

/* ------------------------------------------------------------------------ */
/* Definitions                                                                */

static int need_mem(struct tc_ledger *l, const void *def, const char *fn, struct tc_error *err)
{
    if (!l || !def)
        return tc_error_set(err, TC_EINVAL, "ledger: %s needs a ledger and a definition", fn);
    if (!l->mem)
        return tc_error_set(err, TC_EINVAL, "ledger: %s needs an in-memory ledger (in_memory = 1)",
                            fn);
    if (M(l)->depth)
        return tc_error_set(err, TC_EINVAL, "ledger: %s inside a transaction", fn);
    return 0;
}

int tc_ledger_mem_add_portfolio(struct tc_ledger *l, const struct tc_portfolio_def *p,
                                struct tc_error *err)
{
    struct mpf *e;
    size_t i;
    int rc;

    if ((rc = need_mem(l, p, "tc_ledger_mem_add_portfolio", err)) != 0 ||
        (rc = tc_portfolio_def_validate(p, err)) != 0)
        return rc;
    if (tab_find(&M(l)->t[T_PF], p->portfolio_id) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "portfolio \"%s\" was already added",
                            p->portfolio_id);
    if ((rc = tab_insert(M(l), &M(l)->t[T_PF], p->portfolio_id, TC_ID_BUFSZ, &e, &i, err)) != 0)
        return rc;
    e->capital = p->initial_capital;
    e->deleted = p->deleted_at_us != 0;
    return 0;
}

int tc_ledger_mem_add_strategy(struct tc_ledger *l, const struct tc_strategy_def *s,
                               struct tc_error *err)
{
    struct mstrat *e;
    size_t i;
    int rc;

    if ((rc = need_mem(l, s, "tc_ledger_mem_add_strategy", err)) != 0 ||
        (rc = tc_strategy_def_validate(s, err)) != 0)
        return rc;
    if (tab_find(&M(l)->t[T_STRAT], s->strategy_id) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "strategy \"%s\" was already added", s->strategy_id);
    if ((rc = tab_insert(M(l), &M(l)->t[T_STRAT], s->strategy_id, TC_ID_BUFSZ, &e, &i, err)) != 0)
        return rc;
    e->deleted = s->deleted_at_us != 0;
    e->enabled = s->enabled;
    /* parsed once; a bad one rejects its signals as with a store */
    e->params_rc = tc_sizing_params_from_json(s->params ? s->params : "{}", &e->params,
                                              &e->params_err);
    return 0;
}

static int add_instrument(struct mem *m, const struct tc_instrument *in,
                          const struct tc_instrument **out, struct tc_error *err)
{
    struct minst *e;
    size_t i;
    int rc;

    if ((rc = tab_insert(m, &m->t[T_INST], in->instrument_id, sizeof(e->in.instrument_id), &e, &i,
                         err)) != 0)
        return rc;
    e->in = *in;
    e->in.metadata = NULL; /* owned strings are not kept */
    if (out)
        *out = &e->in;
    return 0;
}

int tc_ledger_mem_add_instrument(struct tc_ledger *l, const struct tc_instrument *in,
                                 struct tc_error *err)
{
    int rc;

    if ((rc = need_mem(l, in, "tc_ledger_mem_add_instrument", err)) != 0 ||
        (rc = tc_instrument_validate(in, err)) != 0)
        return rc;
    if (tab_find(&M(l)->t[T_INST], in->instrument_id) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "instrument \"%s\" was already added",
                            in->instrument_id);
    return add_instrument(M(l), in, NULL, err);
}

/* The index of instrument ID, or -1: signals take turns among the
 * instruments, so the last one found with ID's last four bytes and length
 * is compared before hashing (its table's last key is then it, as tab_find
 * leaves it). */
static long inst_find(struct mem *m, const char *id)
{
    struct table *t = &m->t[T_INST];
    size_t n = strlen(id);
    uint32_t w = 0, v;
    unsigned h;

    /* the last four bytes (the part of a set of symbols that differs, as a
     * rule) and the length, multiplied: the top bits pick the hint */
    if (n >= 4)
        memcpy(&w, id + n - 4, 4);
    else
        for (size_t j = 0; j < n; j++)
            w |= (uint32_t)(unsigned char)id[j] << (8 * j);
    h = (unsigned)(((w ^ (uint32_t)n * UINT32_C(0x9e3779b9)) * UINT32_C(0x85ebca6b)) >>
                   (32 - INST_HINT_BITS));
    v = m->inst_hint[h];
    long k;

    if (v && v <= t->n && strcmp(tab_key(t, v - 1), id) == 0) {
        t->last = v;
        return (long)v - 1;
    }
    if ((k = tab_find(t, id)) >= 0)
        m->inst_hint[h] = (uint32_t)k + 1;
    return k;
}

static const struct tc_instrument *mem_instrument_kept(struct tc_ledger *l, const char *id)
{
    struct mem *m = M(l);
    long k = inst_find(m, id);
    return k >= 0 ? &((const struct minst *)tab_at(&m->t[T_INST], (size_t)k))->in : NULL;
}

static int mem_instrument_get(struct tc_ledger *l, const char *id, struct tc_instrument *own,
                              const struct tc_instrument **out, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = inst_find(m, id);
    int rc;

    *out = NULL;
    if (k >= 0) {
        *out = &((struct minst *)tab_at(&m->t[T_INST], (size_t)k))->in;
        return 0;
    }
    if (!l->opt.historical)
        return tc_error_set(err, TC_ENOTFOUND, "instrument \"%s\" not found", id);
    {
        struct tc_refdata rd = {l->opt.historical, l->opt.clock, l->actor};
        if ((rc = tc_refdata_instrument_get(&rd, id, own, err)) != 0)
            return rc;
    }
    return add_instrument(m, own, out, err);
}

static int mem_portfolio_get(struct tc_ledger *l, struct tc_txn *tx, const char *id, size_t hint,
                             struct tc__ledger_pf *out, struct tc_error *err)
{
    struct table *t = &M(l)->t[T_PF];
    long k = hint && hint <= t->n ? (long)hint - 1 : tab_find(t, id);
    (void)tx;
    (void)err;
    memset(out, 0, sizeof(*out));
    if (k >= 0) {
        const struct mpf *e = tab_at(t, (size_t)k);
        out->ref = (size_t)k + 1;
        out->found = 1;
        out->deleted = e->deleted;
        out->capital = e->capital;
        out->state_known = 1;
        out->has_state = e->has_state;
        if (e->has_state)
            out->closed_equity = e->st.closed_equity;
    }
    return 0;
}

static int mem_strategy_get(struct tc_ledger *l, struct tc_txn *tx, const char *id, size_t hint,
                            struct tc__ledger_strat *out, struct tc_error *err)
{
    struct table *t = &M(l)->t[T_STRAT];
    long k = hint && hint <= t->n ? (long)hint - 1 : tab_find(t, id);
    (void)tx;
    (void)err;
    out->found = 0;
    out->ref = 0;
    if (k >= 0) {
        const struct mstrat *e = tab_at(t, (size_t)k);
        out->ref = (size_t)k + 1;
        out->found = 1;
        out->deleted = e->deleted;
        out->enabled = e->enabled;
        out->params_rc = e->params_rc;
        out->params = e->params;
        if (e->params_rc != 0)
            out->params_err = e->params_err;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Key hints                                                                  */

/* KEY's hash for the insert into the signal log's or the fills' map that
 * follows, and the line of its first slot asked of the memory now: that
 * load missed the cache on almost every insert of a 64K-slot map, with the
 * work between the key's making and its insert (the signal's checks, the
 * fill's order and position) done while it comes. A map grown in between
 * costs the insert its hint's line only: the hash stays the key's. */
static uint64_t mem_key_hint(struct tc_ledger *l, enum tc__ledger_key which, const char *key,
                             size_t len)
{
    const struct table *t = &M(l)->t[which == TC__LEDGER_KEY_SIG ? T_SIG : T_FILL];
    struct hkey k = len ? hkey_n(key, len) : hkey(key);
    if (t->nslots)
        __builtin_prefetch(&t->slots[k.h & (t->nslots - 1)], 1, 3);
    return k.h;
}

/* ------------------------------------------------------------------------ */
/* signal_log                                                                 */

static void sig_out(const struct mem *m, const struct msig *e, struct tc_signal_outcome *o)
{
    memset(o, 0, sizeof(*o));
    o->status = e->status;
    copy_str(o->reason, sizeof(o->reason), str_at(&m->a, e->reason));
    copy_str(o->fingerprint, sizeof(o->fingerprint), e->key);
    copy_str(o->position_id, sizeof(o->position_id),
             e->pos ? tab_key(&m->t[T_POS], e->pos - 1) : str_at(&m->a, e->position_id));
    copy_str(o->order_id, sizeof(o->order_id), str_at(&m->a, e->order_id));
}

static int mem_sig_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_sig_row *r,
                          int64_t now, int *inserted, size_t *ref, struct tc_signal_outcome *first,
                          struct tc_error *err)
{
    struct mem *m = M(l);
    struct table *t = &m->t[T_SIG];
    /* the hash key_hint worked out (its slot's line asked for then) */
    struct hkey hk = hkey_hinted(r->fp, r->fp_len, r->fp_hash);
    struct msig *e;
    size_t i;
    int rc;

    (void)tx;
    (void)now;
    *inserted = 0;
    *ref = 0;
    /* the row of the fingerprint, or a new one, in one probe */
    /* not zeroed: every field written below */
    rc = tab_insert_h(m, t, &hk, TC_SIGNAL_FP_LEN, 1, 0, &e, &i, err);
    if (rc == 1) {
        e = tab_at(t, i);
        if ((rc = save_el(m, t, i, &e->duplicates, sizeof(e->duplicates))) != 0) {
            oom(err, "the journal");
            return rc;
        }
        e->duplicates++;
        sig_out(m, e, first);
        return 0;
    }
    if (rc != 0)
        return (tc_error_prefix(err, "signal log %s", r->fp), rc);
    e->reason = e->position_id = e->order_id = 0;
    e->pos = e->ord = 0;
    e->status = TC_SIGNAL_REJECTED;
    e->duplicates = 0;
    *ref = i + 1;
    *inserted = 1;
    return 0;
}

static int mem_sig_finish(struct tc_ledger *l, struct tc_txn *tx, const struct tc_signal_outcome *o,
                          size_t ref, size_t pos, size_t ord, struct tc_error *err)
{
    struct mem *m = M(l);
    struct table *t = &m->t[T_SIG], *pt = &m->t[T_POS];
    struct msig *e, v, *w;
    long k;

    (void)tx;
    /* the row its sig_insert made: its handle, else by its fingerprint
     * (tab_find tries the row made or found last first) */
    k = ref && ref <= t->n ? (long)(ref - 1) : tab_find(t, o->fingerprint);
    if (k < 0)
        return tc_error_set(err, TC_ESTATE, "signal log %s: no row", o->fingerprint);
    e = tab_at(t, (size_t)k);
    /* a row this transaction made is written in place (a failure drops
     * it), an older one through a copy journalled whole */
    w = (size_t)k >= t->n0 ? e : &v;
    if (w == &v)
        v = *e;
    w->status = o->status;
    if (str_put(&m->a, o->reason, sizeof(o->reason), &w->reason) != 0)
        goto nomem;
    /* the position and the order: the rows of their handles (the signal
     * path gives them for every id it names), else their ids' text */
    w->pos = 0;
    w->position_id = 0;
    if (o->position_id[0] && pos && pos <= pt->n)
        w->pos = (uint32_t)pos;
    else if (str_put(&m->a, o->position_id, sizeof(o->position_id), &w->position_id) != 0)
        goto nomem;
    if (o->order_id[0] && ord && ord <= m->t[T_ORD].n)
        w->order_id = ((const struct mord *)tab_at(&m->t[T_ORD], ord - 1))->order_id;
    else if (str_put(&m->a, o->order_id, sizeof(o->order_id), &w->order_id) != 0)
        goto nomem;
    if (w == &v) {
        if (save_el(m, t, (size_t)k, e, sizeof(*e)) != 0)
            goto nomem;
        *e = v;
    }
    return 0;
nomem:
    oom(err, "the journal");
    return TC_ENOMEM;
}

/* ------------------------------------------------------------------------ */
/* portfolio_state                                                            */

/* The row of portfolio ID: its handle PF when given, else found by its
 * id; -1 none. */
static long pf_find(struct mem *m, size_t pf, const char *id)
{
    if (pf && pf <= m->t[T_PF].n)
        return (long)(pf - 1);
    return tab_find(&m->t[T_PF], id);
}

static int mem_state_load(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                          size_t pf, struct tc_portfolio_state *s, int *found,
                          struct tc_error *err)
{
    long k = pf_find(M(l), pf, portfolio_id);
    const struct mpf *e = k >= 0 ? tab_at(&M(l)->t[T_PF], (size_t)k) : NULL;
    (void)tx;
    (void)err;
    *found = e && e->has_state;
    if (*found)
        *s = e->st;
    return 0;
}

static int mem_state_create(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                            size_t pf, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = pf_find(m, pf, portfolio_id);
    struct mpf *e;

    (void)tx;
    if (k < 0)
        return 0;
    e = tab_at(&m->t[T_PF], (size_t)k);
    if (e->deleted || e->has_state)
        return 0;
    if (save_el(m, &m->t[T_PF], (size_t)k, e, sizeof(*e)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    memset(&e->st, 0, sizeof(e->st));
    copy_str(e->st.portfolio_id, sizeof(e->st.portfolio_id), tab_key(&m->t[T_PF], (size_t)k));
    e->st.initial_capital = e->st.cash = e->st.closed_equity = e->capital;
    e->st.version = 1;
    e->st.updated_at_us = now;
    e->has_state = 1;
    return 0;
}

static int mem_state_save(struct tc_ledger *l, struct tc_txn *tx, const struct tc_portfolio_state *s,
                          size_t pf, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = pf_find(m, pf, s->portfolio_id);
    struct mpf *e = k >= 0 ? tab_at(&m->t[T_PF], (size_t)k) : NULL;

    (void)tx;
    if (!e || !e->has_state || e->st.version != s->version)
        return tc_error_set(err, TC_ECONFLICT,
                            "portfolio state \"%s\": version %lld was changed by another writer",
                            s->portfolio_id, (long long)s->version);
    /* the columns it changes: cash to version (not the id nor the capital) */
    if (save_el(m, &m->t[T_PF], (size_t)k, &e->st.cash,
                sizeof(e->st) - offsetof(struct tc_portfolio_state, cash)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    e->st.cash = s->cash;
    e->st.closed_equity = s->closed_equity;
    e->st.realized_pnl = s->realized_pnl;
    e->st.commission_paid = s->commission_paid;
    e->st.updated_at_us = now;
    e->st.version++;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* positions                                                                  */

static void slot_key(char *key, const char *portfolio_id, const char *instrument_id)
{
    size_t a = strlen(portfolio_id), b = strlen(instrument_id);
    if (a >= TC_ID_BUFSZ)
        a = TC_ID_BUFSZ - 1;
    if (b >= TC_ID_BUFSZ)
        b = TC_ID_BUFSZ - 1;
    memcpy(key, portfolio_id, a);
    key[a] = '\x1f';
    memcpy(key + a + 1, instrument_id, b);
    key[a + 1 + b] = '\0';
}

static int slot_is(const struct mslot *s, const char *portfolio_id, const char *instrument_id)
{
    return strcmp(s->instrument_id, instrument_id) == 0 && strcmp(s->portfolio_id, portfolio_id) == 0;
}

/* Notes slot SI as the slot of the instrument a signal looked up last, when
 * it is INSTRUMENT_ID (the next signal on it finds its slot without a hash). */
static void inst_hint(struct mem *m, const char *instrument_id, size_t si)
{
    struct table *t = &m->t[T_INST];
    if (tab_last_is(t, instrument_id))
        ((struct minst *)tab_at(t, t->last - 1))->slot = (uint32_t)si + 1;
}

static struct mslot *slot_find(struct mem *m, const char *portfolio_id, const char *instrument_id,
                               size_t *idx)
{
    char key[SLOT_KEY_MAX];
    struct table *st = &m->t[T_SLOT], *it = &m->t[T_INST];
    struct mslot *s;
    long k;

    /* the slot of the instrument the signal looked up (a hint: checked) */
    if (it->last && it->last <= it->n) {
        const struct minst *in = tab_at(it, it->last - 1);
        if (in->slot && in->slot <= st->n &&
            slot_is(s = tab_at(st, in->slot - 1), portfolio_id, instrument_id)) {
            *idx = in->slot - 1;
            m->last_slot = in->slot;
            return s;
        }
    }
    /* a signal asks for the same (portfolio, instrument) several times */
    if (m->last_slot && m->last_slot <= st->n) {
        s = tab_at(st, m->last_slot - 1);
        if (slot_is(s, portfolio_id, instrument_id)) {
            *idx = m->last_slot - 1;
            return s;
        }
    }
    slot_key(key, portfolio_id, instrument_id);
    k = tab_find(st, key);
    if (k < 0)
        return NULL;
    *idx = (size_t)k;
    m->last_slot = (size_t)k + 1;
    inst_hint(m, instrument_id, (size_t)k);
    return tab_at(st, (size_t)k);
}

/* The slot of handle HINT (ledger_repo.h: got in this transaction for the
 * same pair, so only its range is checked), else of the ids. */
static struct mslot *slot_of(struct mem *m, size_t hint, const char *portfolio_id,
                             const char *instrument_id, size_t *idx)
{
    struct table *st = &m->t[T_SLOT];
    if (hint && hint <= st->n) {
        *idx = hint - 1;
        m->last_slot = hint;
        return tab_at(st, hint - 1);
    }
    return slot_find(m, portfolio_id, instrument_id, idx);
}

static int slot_get(struct mem *m, size_t hint, const char *portfolio_id,
                    const char *instrument_id, struct mslot **out, size_t *idx,
                    struct tc_error *err)
{
    char key[SLOT_KEY_MAX];
    struct table *t = &m->t[T_SLOT];
    struct mslot *s = slot_of(m, hint, portfolio_id, instrument_id, idx);
    int rc;

    *out = s;
    if (s)
        return 0;
    slot_key(key, portfolio_id, instrument_id);
    if (!tab_room(t))
        return oom(err, "a row");
    /* an element left by a rolled-back insert may hold an array (one never
     * added is not initialised) */
    if (t->n < t->hw) {
        s = tab_at(t, t->n);
        free(s->pos);
        s->pos = NULL;
    }
    if ((rc = tab_insert(m, t, key, SLOT_KEY_MAX, &s, idx, err)) != 0)
        return rc;
    copy_str(s->portfolio_id, sizeof(s->portfolio_id), portfolio_id);
    copy_str(s->instrument_id, sizeof(s->instrument_id), instrument_id);
    {
        /* its portfolio's handle for the fills of its orders */
        long pk = tab_find(&m->t[T_PF], portfolio_id);
        s->pf = pk >= 0 ? (uint32_t)pk + 1 : 0;
    }
    memcpy(s->pyr.st.portfolio_id, s->portfolio_id, sizeof(s->portfolio_id));
    memcpy(s->pyr.st.instrument_id, s->instrument_id, sizeof(s->instrument_id));
    m->last_slot = *idx + 1;
    inst_hint(m, instrument_id, *idx);
    *out = s;
    return 0;
}

/* The public position of row E. */
static void pos_out(const struct mem *m, const struct mpos *e, struct tc_position *p)
{
    const struct mslot *s = tab_at(&m->t[T_SLOT], e->slot);

    memcpy(p->position_id, e->key, sizeof(p->position_id));
    memcpy(p->portfolio_id, s->portfolio_id, sizeof(p->portfolio_id));
    STR_COPY(&m->a, p->strategy_id, e->strategy);
    memcpy(p->instrument_id, s->instrument_id, sizeof(p->instrument_id));
    p->side = e->side;
    p->quantity = e->v.quantity;
    p->lots = e->v.lots;
    p->multiplier = e->multiplier;
    p->lot_size = e->lot_size;
    p->entry_price = e->v.entry_price;
    p->entry_time_us = e->entry_time_us;
    p->initial_stop = e->initial_stop;
    p->current_stop = e->v.current_stop;
    p->has_initial_stop = e->has_initial_stop;
    p->has_current_stop = e->v.has_current_stop;
    p->is_base = e->is_base;
    p->layer = e->layer;
    p->status = e->v.status;
    p->closed_quantity = e->v.closed_quantity;
    p->exit_price = e->v.exit_price;
    p->exit_time_us = e->v.exit_time_us;
    if (e->v.exit_reason)
        STR_COPY(&m->a, p->exit_reason, e->v.exit_reason);
    else
        p->exit_reason[0] = '\0';
    p->realized_pnl = e->v.realized_pnl;
    p->commission = e->v.commission;
    p->version = e->v.version;
    p->updated_at_us = e->v.updated_at_us;
}

/* Positions by number. The position ids the ledger makes are
 * "pos-<prefix>-<n>", n counted up: such an id (its prefix the first one
 * seen, n in decimal without a leading zero, 1 to UINT64_MAX) is kept by
 * its number in an array sorted by it, appended to (no hash, no probe of a
 * map: a number above all those kept is no other's); an id of another form
 * or prefix, or a number below the last (an id generator set back), goes
 * through the positions' map (the array's is refused there too). */

/* The number of position id ID (LEN bytes) when it is "pos-" NP (NPLEN
 * bytes, 1 or more) "-" and the number, else 0: the digits after the '-'
 * up to the end, valued as they are read (19 fit; a 20th only when the sum
 * stays below 2^64). */
static inline uint64_t num_after(const char *id, size_t len, const char *np, size_t nplen)
{
    const char *q = id + 5 + nplen, *end = id + len, *last;
    uint64_t v = 0;
    unsigned c = 0;

    if (len <= 5 + nplen || id[4 + nplen] != '-' || !tc__ledger_bytes_same(id + 4, np, nplen) ||
        *q == '0' || end - q > 20)
        return 0;
    last = end - q == 20 ? end - 1 : end;
    for (; q < last; q++) {
        if ((c = (unsigned)(*q - '0')) > 9)
            return 0;
        v = v * 10 + c;
    }
    if (last < end && ((c = (unsigned)(*last - '0')) > 9 || v > (UINT64_MAX - c) / 10))
        return 0;
    return last < end ? v * 10 + c : v;
}

/* The number of position id ID (LEN bytes) of the form above, 0 when it is
 * not; LEARN: the prefix taken from ID (the text between "pos-" and the '-'
 * before its last digits) when none was yet and ID is numbered by it. */
static uint64_t pos_num(struct mem *m, const char *id, size_t len, int learn)
{
    uint64_t v;
    uint32_t w;
    size_t d = len;

    if (len < 7)
        return 0;
    memcpy(&w, id, 4);
    if (memcmp(&w, "pos-", 4) != 0)
        return 0;
    if (m->has_np)
        return num_after(id, len, m->np, m->nplen);
    if (!learn)
        return 0;
    while (d > 5 && (unsigned)(id[d - 1] - '0') <= 9)
        d--;
    if (d < 6 || id[d - 1] != '-' || !(v = num_after(id, len, id + 4, d - 5)))
        return 0;
    memcpy(m->np, id + 4, d - 5);
    m->np[d - 5] = '\0';
    m->nplen = d - 5;
    m->has_np = 1;
    return v;
}

/* The position numbered V, or -1. */
static long pos_numbered(const struct mem *m, uint64_t v)
{
    size_t lo = 0, hi = m->npn;
    if (!v || !hi || v > m->pn[hi - 1].n)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->pn[mid].n < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->npn && m->pn[lo].n == v ? (long)m->pn[lo].idx : -1;
}

/* The position of id ID, or -1: the one found or added last first, then
 * by its number, then the map. */
static __attribute__((noinline)) long pos_lookup(struct mem *m, const char *id)
{
    struct table *t = &m->t[T_POS];
    size_t len;
    struct hkey hk;
    long k;

    if (tab_last_is(t, id))
        return (long)t->last - 1;
    len = strlen(id);
    k = pos_numbered(m, pos_num(m, id, len, 0));
    if (k < 0 && t->nslots) {
        hk = hkey_n(id, len);
        k = tab_find_h(t, &hk);
    }
    if (k >= 0)
        t->last = (size_t)k + 1;
    return k;
}

static int mem_pos_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                          int64_t now, size_t *slot, size_t *pos, struct tc_error *err)
{
    struct mem *m = M(l);
    struct table *t = &m->t[T_POS];
    struct mslot *s;
    struct mpos *e;
    size_t si, i = 0;
    uint32_t strategy;
    size_t len = strlen(p->position_id);
    uint64_t v = pos_num(m, p->position_id, len, 1);
    struct hkey hk = {p->position_id, len, 0};
    int rc;

    (void)tx;
    /* a refusal below fails the transaction: what was done before it is
     * undone (the id taken is checked with the insert, in one probe) */
    if ((rc = slot_get(m, *slot, p->portfolio_id, p->instrument_id, &s, &si, err)) != 0)
        return (tc_error_prefix(err, "position \"%s\"", p->position_id), rc);
    *slot = si + 1;
    if (s->npos == s->cap &&
        tc__grow((void **)&s->pos, &s->cap, s->npos, sizeof(*s->pos), 8) != 0) {
        oom(err, "a position");
        return TC_ENOMEM;
    }
    if (save_el(m, &m->t[T_SLOT], si, &s->npos, sizeof(s->npos)) != 0 ||
        str_put_shared(&m->a, &m->texts, p->strategy_id, TC_ID_BUFSZ, &strategy) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    e = NULL;
    if (v && (!m->npn || v > m->pn[m->npn - 1].n)) {
        /* above every number kept: no other's (an id of this form went
         * into the map only below the last number kept then, and a
         * rollback drops only the numbers its own transaction added; LEN
         * fits: the id's array is TC_ID_BUFSZ bytes) */
        if (m->npn == m->cappn &&
            tc__grow((void **)&m->pn, &m->cappn, m->npn, sizeof(*m->pn), 1024) != 0) {
            oom(err, "a position");
            return TC_ENOMEM;
        }
        if ((rc = tab_push(m, t, &hk, 0, 1, &e, &i, err)) != 0)
            return (tc_error_prefix(err, "position \"%s\"", p->position_id), rc);
        m->pn[m->npn].n = v;
        m->pn[m->npn++].idx = (uint32_t)i;
    } else {
        hk = hkey_n(p->position_id, len);
        if (pos_numbered(m, v) >= 0 ||
            (rc = tab_insert_h(m, t, &hk, TC_ID_BUFSZ, 1, 1, &e, &i, err)) == 1)
            return tc_error_set(err, TC_ECONFLICT, "position \"%s\": the id exists",
                                p->position_id);
        if (rc != 0)
            return (tc_error_prefix(err, "position \"%s\"", p->position_id), rc);
    }
    e->klen = (unsigned char)len;
    e->strategy = strategy;
    e->slot = (uint32_t)si;
    e->side = p->side;
    e->v.quantity = p->quantity;
    e->v.lots = p->lots;
    e->multiplier = p->multiplier;
    e->lot_size = p->lot_size;
    e->v.entry_price = p->entry_price;
    e->entry_time_us = p->entry_time_us;
    e->has_initial_stop = p->has_initial_stop;
    e->v.has_current_stop = p->has_current_stop;
    /* the columns an insert leaves to their defaults (zeroed) */
    if (p->has_initial_stop)
        e->initial_stop = p->initial_stop;
    if (p->has_current_stop)
        e->v.current_stop = p->current_stop;
    e->is_base = p->is_base;
    e->layer = p->layer;
    e->v.status = TC_POSITION_OPEN;
    e->v.version = 1;
    e->v.updated_at_us = now;
    s->pos[s->npos++] = (uint32_t)i;
    *pos = i + 1;
    return 0;
}

/* The row of position ID: its handle POS when given (got in this
 * transaction), else found by its id; -1 none. */
static inline long pos_find(struct mem *m, size_t pos, const char *id)
{
    if (pos && pos <= m->t[T_POS].n)
        return (long)(pos - 1);
    return pos_lookup(m, id);
}

static int mem_pos_save(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                        size_t pos, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = pos_find(m, pos, p->position_id);
    struct mpos *e = k >= 0 ? tab_at(&m->t[T_POS], (size_t)k) : NULL;
    uint32_t reason;

    (void)tx;
    if (!e || e->v.version != p->version)
        return tc_error_set(err, TC_ECONFLICT,
                            "position \"%s\": version %lld was changed by another writer",
                            p->position_id, (long long)p->version);
    /* the reason as its column keeps it (at most 255 bytes); stored again
     * only when it changed */
    reason = e->v.exit_reason;
    if (!p->exit_reason[0]) {
        reason = 0; /* none (an EXIT's mark cleared: ledger_fill.c) */
    } else {
        const char *end = memchr(p->exit_reason, 0, sizeof(p->exit_reason) - 1);
        size_t n = end ? (size_t)(end - p->exit_reason) : sizeof(p->exit_reason) - 1;
        const char *cur = str_at(&m->a, reason), *why;
        /* the reason of the order its fill read, as a rule: kept once (a text
         * below the arena's length is whole, with its NUL) */
        if (m->last_why && m->last_why < m->a.n &&
            memcmp(why = str_at(&m->a, m->last_why), p->exit_reason, n) == 0 && why[n] == '\0')
            reason = m->last_why;
        else if ((strlen(cur) != n || memcmp(cur, p->exit_reason, n) != 0) &&
            (n < sizeof(p->exit_reason) - 1
                 ? str_put_shared(&m->a, &m->texts, p->exit_reason, sizeof(p->exit_reason), &reason)
                 : str_add(&m->a, p->exit_reason, n, &reason)) != 0)
            goto nomem;
    }
    if (save_el(m, &m->t[T_POS], (size_t)k, &e->v, sizeof(e->v)) != 0)
        goto nomem;
    e->v.quantity = p->quantity;
    e->v.lots = p->lots;
    e->v.entry_price = p->entry_price;
    e->v.has_current_stop = p->has_current_stop;
    e->v.current_stop = p->has_current_stop ? p->current_stop : TC_DEC_ZERO;
    e->v.status = p->status;
    e->v.closed_quantity = p->closed_quantity;
    e->v.exit_price = tc_dec_sign(p->exit_price) > 0 ? p->exit_price : TC_DEC_ZERO;
    e->v.exit_time_us = p->exit_time_us;
    e->v.exit_reason = reason;
    e->v.realized_pnl = p->realized_pnl;
    e->v.commission = p->commission;
    e->v.updated_at_us = now;
    e->v.version++;
    return 0;
nomem:
    oom(err, "the journal");
    return TC_ENOMEM;
}

static int mem_pos_load(struct tc_ledger *l, struct tc_txn *tx, const char *position_id,
                        size_t pos, struct tc_position *p, int *found, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = pos_find(m, pos, position_id);
    (void)tx;
    (void)err;
    *found = k >= 0;
    if (k >= 0)
        pos_out(m, tab_at(&m->t[T_POS], (size_t)k), p);
    return 0;
}

/* Skips the closed positions at the front of S (journalled: a rollback may
 * reopen one). */
static int slot_skip_closed(struct mem *m, size_t si, struct mslot *s)
{
    size_t lo = s->lo;
    while (lo < s->npos &&
           ((const struct mpos *)tab_at(&m->t[T_POS], s->pos[lo]))->v.status == TC_POSITION_CLOSED)
        lo++;
    if (lo == s->lo)
        return 0;
    if (save_el(m, &m->t[T_SLOT], si, &s->lo, sizeof(s->lo)) != 0)
        return TC_ENOMEM;
    s->lo = lo;
    return 0;
}

static int layer_before(const struct tc__ledger_layer *a, const struct tc__ledger_layer *b)
{
    if (a->p.layer != b->p.layer)
        return a->p.layer < b->p.layer;
    return strcmp(a->p.position_id, b->p.position_id) < 0;
}

static int mem_layers(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                      const char *instrument_id, size_t *slot, struct tc__repo_vec *vec,
                      struct tc_error *err)
{
    struct mem *m = M(l);
    const struct table *ot = &m->t[T_ORD];
    size_t si;
    struct mslot *s = slot_find(m, portfolio_id, instrument_id, &si);

    (void)tx;
    vec->n = 0;
    *slot = s ? si + 1 : 0;
    if (!s)
        return 0;
    if (slot_skip_closed(m, si, s) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    for (size_t k = s->lo; k < s->npos; k++) {
        const struct mpos *e = tab_at(&m->t[T_POS], s->pos[k]);
        struct tc__ledger_layer *ly, tmp;
        size_t j;

        if (e->v.status == TC_POSITION_CLOSED)
            continue;
        /* every field written below (pos_out writes all of a position's) */
        if (!(ly = tc__repo_vec_push_room(vec))) {
            oom(err, "the layers");
            return TC_ENOMEM;
        }
        pos_out(m, e, &ly->p);
        /* an exit's order names it next */
        m->t[T_POS].last = (size_t)s->pos[k] + 1;
        ly->planned = TC_DEC_ZERO;
        ly->exits_in_flight = 0;
        ly->entry_working = 0;
        ly->pos = (size_t)s->pos[k] + 1;
        for (size_t o = e->first_order; o; o = ((const struct mord *)tab_at(ot, o - 1))->next) {
            const struct mord *od = tab_at(ot, o - 1);
            enum tc_order_status st = od->s.status;
            if (!od->closing && st != TC_ORDER_REJECTED && st != TC_ORDER_CANCELED &&
                st != TC_ORDER_EXPIRED) {
                if (tc_dec_add_fast(ly->planned, od->quantity, &ly->planned) != 0)
                    return tc_error_set(err, TC_ERANGE, "position \"%s\": planned quantity overflows",
                                        ly->p.position_id);
                if (st != TC_ORDER_FILLED) {
                    /* working: an EXIT cancels it (its id copied only then) */
                    ly->entry_working = 1;
                    copy_str(ly->entry_coid, sizeof(ly->entry_coid), od->key);
                }
            } else if (od->closing && (st == TC_ORDER_NEW || st == TC_ORDER_SUBMITTED ||
                                       st == TC_ORDER_PARTIALLY_FILLED)) {
                ly->exits_in_flight++;
            }
        }
        /* by layer then id: insertion into the sorted prefix */
        struct tc__ledger_layer *all = vec->items;
        for (j = vec->n - 1; j > 0 && layer_before(&all[j], &all[j - 1]); j--) {
            tmp = all[j];
            all[j] = all[j - 1];
            all[j - 1] = tmp;
        }
    }
    return 0;
}

static int mem_open_count(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                          const char *instrument_id, size_t slot, int64_t *n, struct tc_error *err)
{
    struct mem *m = M(l);
    size_t si;
    struct mslot *s = slot_of(m, slot, portfolio_id, instrument_id, &si);

    (void)tx;
    *n = 0;
    if (!s)
        return 0;
    if (slot_skip_closed(m, si, s) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    for (size_t k = s->lo; k < s->npos; k++)
        if (((const struct mpos *)tab_at(&m->t[T_POS], s->pos[k]))->v.status != TC_POSITION_CLOSED)
            (*n)++;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* orders                                                                     */

/* Orders by their signal. The client order ids the ledger makes are
 * "<fingerprint>:L<n>" or ":X<n>" (1 to 10 digits), made in the transaction
 * of their signal's row (order_insert gets its handle): such an order is
 * kept by that row (a list from msig.ord through mord.sig_next), not in the
 * orders' map, so its insert needs no hash nor probe of a map (the row was
 * made just before). An order whose id is not its fingerprint and such a
 * suffix, or given no row, goes into the map (with a hash: 0 is none); a
 * lookup tries the list of the row of the id's fingerprint, then the map
 * when it holds any key. */

/* The length of ID's ":L<n>" / ":X<n>" suffix (LEN its length), 0 none. */
static inline size_t ord_suffix(const char *id, size_t len)
{
    size_t i = len;
    while (i > 0 && id[i - 1] >= '0' && id[i - 1] <= '9' && len - i < 10)
        i--;
    if (i == len || i < 2 || (id[i - 1] != 'L' && id[i - 1] != 'X') || id[i - 2] != ':')
        return 0;
    return len - i + 2;
}

/* The signal row whose fingerprint is the N bytes at S, or -1: the row
 * made or found last (the signal's own, as a rule) compared first. */
static long sig_of(struct mem *m, const char *s, size_t n)
{
    const struct table *t = &m->t[T_SIG];
    struct hkey k;

    if (t->last && t->last <= t->n) {
        /* a kept key has initialised bytes after it (the arena's zeroes) */
        const char *key = tab_key(t, t->last - 1);
        if (memcmp(key, s, n) == 0 && key[n] == '\0')
            return (long)(t->last - 1);
    }
    k = hkey_n(s, n);
    return tab_find_h(t, &k);
}

/* The order of client order id ID among those signal row SI keeps (-1:
 * none), or -1. */
static inline long ord_of(struct mem *m, long si, const char *id)
{
    const struct table *t = &m->t[T_ORD];
    if (si < 0)
        return -1;
    for (uint32_t q = ((const struct msig *)tab_at(&m->t[T_SIG], (size_t)si))->ord; q;
         q = ((const struct mord *)tab_at(t, q - 1))->sig_next)
        if (strcmp(tab_key(t, q - 1), id) == 0)
            return (long)q - 1;
    return -1;
}

/* The order of client order id ID, or -1: by its signal row, else the
 * orders' map. */
static long ord_lookup(struct mem *m, const char *id)
{
    const struct table *t = &m->t[T_ORD];
    size_t len = strlen(id), suf = ord_suffix(id, len);
    long k = suf ? ord_of(m, sig_of(m, id, len - suf), id) : -1;
    struct hkey hk;

    if (k >= 0 || !t->nslots)
        return k;
    hk = hkey_n(id, len);
    return tab_find_h(t, &hk);
}

static int mem_order_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_order_intent *o,
                            int closing, const char *fingerprint, size_t fp_len, size_t sig,
                            const char *position_id, size_t pos, const char *reason, size_t *ref,
                            struct tc_error *err)
{
    struct mem *m = M(l);
    struct table *t = &m->t[T_ORD];
    long pk = pos_find(m, pos, position_id);
    const char *id = o->client_order_id;
    size_t len = strlen(id), fl = fp_len ? fp_len : strlen(fingerprint);
    /* the id is "<fingerprint>:<suffix>" (its fingerprint's text not kept
     * again), and kept by the row of the fingerprint when the suffix is the
     * ledger's (FP_LEN: the caller made it so) */
    int same = fp_len || (fl < len && id[fl] == ':' && memcmp(id, fingerprint, fl) == 0);
    long si = same && sig && sig <= m->t[T_SIG].n && (fp_len || ord_suffix(id, len) == len - fl)
                  ? (long)sig - 1
                  : -1;
    struct msig *sg = NULL;
    struct mpos *p;
    struct mord *e = NULL;
    size_t i = 0;
    struct hkey hk = {id, len, 0};
    int rc;

    (void)tx;
    if (pk < 0)
        return tc_error_set(err, TC_ESTATE, "order \"%s\": position \"%s\" not found",
                            o->client_order_id, position_id);
    p = tab_at(&m->t[T_POS], (size_t)pk);
    if (save_el(m, &m->t[T_POS], (size_t)pk, &p->first_order, sizeof(p->first_order)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    /* a refusal below fails the transaction: the journal entry is undone;
     * the new row is not zeroed: every field is written below */
    if (si >= 0) {
        /* kept by its signal row: the id taken is one of the row's orders,
         * or in the map when it holds any key (LEN fits: the id's array is
         * TC_CLIENT_ORDER_ID_MAX bytes) */
        sg = tab_at(&m->t[T_SIG], (size_t)si);
        if (ord_of(m, si, id) >= 0 || (t->nslots && (hk = hkey_n(id, len), tab_find_h(t, &hk) >= 0)))
            return tc_error_set(err, TC_ECONFLICT, "order \"%s\": the client order id exists", id);
        if (save_el(m, &m->t[T_SIG], (size_t)si, &sg->ord, sizeof(sg->ord)) != 0) {
            oom(err, "the journal");
            return TC_ENOMEM;
        }
        if ((rc = tab_push(m, t, &hk, 0, 0, &e, &i, err)) != 0)
            return (tc_error_prefix(err, "order \"%s\"", id), rc);
        e->sig_next = sg->ord;
        sg->ord = (uint32_t)i + 1;
    } else {
        /* into the map: the id taken is in it, or kept by the row of its
         * fingerprint when it has the ledger's suffix */
        size_t suf = ord_suffix(id, len);
        hk = hkey_n(id, len);
        if ((suf && ord_of(m, sig_of(m, id, len - suf), id) >= 0) ||
            (rc = tab_insert_h(m, t, &hk, TC_CLIENT_ORDER_ID_MAX, 1, 0, &e, &i, err)) == 1)
            return tc_error_set(err, TC_ECONFLICT, "order \"%s\": the client order id exists", id);
        if (rc != 0)
            return (tc_error_prefix(err, "order \"%s\"", id), rc);
        e->sig_next = 0;
    }
    /* the text: the ids its position has are not kept again (the intent's
     * are its position's: ledger_repo.h), nor the fingerprint of the
     * signal row just made */
    if (str_put(&m->a, o->order_id, sizeof(o->order_id), &e->order_id) != 0 ||
        (reason ? str_put_shared(&m->a, &m->texts, reason, TC_LEDGER_TEXT_MAX, &e->reason)
                : (e->reason = 0, 0)) != 0 ||
        (same ? (e->fp = SAME, e->fplen = (unsigned char)fl, 0)
              : (e->fplen = 0, str_put(&m->a, fingerprint, TC_SIGNAL_FP_LEN, &e->fp))) != 0) {
        oom(err, "an order");
        return TC_ENOMEM;
    }
    e->pos = (uint32_t)pk;
    e->next = p->first_order;
    e->closing = closing;
    e->mode = o->mode;
    e->side = o->side;
    e->type = o->type;
    e->tif = o->tif;
    e->quantity = o->quantity;
    e->multiplier = o->multiplier;
    e->ref_price = o->ref_price;
    e->limit_price = o->limit_price;
    e->stop_price = o->stop_price;
    e->has_ref_price = o->has_ref_price;
    e->has_limit_price = o->has_limit_price;
    e->has_stop_price = o->has_stop_price;
    e->created_at_us = o->created_at_us;
    e->s.status = TC_ORDER_NEW;
    e->s.filled = TC_DEC_ZERO;
    e->s.version = 1;
    p->first_order = (uint32_t)i + 1;
    *ref = i + 1;
    return 0;
}

/* The intent of order E. */
static void intent_out(const struct mem *m, const struct mord *e, struct tc_order_intent *o)
{
    const struct mpos *p = tab_at(&m->t[T_POS], e->pos);
    const struct mslot *s = tab_at(&m->t[T_SLOT], p->slot);

    memset(o, 0, sizeof(*o));
    copy_str(o->order_id, sizeof(o->order_id), str_at(&m->a, e->order_id));
    copy_str(o->client_order_id, sizeof(o->client_order_id), e->key);
    copy_str(o->portfolio_id, sizeof(o->portfolio_id), s->portfolio_id);
    copy_str(o->strategy_id, sizeof(o->strategy_id), str_at(&m->a, p->strategy));
    copy_str(o->instrument_id, sizeof(o->instrument_id), s->instrument_id);
    o->mode = e->mode;
    o->side = e->side;
    o->type = e->type;
    o->tif = e->tif;
    o->quantity = e->quantity;
    o->multiplier = e->multiplier;
    o->ref_price = e->ref_price;
    o->limit_price = e->limit_price;
    o->stop_price = e->stop_price;
    o->has_ref_price = e->has_ref_price;
    o->has_limit_price = e->has_limit_price;
    o->has_stop_price = e->has_stop_price;
    o->created_at_us = e->created_at_us;
}

/* The order of CLIENT_ORDER_ID, or -1: the orders after the one found last
 * compared first (ORD_HINTS of them), then its hash. */
#define ORD_HINTS 2
static long ord_find(struct mem *m, const char *client_order_id)
{
    struct table *t = &m->t[T_ORD];
    long k;

    for (size_t i = m->ord_next; i && i < m->ord_next + ORD_HINTS && i <= t->n; i++)
        if (strcmp(tab_key(t, i - 1), client_order_id) == 0) {
            m->ord_next = i + 1;
            t->last = i;
            return (long)i - 1;
        }
    if (tab_last_is(t, client_order_id))
        k = (long)t->last - 1;
    else if ((k = ord_lookup(m, client_order_id)) >= 0)
        t->last = (size_t)k + 1;
    if (k >= 0)
        m->ord_next = (size_t)k + 2;
    return k;
}

static int mem_order_load(struct tc_ledger *l, struct tc_txn *tx, const char *client_order_id,
                          size_t ref, struct tc__ledger_order *o, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = ref && ref <= m->t[T_ORD].n ? (long)(ref - 1) : ord_find(m, client_order_id);
    const struct mord *e;
    const struct mpos *p;

    (void)tx;
    (void)err;
    o->found = 0;
    if (k < 0)
        return 0;
    e = tab_at(&m->t[T_ORD], (size_t)k);
    p = tab_at(&m->t[T_POS], e->pos);
    /* the fill or acknowledgement asks for its position and slot next */
    m->t[T_POS].last = (size_t)e->pos + 1;
    m->last_slot = (size_t)p->slot + 1;
    o->slot = (size_t)p->slot + 1;
    o->pos = (size_t)e->pos + 1;
    o->pf = ((const struct mslot *)tab_at(&m->t[T_SLOT], p->slot))->pf;
    STR_COPY(&m->a, o->order_id, e->order_id);
    memcpy(o->position_id, p->key, sizeof(o->position_id));
    o->closing = e->closing;
    o->status = e->s.status;
    /* the text in the arena (not copied: the fill reads it at most once) */
    o->why = str_at(&m->a, e->reason);
    m->last_why = e->reason;
    o->quantity = e->quantity;
    o->filled = e->s.filled;
    o->version = e->s.version;
    o->found = 1;
    o->ref = (size_t)k + 1;
    return 0;
}

/* The order O names for a versioned update (*OUT), journalled; TC_ECONFLICT
 * when its version moved. */
static int order_for_update(struct mem *m, const struct tc__ledger_order *o, struct mord **out,
                            struct tc_error *err)
{
    struct table *t = &m->t[T_ORD];
    struct mord *e = (o->ref && o->ref <= t->n) ? tab_at(t, o->ref - 1) : NULL;
    if (!e || e->s.version != o->version)
        return tc_error_set(err, TC_ECONFLICT,
                            "order \"%s\": version %lld was changed by another writer", o->order_id,
                            (long long)o->version);
    if (save_el(m, t, o->ref - 1, &e->s, sizeof(e->s)) != 0)
        return oom(err, "the journal");
    *out = e;
    return 0;
}

static int mem_order_ack(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                         const char *broker_order_id, enum tc_order_status status,
                         const char *reject_reason, int64_t now, struct tc_error *err)
{
    struct mord *e = NULL;
    int rc = order_for_update(M(l), o, &e, err);

    /* the broker's id, the reason and the time are not kept (mord_state) */
    (void)tx;
    (void)broker_order_id;
    (void)reject_reason;
    (void)now;
    if (rc != 0)
        return rc;
    e->s.status = status;
    e->s.version++;
    return 0;
}

static int mem_order_filled(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                            struct tc_dec filled, enum tc_order_status status, int64_t now,
                            struct tc_error *err)
{
    struct mord *e = NULL;
    int rc = order_for_update(M(l), o, &e, err);
    (void)tx;
    if (rc != 0)
        return rc;
    (void)now;
    e->s.filled = filled;
    e->s.status = status;
    e->s.version++;
    return 0;
}

static int mem_order_status(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                            enum tc_order_status status, int64_t now, struct tc_error *err)
{
    struct mord *e = NULL;
    int rc = order_for_update(M(l), o, &e, err);
    (void)tx;
    if (rc != 0)
        return rc;
    (void)now;
    e->s.status = status;
    e->s.version++;
    return 0;
}

static int intent_cmp(const void *a, const void *b)
{
    const struct tc_order_intent *x = a, *y = b;
    if (x->created_at_us != y->created_at_us)
        return x->created_at_us < y->created_at_us ? -1 : 1;
    return strcmp(x->order_id, y->order_id);
}

static int mem_orders_new(struct tc_ledger *l, struct tc__repo_vec *vec, struct tc_error *err)
{
    struct mem *m = M(l);

    vec->n = 0;
    for (size_t k = 0; k < m->t[T_ORD].n; k++) {
        const struct mord *e = tab_at(&m->t[T_ORD], k);
        struct tc_order_intent *o;
        if (e->s.status != TC_ORDER_NEW || e->mode != l->opt.mode)
            continue;
        if (!(o = tc__repo_vec_push(vec)))
            return tc_error_set(err, TC_ENOMEM, "ledger: out of memory listing new orders");
        intent_out(m, e, o);
    }
    if (vec->n > 1)
        qsort(vec->items, vec->n, sizeof(struct tc_order_intent), intent_cmp);
    return 0;
}

static int mem_cancels_pending(struct tc_ledger *l, struct tc__repo_vec *vec,
                               struct tc_error *err)
{
    struct mem *m = M(l);
    struct tc__repo_vec all = {NULL, 0, 0, sizeof(struct tc_order_intent)};
    int rc = 0;

    vec->n = 0;
    for (size_t k = 0; k < m->t[T_ORD].n; k++) {
        const struct mord *e = tab_at(&m->t[T_ORD], k);
        const struct mpos *p = tab_at(&m->t[T_POS], e->pos);
        enum tc_order_status st = e->s.status;
        struct tc_order_intent *o;
        if (e->closing || e->mode != l->opt.mode ||
            (st != TC_ORDER_NEW && st != TC_ORDER_SUBMITTED && st != TC_ORDER_PARTIALLY_FILLED) ||
            p->v.status == TC_POSITION_CLOSED || !p->v.exit_reason ||
            !str_at(&m->a, p->v.exit_reason)[0])
            continue;
        if (!(o = tc__repo_vec_push(&all))) {
            rc = tc_error_set(err, TC_ENOMEM, "ledger: out of memory listing cancels");
            goto out;
        }
        intent_out(m, e, o);
    }
    if (all.n > 1)
        qsort(all.items, all.n, sizeof(struct tc_order_intent), intent_cmp);
    for (size_t k = 0; k < all.n; k++) {
        const struct tc_order_intent *o = (const struct tc_order_intent *)all.items + k;
        struct tc__ledger_cancel *c = tc__repo_vec_push(vec);
        if (!c) {
            rc = tc_error_set(err, TC_ENOMEM, "ledger: out of memory listing cancels");
            goto out;
        }
        memcpy(c->client_order_id, o->client_order_id, sizeof(c->client_order_id));
        memcpy(c->order_id, o->order_id, sizeof(c->order_id));
    }
out:
    free(all.items);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* fills and trades                                                           */

static int mem_fill_insert(struct tc_ledger *l, struct tc_txn *tx, const char *fill_id,
                           const struct tc_fill *f, uint64_t hash, size_t xlen,
                           const struct tc__ledger_order *o, int64_t now, int *inserted,
                           struct tc_error *err)
{
    struct mem *m = M(l);
    struct table *t = &m->t[T_FILL];
    /* the hash key_hint worked out (its slot's line asked for then) */
    struct hkey hk = hkey_hinted(f->execution_id, xlen, hash);
    struct mfill *e;
    size_t i;
    int rc;

    (void)tx;
    (void)fill_id; /* not kept (struct mfill) */
    *inserted = 0;
    if (!o->ref)
        return tc_error_set(err, TC_ESTATE, "fill \"%s\": order \"%s\" not loaded", f->execution_id,
                            o->order_id);
    /* a duplicate execution id found, or the fill added, in one probe */
    /* not zeroed: every field written below */
    if ((rc = tab_insert_h(m, t, &hk, TC_BROKER_ID_MAX, 1, 0, &e, &i, err)) == 1)
        return 0;
    if (rc != 0)
        return (tc_error_prefix(err, "fill \"%s\"", f->execution_id), rc);
    e->order = (uint32_t)(o->ref - 1);
    e->quantity = f->quantity;
    e->price = f->price;
    e->commission = f->commission;
    e->filled_at = f->filled_at_us;
    e->created_at = now;
    *inserted = 1;
    return 0;
}

static int mem_trade_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                            size_t pos, struct tc_dec net, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    struct table *t = &m->t[T_TRADE];
    long pk = pos_find(m, pos, p->position_id);
    struct mpos *ps;
    struct mtrade *e;

    (void)tx;
    if (pk < 0)
        return tc_error_set(err, TC_ESTATE, "trade of position \"%s\": no position", p->position_id);
    ps = tab_at(&m->t[T_POS], (size_t)pk);
    if (ps->trade)
        return tc_error_set(err, TC_ECONFLICT, "trade of position \"%s\": it exists", p->position_id);
    /* its id "trd-<position id>" must fit an id */
    if (ps->klen + 4u >= TC_ID_BUFSZ) {
        tc_error_set(err, TC_EINVAL, "ledger (memory): key \"trd-%.60s\" is too long",
                     p->position_id);
        return (tc_error_prefix(err, "trade of position \"%s\"", p->position_id), TC_EINVAL);
    }
    /* room in the last block without a call, as a rule */
    if (save_el(m, &m->t[T_POS], (size_t)pk, &ps->trade, sizeof(ps->trade)) != 0 ||
        !(e = t->n < t->nblk << CHUNK_SHIFT ? tab_at(t, t->n) : tab_room(t))) {
        oom(err, "a trade");
        return TC_ENOMEM;
    }
    if (t->n >= t->hw)
        t->hw = t->n + 1;
    ps->trade = (uint32_t)++t->n;
    e->pos = (uint32_t)pk;
    e->net = net;
    e->created_at = now;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* pyramiding_state                                                           */

static int mem_pyr_get(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                       const char *instrument_id, struct tc_pyramiding_state *out, int *found,
                       struct tc_error *err)
{
    size_t si;
    const struct mslot *s = slot_find(M(l), portfolio_id, instrument_id, &si);

    (void)tx;
    (void)err;
    *found = s && s->pyr.has;
    if (*found) {
        *out = s->pyr.st;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    copy_str(out->portfolio_id, sizeof(out->portfolio_id), portfolio_id);
    copy_str(out->instrument_id, sizeof(out->instrument_id), instrument_id);
    return 0;
}

/* The slot's pyramiding state (*OUT), journalled, ready to change. */
static int pyr_for_write(struct mem *m, size_t slot, const char *portfolio_id,
                         const char *instrument_id, struct mpyr **out, struct tc_error *err)
{
    size_t si;
    struct mslot *s = NULL;
    int rc = slot_get(m, slot, portfolio_id, instrument_id, &s, &si, err);
    if (rc != 0)
        return rc;
    if (save_el(m, &m->t[T_SLOT], si, PYR_MUT(&s->pyr), PYR_MUT_LEN) != 0)
        return oom(err, "the journal");
    if (!s->pyr.has) /* its ids are the slot's, set when it was made */
        memset(PYR_MUT(&s->pyr), 0, PYR_MUT_LEN);
    *out = &s->pyr;
    return 0;
}

static int mem_pyr_base(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                        const char *instrument_id, size_t slot, const char *base_position_id,
                        struct tc_dec price, int64_t time_us, int64_t now, struct tc_error *err)
{
    struct mpyr *y = NULL;
    int rc = pyr_for_write(M(l), slot, portfolio_id, instrument_id, &y, err);
    (void)tx;
    if (rc != 0)
        return (tc_error_prefix(err, "pyramiding state of \"%s\"", instrument_id), rc);
    y->has = 1;
    copy_str(y->st.base_position_id, sizeof(y->st.base_position_id), base_position_id);
    y->st.pyramid_count = 0;
    y->st.last_pyramid_price = price;
    y->st.last_pyramid_time_us = time_us;
    y->updated_at = now;
    return 0;
}

static int mem_pyr_layer(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         const char *instrument_id, int found, int64_t old_count,
                         const char *base_position_id, struct tc_dec price, int64_t time_us,
                         int64_t now, struct tc_error *err)
{
    struct mpyr *y = NULL;
    int rc = pyr_for_write(M(l), 0, portfolio_id, instrument_id, &y, err);
    (void)tx;
    if (rc != 0)
        return (tc_error_prefix(err, "pyramiding state of \"%s\"", instrument_id), rc);
    if (found ? (!y->has || y->st.pyramid_count != old_count) : y->has)
        return tc_error_set(err, TC_ECONFLICT,
                            "pyramiding state of \"%s\" was changed by another writer",
                            instrument_id);
    if (!found)
        copy_str(y->st.base_position_id, sizeof(y->st.base_position_id), base_position_id);
    y->has = 1;
    y->st.pyramid_count = (int)(old_count + 1);
    y->st.last_pyramid_price = price;
    y->st.last_pyramid_time_us = time_us;
    y->updated_at = now;
    return 0;
}

static int mem_pyr_reset(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         const char *instrument_id, size_t slot, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    size_t si;
    struct mslot *s = slot_of(m, slot, portfolio_id, instrument_id, &si);

    (void)tx;
    if (!s || !s->pyr.has)
        return 0;
    if (save_el(m, &m->t[T_SLOT], si, PYR_MUT(&s->pyr), PYR_MUT_LEN) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    s->pyr.st.base_position_id[0] = '\0';
    s->pyr.st.pyramid_count = 0;
    s->pyr.st.last_pyramid_price = TC_DEC_ZERO;
    s->pyr.st.last_pyramid_time_us = 0;
    s->pyr.updated_at = now;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The check's rows                                                           */

static int mem_check(struct tc_ledger *l, const struct tc__ledger_check_rows *rows,
                     struct tc_error *err)
{
    struct mem *m = M(l);
    struct tc_dec *osum = NULL, *pin = NULL, *pout = NULL;
    int rc = 0;

    if ((m->t[T_ORD].n && !(osum = calloc(m->t[T_ORD].n, sizeof(*osum)))) ||
        (m->t[T_POS].n && (!(pin = calloc(m->t[T_POS].n, sizeof(*pin))) ||
                           !(pout = calloc(m->t[T_POS].n, sizeof(*pout)))))) {
        rc = tc_error_set(err, TC_ENOMEM, "ledger check: out of memory");
        goto out;
    }
    for (size_t k = 0; k < m->t[T_FILL].n; k++) {
        const struct mfill *f = tab_at(&m->t[T_FILL], k);
        if (tc_dec_add_fast(osum[f->order], f->quantity, &osum[f->order]) != 0) {
            rc = tc_error_set(err, TC_ERANGE, "ledger check: fills of an order overflow");
            goto out;
        }
    }
    for (size_t k = 0; k < m->t[T_ORD].n; k++) {
        const struct mord *o = tab_at(&m->t[T_ORD], k);
        struct tc_dec *acc = o->closing ? &pout[o->pos] : &pin[o->pos];
        if (tc_dec_add_fast(*acc, osum[k], acc) != 0) {
            rc = tc_error_set(err, TC_ERANGE, "ledger check: fills of a position overflow");
            goto out;
        }
    }
    for (size_t k = 0; k < m->t[T_POS].n && rc == 0; k++) {
        const struct mpos *p = tab_at(&m->t[T_POS], k);
        rc = rows->position(rows->ud, p->key, p->v.quantity, p->v.closed_quantity, pin[k],
                            pout[k]);
    }
    for (size_t k = 0; k < m->t[T_ORD].n && rc == 0; k++) {
        const struct mord *o = tab_at(&m->t[T_ORD], k);
        rc = rows->order(rows->ud, str_at(&m->a, o->order_id), o->s.filled, osum[k]);
    }
    for (size_t k = 0; k < m->t[T_PF].n && rc == 0; k++) {
        const struct mpf *p = tab_at(&m->t[T_PF], k);
        if (p->has_state)
            rc = rows->state(rows->ud, &p->st);
    }
    for (size_t k = 0; k < m->t[T_SLOT].n && rc == 0; k++) {
        const struct mslot *s = tab_at(&m->t[T_SLOT], k);
        int64_t bases = 0;
        for (size_t j = s->lo; j < s->npos; j++) {
            const struct mpos *p = tab_at(&m->t[T_POS], s->pos[j]);
            bases += p->is_base && p->v.status != TC_POSITION_CLOSED;
        }
        if (bases > 1)
            rc = rows->bases(rows->ud, s->portfolio_id, s->instrument_id, bases);
    }
    if (rc != 0 && rc != TC_ERANGE)
        rc = tc_error_set(err, rc, "ledger check: %s", tc_strerror(rc));
out:
    free(osum);
    free(pin);
    free(pout);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Public reads                                                               */

int tc__ledger_mem_positions_open(struct tc_ledger *l, const char *portfolio_id,
                                  const char *instrument_id, struct tc_position *out, size_t cap,
                                  size_t *n)
{
    struct mem *m = M(l);
    struct tc_position p;
    size_t count = 0, kept = 0;

    for (size_t k = 0; k < m->t[T_SLOT].n; k++) {
        const struct mslot *s = tab_at(&m->t[T_SLOT], k);
        if (strcmp(s->portfolio_id, portfolio_id) != 0 ||
            (instrument_id && strcmp(s->instrument_id, instrument_id) != 0))
            continue;
        for (size_t i = s->lo; i < s->npos; i++) {
            const struct mpos *e = tab_at(&m->t[T_POS], s->pos[i]);
            if (e->v.status == TC_POSITION_CLOSED)
                continue;
            count++;
            if (cap) {
                pos_out(m, e, &p);
                tc__ledger_pos_keep(&p, out, cap, &kept);
            }
        }
    }
    *n = count;
    return 0;
}

const struct tc__ledger_repo_ops tc__ledger_repo_mem = {
    .name = "memory",
    .txn = mem_txn,
    .read = mem_read,
    .load_cache = mem_load_cache,
    .release = mem_release,
    .key_hint = mem_key_hint,
    .instrument_kept = mem_instrument_kept,
    .instrument_get = mem_instrument_get,
    .sig_insert = mem_sig_insert,
    .sig_finish = mem_sig_finish,
    .portfolio_get = mem_portfolio_get,
    .strategy_get = mem_strategy_get,
    .state_load = mem_state_load,
    .state_create = mem_state_create,
    .state_save = mem_state_save,
    .pos_insert = mem_pos_insert,
    .pos_save = mem_pos_save,
    .pos_load = mem_pos_load,
    .layers = mem_layers,
    .open_count = mem_open_count,
    .order_insert = mem_order_insert,
    .order_load = mem_order_load,
    .order_ack = mem_order_ack,
    .order_filled = mem_order_filled,
    .order_status = mem_order_status,
    .orders_new = mem_orders_new,
    .cancels_pending = mem_cancels_pending,
    .fill_insert = mem_fill_insert,
    .trade_insert = mem_trade_insert,
    .pyr_get = mem_pyr_get,
    .pyr_base = mem_pyr_base,
    .pyr_layer = mem_pyr_layer,
    .pyr_reset = mem_pyr_reset,
    .check = mem_check,
};
