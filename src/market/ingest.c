/* Daily price CSV files: the format from the header, every row checked and
 * reported as file:line, rows gathered into one bar series per symbol; then
 * either handed to the caller (tc_prices_load_csv) or ingested into the
 * historical store in one transaction, comparing with what is stored. */
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/grow.h"
#include "core/quote.h"
#include "market/csv_line.h"
#include "market/ingest_fast.h"
#include "market/prices_internal.h"
#include "tradecore/clock.h"
#include "tradecore/id.h"
#include "tradecore/ingest.h"
#include "internal/banned.h"

#define NFIELDS 7     /* every format has seven columns */
#define MAXFIELDS TC__CSV_MAXF  /* more are only counted */
#define READ_PAD TC__PRICES_PAD /* zero bytes after a file read whole (ingest_fast.h) */
#define SHOWN 40      /* bytes of a bad value quoted in a message */

static const char *const format_names[] = {"auto", "yahoo", "ohlcv", "long"};

/* Normalised header names (lower case, no spaces or underscores). */
static const char *const headers[][NFIELDS] = {
    {NULL},
    {"date", "open", "high", "low", "close", "adjclose", "volume"},
    {"date", "open", "high", "low", "close", "volume", "openinterest"},
    {"date", "symbol", "open", "high", "low", "close", "volume"},
};
static const char *const header_text[] = {
    NULL, "Date,Open,High,Low,Close,Adj Close,Volume",
    "Date,Open,High,Low,Close,Volume,OpenInterest", "date,symbol,open,high,low,close,volume"};

const char *tc_prices_format_name(enum tc_prices_format f)
{
    return ((unsigned)f < 4) ? format_names[f] : NULL;
}

int tc_prices_format_parse(const char *s, enum tc_prices_format *out, struct tc_error *err)
{
    for (unsigned i = 0; s && i < 4; i++) {
        if (strcmp(s, format_names[i]) == 0) {
            if (out)
                *out = (enum tc_prices_format)i;
            return 0;
        }
    }
    return tc_error_set(err, TC_EINVAL,
                        "unknown price file format \"%.40s\" (expected auto, yahoo, ohlcv or long)",
                        s ? s : "(null)");
}

static const char *shown_text(const char *s, size_t n, size_t max, char *buf, size_t cap);

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int tc_prices_symbol_from_path(const char *path, char *buf, size_t cap, struct tc_error *err)
{
    if (!path || !buf || cap == 0)
        return tc_error_set(err, TC_EINVAL, "price file: NULL argument");
    const char *b = base_name(path);
    char shown[512]; /* the path as the messages quote it (no control bytes) */
    path = shown_text(path, strlen(path), sizeof shown, shown, sizeof shown);
    size_t n = strcspn(b, "-.");
    /* the library's callers name the symbol their own way (the ingest
     * command's --symbol; a backtest's --data has none): the messages say
     * where the symbol came from, not which option to use */
    if (n == 0)
        return tc_error_set(err, TC_EINVAL,
                            "%s: no symbol in the file name (its part before the first '-' or "
                            "'.')",
                            path);
    if (n >= cap || n > TC_ID_MAX)
        return tc_error_set(err, TC_EINVAL,
                            "%s: the file name's symbol is %zu characters long (at most %d)", path,
                            n, TC_ID_MAX);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)toupper((unsigned char)b[i]);
    buf[n] = '\0';
    struct tc_error e = {0};
    if (tc_id_validate("symbol", buf, &e) != 0)
        return tc_error_set(err, TC_EINVAL,
                            "%s: %s (the symbol is the file name's part before the first '-' "
                            "or '.')",
                            path, e.msg);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The reader                                                                 */

struct sym {
    struct tc_bar_series s;   /* instrument_id: the symbol, later the resolved id */
    char symbol[TC_ID_BUFSZ];
    long *line;               /* the file line of each bar (ingest only, else NULL) */
    long last_line;           /* the file line of the last bar */
    int created;
};

struct reader {
    const char *path;                   /* as messages name it: open_path or path_shown */
    const char *open_path;              /* as given */
    char path_shown[512];               /* a path with bytes outside printable ASCII, \xNN */
    enum tc_prices_format fmt;
    int skip_bad;
    int keep_lines;                     /* keep every bar's line (ingest compares) */
    const char *fixed_symbol;           /* one-symbol files */
    char symbuf[TC_ID_BUFSZ];           /* the file name's symbol */
    tc_ingest_bad_fn on_bad;
    void *on_bad_ud;
    tc_ingest_progress_fn progress;
    void *progress_ud;
    struct tc_error *err;

    struct sym *syms;
    size_t nsyms, capsyms;
    size_t *slots;                      /* open addressing: index + 1, 0 = empty */
    size_t nslots;

    char fbuf[TC_PRICES_LINE_MAX + MAXFIELDS + 8];
    struct tc__csv_line cl;             /* the line's fields, in fbuf */

    long line;
    int64_t rows_read, skipped;
    struct tc__day_cache dc;            /* the fast path's last month */

    struct tc__prices_unmap *defer;     /* where a mapped file's unmapping may be left
                                           (tc_prices_load_csv_many); NULL: at once */
};

static void rd_release(struct reader *r)
{
    for (size_t i = 0; i < r->nsyms; i++) {
        tc_bar_series_release(&r->syms[i].s);
        free(r->syms[i].line);
    }
    free(r->syms);
    free(r->slots);
    r->syms = NULL;
    r->slots = NULL;
    r->nsyms = r->capsyms = r->nslots = 0;
    tc__csv_line_close(&r->cl);
}

static size_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return (size_t)h;
}

/* The symbol's index, or -1. */
static long sym_find(const struct reader *r, const char *s, size_t n)
{
    if (!r->nslots)
        return -1;
    for (size_t h = hash_str(s, n) & (r->nslots - 1);; h = (h + 1) & (r->nslots - 1)) {
        size_t v = r->slots[h];
        if (v == 0)
            return -1;
        const char *have = r->syms[v - 1].symbol;
        if (strlen(have) == n && memcmp(have, s, n) == 0)
            return (long)(v - 1);
    }
}

static int sym_add(struct reader *r, const char *s, size_t n, long *out)
{
    if (r->nsyms == r->capsyms) {
        size_t cap = r->capsyms ? r->capsyms * 2 : 8;
        void *p = realloc(r->syms, cap * sizeof *r->syms);
        if (!p)
            return tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
        r->syms = p;
        r->capsyms = cap;
    }
    if ((r->nsyms + 1) * 2 > r->nslots) {
        size_t ns = r->nslots ? r->nslots * 2 : 64;
        size_t *slots = calloc(ns, sizeof *slots);
        if (!slots)
            return tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
        for (size_t i = 0; i < r->nsyms; i++) {
            const char *sy = r->syms[i].symbol;
            size_t h = hash_str(sy, strlen(sy)) & (ns - 1);
            while (slots[h])
                h = (h + 1) & (ns - 1);
            slots[h] = i + 1;
        }
        free(r->slots);
        r->slots = slots;
        r->nslots = ns;
    }
    struct sym *y = &r->syms[r->nsyms];
    memset(y, 0, sizeof *y);
    memcpy(y->symbol, s, n);
    y->symbol[n] = '\0';
    tc_bar_series_init(&y->s, y->symbol);
    size_t h = hash_str(s, n) & (r->nslots - 1);
    while (r->slots[h])
        h = (h + 1) & (r->nslots - 1);
    r->slots[h] = r->nsyms + 1;
    *out = (long)r->nsyms++;
    return 0;
}

/* Room for CAP bars (and their line numbers) in Y. */
static int sym_reserve(struct reader *r, struct sym *y, size_t cap)
{
    int rc = tc_bar_series_reserve(&y->s, cap, r->err);
    if (rc || !r->keep_lines)
        return rc;
    long *l = realloc(y->line, y->s.cap * sizeof *l);
    if (!l)
        return tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
    y->line = l;
    return 0;
}

static int sym_append(struct reader *r, struct sym *y, const struct tc_bar *bar)
{
    if (y->s.n == y->s.cap) {
        int rc = sym_reserve(r, y, y->s.n + 1);
        if (rc)
            return rc;
    }
    if (tc__prices_fast) {
        /* do_row checked every rule tc_bar_series_append checks (order,
         * prices > 0, low/high); store the columns without its messages */
        struct tc_bar_series *s = &y->s;
        size_t i = s->n;
        s->day[i] = bar->day;
        s->open[i] = bar->open;
        s->high[i] = bar->high;
        s->low[i] = bar->low;
        s->close[i] = bar->close;
        s->adj_close[i] = bar->adj_close;
        s->volume[i] = bar->volume;
        s->open_interest[i] = bar->open_interest;
        s->n = i + 1;
    } else {
        struct tc_error e = {0};
        if (tc_bar_series_append(&y->s, bar, &e) != 0) /* checked already: cannot fail */
            return tc_error_set(r->err, TC_EINTERNAL, "%s:%ld: %s", r->path, r->line, e.msg);
    }
    if (y->line)
        y->line[y->s.n - 1] = r->line;
    y->last_line = r->line;
    return 0;
}

/* Splits one line into fields. 0, -1 for malformed quoting, or TC_ENOMEM. */
static int split(struct reader *r, const char *s, size_t len)
{
    if (tc__prices_fast) {
        size_t off[MAXFIELDS], flen[MAXFIELDS];
        int nf = 0;
        if (tc__csv_split_plain(s, len, r->fbuf, sizeof r->fbuf, off, flen, MAXFIELDS, &nf) == 0) {
            for (int i = 0; i < nf && i < MAXFIELDS; i++) {
                r->cl.f[i].off = off[i];
                r->cl.f[i].len = flen[i];
            }
            r->cl.nf = nf;
            return 0;
        }
    }
    return tc__csv_line_split(&r->cl, s, len);
}

static const char *fv(const struct reader *r, int i) { return r->fbuf + r->cl.f[i].off; }
static size_t fl(const struct reader *r, int i) { return r->cl.f[i].len; }

/* A rule broken on the current line: an error, or a skipped row. Returns the
 * error code to stop with, or 0 to go on (row skipped). */
static int bad_row(struct reader *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad_row(struct reader *r, int code, const char *fmt, ...)
{
    char rule[TC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof rule, fmt, ap);
    va_end(ap);
    if (!r->skip_bad)
        return tc_error_set(r->err, code, "%s:%ld: %s", r->path, r->line, rule);
    r->skipped++;
    if (r->on_bad) {
        char msg[TC_ERROR_MSG_MAX + 64];
        snprintf(msg, sizeof msg, "%s:%ld: %s", r->path, r->line, rule);
        r->on_bad(r->on_bad_ud, msg);
    }
    return 0;
}

/* A field parser's result for a broken rule: the error, or 1 = row skipped. */
static int skip_or(int rc) { return rc ? rc : 1; }

/* The first MAX of the N bytes at S as a message may quote them, into BUF
 * (capacity CAP; 4 * MAX + 1 holds them all, a smaller one fewer): a byte
 * outside printable ASCII as \xNN (tc__quote_bytes), so that a binary file's header or a NUL
 * inside a field neither cuts the message short nor sends control bytes to
 * a terminal. Returns BUF. */
static const char *shown_text(const char *s, size_t n, size_t max, char *buf, size_t cap)
{
    tc__quote_bytes(s, n, max, buf, cap, NULL);
    return buf;
}

static void norm_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '_' || c == '\t')
            continue;
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
}

static int header_matches(const struct reader *r, enum tc_prices_format f)
{
    if (r->cl.nf != NFIELDS)
        return 0;
    for (int i = 0; i < NFIELDS; i++) {
        char name[64];
        norm_name(fv(r, i), fl(r, i), name, sizeof name);
        if (strcmp(name, headers[f][i]) != 0)
            return 0;
    }
    return 1;
}

static int do_header(struct reader *r, const char *s, size_t len)
{
    char txt[2 * 80 + 1]; /* a binary header: its first bytes, the message stays whole */
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) { /* UTF-8 byte order mark */
        s += 3;
        len -= 3;
    }
    int split_rc = split(r, s, len);
    if (split_rc == TC_ENOMEM)
        return tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
    if (split_rc != 0)
        return tc_error_set(r->err, TC_EPARSE, "%s:%ld: malformed CSV quoting in the header",
                            r->path, r->line);
    if (r->fmt == TC_PRICES_AUTO) {
        for (int f = TC_PRICES_YAHOO; f <= TC_PRICES_LONG; f++)
            if (header_matches(r, (enum tc_prices_format)f))
                r->fmt = (enum tc_prices_format)f;
        if (r->fmt == TC_PRICES_AUTO)
            return tc_error_set(r->err, TC_EPARSE,
                                "%s:%ld: unknown header \"%s\" (expected \"%s\", \"%s\" or "
                                "\"%s\")",
                                r->path, r->line, shown_text(s, len, 80, txt, sizeof txt),
                                header_text[1], header_text[2], header_text[3]);
    } else if (!header_matches(r, r->fmt)) {
        return tc_error_set(r->err, TC_EPARSE,
                            "%s:%ld: header \"%s\" is not the %s format (expected \"%s\")",
                            r->path, r->line, shown_text(s, len, 80, txt, sizeof txt),
                            format_names[r->fmt], header_text[r->fmt]);
    }
    if (r->fmt == TC_PRICES_LONG && r->fixed_symbol)
        return tc_error_set(r->err, TC_EINVAL,
                            "%s: a symbol was given, but the file has a symbol column", r->path);
    if (r->fmt != TC_PRICES_LONG) {
        long idx;
        if (!r->fixed_symbol) {
            int rc = tc_prices_symbol_from_path(r->open_path, r->symbuf, sizeof r->symbuf, r->err);
            if (rc)
                return rc;
            r->fixed_symbol = r->symbuf;
        }
        int rc = sym_add(r, r->fixed_symbol, strlen(r->fixed_symbol), &idx);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_price(struct reader *r, const char *name, int i, struct tc_dec *out)
{
    size_t n = fl(r, i);
    int shown = (int)(n > SHOWN ? SHOWN : n);
    char txt[4 * SHOWN + 1];
    if (n == 0)
        return skip_or(bad_row(r, TC_EINVAL, "%s is empty", name));
    if (tc__prices_fast && tc__dec_parse_plain(fv(r, i), n, out) == 0 && out->raw > 0)
        return 0;
    int rc = tc_dec_parse(fv(r, i), n, out, NULL);
    if (rc == TC_ERANGE) {
        /* not exact in 8 decimal places (it would round), or too large */
        struct tc_dec rounded;
        if (tc_dec_parse_round(fv(r, i), n, TC_ROUND_HALF_EVEN, &rounded, NULL) == 0)
            return skip_or(bad_row(r, TC_EINVAL, "%s %.*s has more than 8 decimal places", name,
                                   shown, fv(r, i)));
        return skip_or(bad_row(r, TC_EINVAL,
                               "%s %.*s is too large (at most 92233720368.54775807)", name,
                               shown, fv(r, i)));
    }
    if (rc)
        return skip_or(bad_row(r, TC_EINVAL, "%s \"%s\" is not a decimal number", name,
                               shown_text(fv(r, i), n, SHOWN, txt, sizeof txt)));
    if (out->raw <= 0)
        return skip_or(bad_row(r, TC_EINVAL, "%s %.*s is not positive", name, shown, fv(r, i)));
    return 0;
}

static int parse_whole(struct reader *r, const char *name, int i, int64_t *out)
{
    const char *s = fv(r, i);
    size_t n = fl(r, i);
    int shown = (int)(n > SHOWN ? SHOWN : n);
    char txt[4 * SHOWN + 1];
    struct tc_dec d;

    if (n == 0)
        return skip_or(bad_row(r, TC_EINVAL, "%s is empty", name));
    if (tc__prices_fast && tc__whole_parse_plain(s, n, out) == 0)
        return 0;
    size_t k = (s[0] == '+') ? 1 : 0;
    if (k < n && strspn(s + k, "0123456789") == n - k) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == ERANGE)
            return skip_or(bad_row(r, TC_EINVAL, "%s %.*s is too large", name, shown, s));
        *out = v;
        return 0;
    }
    if (tc_dec_parse(s, n, &d, NULL) != 0)
        return skip_or(bad_row(r, TC_EINVAL, "%s \"%s\" is not a number", name,
                               shown_text(s, n, SHOWN, txt, sizeof txt)));
    if (d.raw < 0)
        return skip_or(bad_row(r, TC_EINVAL, "%s %.*s is negative", name, shown, s));
    if (d.raw % TC_DEC_ONE != 0)
        return skip_or(bad_row(r, TC_EINVAL, "%s %.*s is not a whole number", name, shown, s));
    *out = d.raw / TC_DEC_ONE;
    return 0;
}

/* Checks and stores one data row. 0 (stored or skipped) or an error code.
 * The field parsers return a positive 1 for "skipped, stop this row". */
static int do_row(struct reader *r, const char *s, size_t len)
{
    struct tc_bar b = {0};
    const char *sym = NULL;
    size_t symlen = 0;
    int rc, c = 1;
    char txt[4 * SHOWN + 1];

    r->rows_read++;
    if ((rc = split(r, s, len)) != 0)
        return rc == TC_ENOMEM ? tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path)
                               : bad_row(r, TC_EPARSE, "malformed CSV quoting");
    if (r->cl.nf != NFIELDS)
        /* a CR alone ends a record for the CSV parser: two rows joined by
         * it (old Mac line ends) are counted as one row of 14 fields */
        return bad_row(r, TC_EPARSE, "expected %d fields, found %d%s", NFIELDS, r->cl.nf,
                       memchr(s, '\r', len) ? " (a carriage return inside the line: lines must "
                                              "end in LF or CRLF)"
                                            : "");
    if (tc__prices_parse_day(fv(r, 0), fl(r, 0), &b.day) != 0) {
        /* the header again (files joined with cat, maybe with a byte
         * order mark) is said as such, not as a bad date "Date" */
        shown_text(fv(r, 0), fl(r, 0), SHOWN, txt, sizeof txt);
        int hrc = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? split(r, s + 3, len - 3) : 0;
        if (hrc == TC_ENOMEM)
            return tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
        if (hrc == 0 && header_matches(r, r->fmt))
            return bad_row(r, TC_EPARSE, "the header line again (line 1; files joined?)");
        return bad_row(r, TC_EINVAL, "date \"%s\" is not a valid YYYY-MM-DD date", txt);
    }
    if (r->fmt == TC_PRICES_LONG) {
        struct tc_error e = {0};
        sym = fv(r, 1);
        symlen = fl(r, 1);
        if (symlen == 0 || symlen > TC_ID_MAX || tc_id_validate("symbol", sym, &e) != 0)
            return bad_row(r, TC_EINVAL,
                           "symbol \"%s\" is not 1..%d characters of A-Z a-z 0-9 . _ : -",
                           shown_text(sym, symlen, SHOWN, txt, sizeof txt), TC_ID_MAX);
        c = 2;
    }
    static const char *const pn[] = {"open", "high", "low", "close"};
    struct tc_dec *pv[] = {&b.open, &b.high, &b.low, &b.close};
    int pi[4];
    for (int k = 0; k < 4; k++) {
        pi[k] = c + k;
        if ((rc = parse_price(r, pn[k], c + k, pv[k])) != 0)
            return rc < 0 ? rc : 0;
    }
    b.adj_close = b.close;
    if (r->fmt == TC_PRICES_YAHOO) {
        if ((rc = parse_price(r, "adj close", 5, &b.adj_close)) != 0)
            return rc < 0 ? rc : 0;
        if ((rc = parse_whole(r, "volume", 6, &b.volume)) != 0)
            return rc < 0 ? rc : 0;
    } else if (r->fmt == TC_PRICES_OHLCV) {
        if ((rc = parse_whole(r, "volume", 5, &b.volume)) != 0 ||
            (rc = parse_whole(r, "open interest", 6, &b.open_interest)) != 0)
            return rc < 0 ? rc : 0;
    } else if ((rc = parse_whole(r, "volume", 6, &b.volume)) != 0) {
        return rc < 0 ? rc : 0;
    }
#define TXT(k) (int)fl(r, pi[k]), fv(r, pi[k])
    if (tc_dec_cmp(b.low, b.high) > 0)
        return bad_row(r, TC_EINVAL, "low %.*s is above high %.*s", TXT(2), TXT(1));
    if (tc_dec_cmp(b.open, b.low) < 0)
        return bad_row(r, TC_EINVAL, "open %.*s is below low %.*s", TXT(0), TXT(2));
    if (tc_dec_cmp(b.open, b.high) > 0)
        return bad_row(r, TC_EINVAL, "open %.*s is above high %.*s", TXT(0), TXT(1));
    if (tc_dec_cmp(b.close, b.low) < 0)
        return bad_row(r, TC_EINVAL, "close %.*s is below low %.*s", TXT(3), TXT(2));
    if (tc_dec_cmp(b.close, b.high) > 0)
        return bad_row(r, TC_EINVAL, "close %.*s is above high %.*s", TXT(3), TXT(1));
#undef TXT
    long idx = 0;
    if (r->fmt == TC_PRICES_LONG)
        idx = sym_find(r, sym, symlen);
    if (idx >= 0) {
        struct sym *y = &r->syms[idx];
        if (y->s.n > 0 && b.day <= y->s.day[y->s.n - 1]) {
            char d1[32], d2[32];
            tc__prices_day_text(b.day, d1, sizeof d1);
            tc__prices_day_text(y->s.day[y->s.n - 1], d2, sizeof d2);
            if (b.day == y->s.day[y->s.n - 1])
                return bad_row(r, TC_EINVAL, "duplicate date %s of %s (first on line %ld)", d1,
                               y->symbol, y->last_line);
            return bad_row(r, TC_EINVAL, "date %s of %s is not after %s (line %ld)", d1,
                           y->symbol, d2, y->last_line);
        }
    } else if ((rc = sym_add(r, sym, symlen, &idx)) != 0) {
        return rc;
    }
    return sym_append(r, &r->syms[idx], &b);
}

static int do_line(struct reader *r, const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\r')
        len--;
    if (r->line == 1)
        return do_header(r, s, len);
    if (len == 0) /* blank lines are not rows */
        return 0;
    return do_row(r, s, len);
}

static int long_line(struct reader *r)
{
    if (r->line == 1)
        return tc_error_set(r->err, TC_EPARSE, "%s:1: header line is longer than %d bytes",
                            r->path, TC_PRICES_LINE_MAX);
    r->rows_read++;
    return bad_row(r, TC_EPARSE, "line is longer than %d bytes", TC_PRICES_LINE_MAX);
}

/* Maps the whole pages inside the BYTES at P in one call instead of a page
 * fault each when the rows are stored (a hint: failures are ignored). */
static void prefault(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    static long page;
    if (!page)
        page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || bytes < 4 * (size_t)page)
        return;
    uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~((uintptr_t)page - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* Reads the open FD whole into a malloc'd *BUF (*LEN bytes, then READ_PAD
 * zero bytes that the in-place row parser may look at): one read of the
 * file's size, more only for pipes or a file that grew. */
static int read_whole(struct reader *r, int fd, size_t size, char **buf, size_t *len)
{
    size_t cap = size ? size + 1 : 64 * 1024, n = 0;
    char *b = malloc(cap + READ_PAD);

    if (!b)
        return tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
    for (;;) {
        if (n == cap) {
            char *nb = cap > SIZE_MAX / 4 ? NULL : realloc(b, cap * 2 + READ_PAD);
            if (!nb) {
                free(b);
                return tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
            }
            b = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(b);
            return tc_error_set(r->err, TC_EIO, "%s: read error: %s", r->path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    memset(b + n, 0, READ_PAD);
    *buf = b;
    *len = n;
    return 0;
}

/* The file's whole pages mapped from the page cache over an anonymous
 * (zero) mapping that reaches READ_PAD bytes past SIZE, its last partial
 * page read into that mapping (ingest_fast.h). */
char *tc__prices_map(int fd, const struct stat *st, size_t size, size_t *span)
{
    static long page;
    if (!page)
        page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || size < TC__PRICES_MAP_MIN || size > SIZE_MAX / 2 || !S_ISREG(st->st_mode) ||
        st->st_size < 0 || (uint64_t)st->st_size < size)
        return NULL;
    size_t pg = (size_t)page, whole = size & ~(pg - 1), tail = size - whole;
    size_t all = whole + ((tail + READ_PAD + pg - 1) & ~(pg - 1));
    char *base = mmap(NULL, all, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
#ifdef MAP_POPULATE
    const int populate = MAP_POPULATE; /* every page is read next: map them now */
#else
    const int populate = 0;
#endif
    if (whole && mmap(base, whole, PROT_READ, MAP_PRIVATE | MAP_FIXED | populate, fd, 0) != base)
        goto fail;
    for (size_t got = 0; got < tail;) {
        ssize_t k = pread(fd, base + whole + got, tail - got, (off_t)(whole + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) /* an error, or the file is shorter now: read it instead */
            goto fail;
        got += (size_t)k;
    }
    *span = all;
    return base;
fail:
    munmap(base, all);
    return NULL;
}

/* Mapped files whose unmapping waits until the threads that read files in
 * parallel are done: an munmap while another thread of the process runs
 * makes the kernel interrupt that thread's processor to flush its TLB (in
 * the benchmark's load of 100 files on two threads that took more processor
 * time than the unmapping itself). At most TC__PRICES_DEFER_MAX bytes wait;
 * a file beyond is unmapped at once. */
struct tc__prices_unmap {
    pthread_mutex_t mu;
    size_t bytes;        /* the spans waiting */
    size_t n, cap;
    struct {
        void *p;
        size_t span;
    } *items;
};

size_t tc__prices_defer_max = TC__PRICES_DEFER_MAX;

static void unmap_file(struct tc__prices_unmap *d, void *p, size_t span)
{
    if (d) {
        pthread_mutex_lock(&d->mu);
        int kept = 0;
        if (d->bytes + span <= tc__prices_defer_max &&
            tc__grow((void **)&d->items, &d->cap, d->n, sizeof *d->items, 64) == 0) {
            d->items[d->n].p = p;
            d->items[d->n++].span = span;
            d->bytes += span;
            kept = 1;
        }
        pthread_mutex_unlock(&d->mu);
        if (kept)
            return;
    }
    munmap(p, span);
}

/* Unmaps what waits in D (one thread left). */
static void unmap_deferred(struct tc__prices_unmap *d)
{
    for (size_t i = 0; i < d->n; i++)
        munmap(d->items[i].p, d->items[i].span);
    free(d->items);
    d->items = NULL;
    d->n = d->cap = d->bytes = 0;
}

/* Reads PATH whole (mapped or read), then its lines (LF or CRLF) in place. */
static int rd_run(struct reader *r)
{
    int fd = open(r->open_path, O_RDONLY);
    struct stat st;
    char *buf = NULL;
    size_t len = 0, off = 0, span = 0;
    uint64_t next_report = 0;
    int rc = 0;

    if (fd < 0)
        return tc_error_set(r->err, TC_EIO, "%s: cannot open: %s", r->path, strerror(errno));
    if (fstat(fd, &st) != 0)
        memset(&st, 0, sizeof st); /* not known to be a regular file: read */
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return tc_error_set(r->err, TC_EIO, "%s: is a directory", r->path);
    }
    if (tc__csv_line_open(&r->cl, r->fbuf, sizeof r->fbuf) != 0) {
        rc = tc_error_set(r->err, TC_ENOMEM, "%s: out of memory", r->path);
        goto out;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0 &&
        (buf = tc__prices_map(fd, &st, (size_t)st.st_size, &span)) != NULL)
        len = (size_t)st.st_size;
    else if ((rc = read_whole(r, fd,
                              S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 0,
                              &buf, &len)) != 0)
        goto out;
    while (off < len) {
        if (r->line > 0 && tc__prices_fast && r->fmt != TC_PRICES_LONG) {
            /* one-symbol rows in place, line ends and all, as many as
             * come in order (up to the next progress report); anything
             * unusual (or out of order) is judged by do_line, which finds
             * the same bars or the error */
            struct sym *y = &r->syms[0];
            const char *p = buf + off;
            if (y->s.n == y->s.cap && (rc = sym_reserve(r, y, y->s.n + 1)) != 0)
                goto out;
            const char *stop = r->progress ? buf + next_report : NULL;
            size_t got = tc__prices_lines_plain(&p, buf + len, stop, r->fmt == TC_PRICES_YAHOO,
                                                &r->dc, &y->s, y->line, r->line);
            if (got) {
                r->line += (long)got;
                r->rows_read += (int64_t)got;
                y->last_line = r->line;
                off = (size_t)(p - buf);
                if (r->progress && off >= next_report && off < len) {
                    r->progress(r->progress_ud, off, len);
                    next_report = off + len / 100 + 1;
                }
                continue;
            }
        }
        char *nl = memchr(buf + off, '\n', len - off);
        size_t l = nl ? (size_t)(nl - (buf + off)) : len - off;
        r->line++;
        rc = l > TC_PRICES_LINE_MAX ? long_line(r) : do_line(r, buf + off, l);
        if (rc)
            goto out;
        off += l + 1;
        if (r->line == 1 && r->fmt != TC_PRICES_LONG && off < len) {
            /* one series: room for the rows the file's size suggests (by
             * its first row's length, with an eighth more), fitted later */
            const char *nl2 = memchr(buf + off, '\n', len - off);
            size_t row = nl2 ? (size_t)(nl2 - (buf + off)) + 1 : len - off;
            size_t est = (len - off) / (row > 23 ? row : 23); /* a row is >= 23 bytes */
            if ((rc = sym_reserve(r, &r->syms[0], est + est / 8 + 16)) != 0)
                goto out;
            struct tc_bar_series *s = &r->syms[0].s;
            size_t col = est * sizeof(int64_t); /* the rows expected: filled next */
            prefault(s->day, col);
            prefault(s->open, col);
            prefault(s->high, col);
            prefault(s->low, col);
            prefault(s->close, col);
            prefault(s->adj_close, col);
            prefault(s->volume, col);
            prefault(s->open_interest, col);
        }
        if (r->progress && off >= next_report && off < len) {
            r->progress(r->progress_ud, off, len);
            next_report = off + len / 100 + 1;
        }
    }
    if (r->progress && len)
        r->progress(r->progress_ud, len, len);
out:
    if (rc == 0 && r->line == 0)
        rc = tc_error_set(r->err, TC_EPARSE, "%s: empty file (no header line)", r->path);
    if (rc == 0 && r->rows_read == 0)
        rc = tc_error_set(r->err, TC_EPARSE, "%s:%ld: no data rows after the header", r->path,
                          r->line);
    if (span)
        unmap_file(r->defer, buf, span);
    else
        free(buf);
    close(fd);
    return rc;
}

static int rd_setup(struct reader *r, const char *path, enum tc_prices_format fmt,
                    const char *symbol, struct tc_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = r->open_path = path;
    r->err = err;
    r->dc.key = UINT64_MAX;
    if (!path || !*path)
        return tc_error_set(err, TC_EINVAL, "price file: no path");
    /* a path with a newline or escape bytes is quoted as \xNN: the message
     * stays one line and sends no control bytes to a terminal */
    for (const char *c = path; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) {
            r->path = shown_text(path, strlen(path), sizeof r->path_shown, r->path_shown,
                                 sizeof r->path_shown);
            break;
        }
    path = r->path;
    if ((unsigned)fmt > TC_PRICES_LONG)
        return tc_error_set(err, TC_EINVAL, "%s: unknown format %d", path, (int)fmt);
    r->fmt = fmt;
    if (symbol) {
        if (fmt == TC_PRICES_LONG)
            return tc_error_set(err, TC_EINVAL,
                                "%s: a symbol was given, but the long format has a symbol column",
                                path);
        int rc = tc_id_validate("symbol", symbol, err);
        if (rc)
            return tc_error_prefix(err, "%s", path);
        r->fixed_symbol = symbol;
    }
    return 0;
}

/* Gives back what a reservation from the file's size left unused (a column
 * that cannot shrink stays larger: cap is the least of them). */
static void series_fit(struct tc_bar_series *s)
{
    if (s->cap - s->n <= 64 || s->n == 0)
        return;
#define FIT(col)                                                                           \
    do {                                                                                   \
        void *q = realloc(s->col, s->n * sizeof *s->col);                                  \
        if (q) /* else the column stays larger, which cap allows */                        \
            s->col = q;                                                                    \
    } while (0)
    FIT(day);
    FIT(open);
    FIT(high);
    FIT(low);
    FIT(close);
    FIT(adj_close);
    FIT(volume);
    FIT(open_interest);
#undef FIT
    s->cap = s->n;
}

void tc_bar_set_release(struct tc_bar_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        tc_bar_series_release(&set->items[i]);
    free(set->items);
    set->items = NULL;
    set->n = 0;
}

const struct tc_bar_series *tc_bar_set_find(const struct tc_bar_set *set,
                                            const char *instrument_id)
{
    for (size_t i = 0; set && instrument_id && i < set->n; i++)
        if (strcmp(set->items[i].instrument_id, instrument_id) == 0)
            return &set->items[i];
    return NULL;
}

/* tc_prices_load_csv, a mapped file's unmapping left to DEFER (NULL: none). */
static int load_csv(const char *path, enum tc_prices_format format, const char *symbol,
                    struct tc_bar_set *out, struct tc__prices_unmap *defer, struct tc_error *err)
{
    struct reader r;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "price file: NULL output");
    out->items = NULL;
    out->n = 0;
    if ((rc = rd_setup(&r, path, format, symbol, err)) != 0)
        return rc;
    r.defer = defer;
    if ((rc = rd_run(&r)) != 0)
        goto out;
    if (!(out->items = calloc(r.nsyms ? r.nsyms : 1, sizeof *out->items))) {
        rc = tc_error_set(err, TC_ENOMEM, "%s: out of memory", r.path);
        goto out;
    }
    for (size_t i = 0; i < r.nsyms; i++) {
        series_fit(&r.syms[i].s);
        out->items[out->n++] = r.syms[i].s; /* moved */
        tc_bar_series_init(&r.syms[i].s, "");
    }
out:
    rd_release(&r);
    return rc;
}

int tc_prices_load_csv(const char *path, enum tc_prices_format format, const char *symbol,
                       struct tc_bar_set *out, struct tc_error *err)
{
    return load_csv(path, format, symbol, out, NULL, err);
}

/* Several files on worker threads: each takes the next file index; a
 * failure at index I stops the taking of files after I (they could not be
 * reported), while the files before it are still read, so that the error
 * reported is the first in input order whatever the timing. */
struct many {
    const char *const *paths;
    size_t n;
    enum tc_prices_format format;
    struct tc_bar_set *out;
    int *rc;
    struct tc_error *errs;
    atomic_size_t next;
    atomic_size_t first_bad; /* n when none */
    struct tc__prices_unmap *defer; /* NULL on one thread */
};

static void *many_work(void *arg)
{
    struct many *m = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&m->next, 1);
        if (i >= m->n || i > atomic_load(&m->first_bad))
            break;
        m->rc[i] = load_csv(m->paths[i], m->format, NULL, &m->out[i], m->defer, &m->errs[i]);
        if (m->rc[i] != 0) {
            size_t cur = atomic_load(&m->first_bad);
            while (i < cur && !atomic_compare_exchange_weak(&m->first_bad, &cur, i))
                ;
        }
    }
    return NULL;
}

#define MANY_THREADS_MAX 8

int tc_prices_load_csv_many(const char *const *paths, size_t n, enum tc_prices_format format,
                            unsigned threads, struct tc_bar_set *out, size_t *failed,
                            struct tc_error *err)
{
    struct many m;
    struct tc__prices_unmap defer = {.mu = PTHREAD_MUTEX_INITIALIZER};
    pthread_t tid[MANY_THREADS_MAX];
    size_t started = 0;
    int rc = 0;

    if (failed)
        *failed = n;
    if (!out || (n && !paths))
        return tc_error_set(err, TC_EINVAL, "price files: NULL argument");
    for (size_t i = 0; i < n; i++)
        out[i] = (struct tc_bar_set){0};
    if (n == 0)
        return 0;
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus > 0 ? (unsigned)cpus : 1;
    }
    if (threads > MANY_THREADS_MAX)
        threads = MANY_THREADS_MAX;
    if (threads > n)
        threads = (unsigned)n;
    memset(&m, 0, sizeof m);
    m.paths = paths;
    m.n = n;
    m.format = format;
    m.out = out;
    m.rc = calloc(n, sizeof *m.rc);
    m.errs = calloc(n, sizeof *m.errs);
    if (!m.rc || !m.errs) {
        rc = tc_error_set(err, TC_ENOMEM, "price files: out of memory for %zu files", n);
        goto out;
    }
    atomic_init(&m.next, 0);
    atomic_init(&m.first_bad, n);
    /* the calling thread is one worker; a thread that cannot start leaves
     * its share to the others */
    if (threads > 1)
        m.defer = &defer;
    while (started + 1 < threads && pthread_create(&tid[started], NULL, many_work, &m) == 0)
        started++;
    many_work(&m);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    unmap_deferred(&defer);
    size_t bad = atomic_load(&m.first_bad);
    if (bad < n) {
        rc = m.rc[bad];
        if (failed)
            *failed = bad;
        if (err)
            *err = m.errs[bad];
        for (size_t i = 0; i < n; i++)
            tc_bar_set_release(&out[i]);
    }
out:
    free(m.rc);
    free(m.errs);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Ingest                                                                     */

void tc_ingest_options_init(struct tc_ingest_options *opt)
{
    if (opt)
        memset(opt, 0, sizeof *opt);
}

struct ingest {
    struct reader *r;
    const struct tc_ingest_options *opt;
    const char *source;
    int64_t now_us;
    unsigned char **keep;
    struct tc__prices_batch *batch;
    size_t nbatch;
    int64_t inserted, unchanged, created;
    /* compare state */
    struct sym *cur;
    size_t j;
};

static int differs(struct ingest *g, const struct tc_bar *st, size_t j, struct tc_error *err)
{
    const struct tc_bar_series *s = &g->cur->s;
    static const char *const names[] = {"open", "high", "low", "close", "adj close"};
    const struct tc_dec a[] = {st->open, st->high, st->low, st->close, st->adj_close};
    const struct tc_dec b[] = {s->open[j], s->high[j], s->low[j], s->close[j], s->adj_close[j]};
    char day[32], x[TC_DEC_STRLEN], y[TC_DEC_STRLEN];
    const char *what = NULL;

    tc__prices_day_text(st->day, day, sizeof day);
    for (int k = 0; k < 5 && !what; k++) {
        if (tc_dec_cmp(a[k], b[k]) != 0) {
            what = names[k];
            tc_dec_format(a[k], x, sizeof x);
            tc_dec_format(b[k], y, sizeof y);
        }
    }
    if (!what && st->volume != s->volume[j]) {
        what = "volume";
        snprintf(x, sizeof x, "%lld", (long long)st->volume);
        snprintf(y, sizeof y, "%lld", (long long)s->volume[j]);
    }
    if (!what && st->open_interest != s->open_interest[j]) {
        what = "open interest";
        snprintf(x, sizeof x, "%lld", (long long)st->open_interest);
        snprintf(y, sizeof y, "%lld", (long long)s->open_interest[j]);
    }
    if (!what)
        return 0;
    return tc_error_set(err, TC_ECONFLICT,
                        "%s:%ld: %s %s is stored with %s %s, the file has %s (stored rows are "
                        "never replaced)",
                        g->r->path, g->cur->line[j], g->cur->symbol, day, what, x, y);
}

static int compare_bar(const struct tc_bar *st, void *ud, struct tc_error *err)
{
    struct ingest *g = ud;
    const struct tc_bar_series *s = &g->cur->s;
    while (g->j < s->n && s->day[g->j] < st->day)
        g->j++;
    if (g->j < s->n && s->day[g->j] == st->day) {
        int rc = differs(g, st, g->j, err);
        if (rc)
            return rc;
        g->keep[g->cur - g->r->syms][g->j] = 0;
        g->unchanged++;
    }
    return 0;
}

static int ingest_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct ingest *g = ud;
    struct reader *r = g->r;
    const struct tc_ingest_options *o = g->opt;
    int rc;

    g->inserted = g->unchanged = g->created = 0; /* a retry starts again */
    g->nbatch = 0;
    for (size_t i = 0; i < r->nsyms; i++) {
        struct sym *y = &r->syms[i];
        char id[TC_REFDATA_ID_MAX];
        y->created = 0;
        if (y->s.n == 0)
            continue;
        rc = tc__prices_resolve(tx, y->symbol, o->market_id, id, err);
        if (rc == TC_ENOTFOUND && o->create_instruments) {
            if (!o->market_id)
                return tc_error_set(err, TC_EINVAL,
                                    "%s: instrument with symbol \"%s\" not found; creating it "
                                    "needs a market",
                                    r->path, y->symbol);
            rc = tc__prices_create_instrument(
                tx, y->symbol, o->market_id, o->asset_class ? o->asset_class : TC_ASSET_EQUITY,
                o->currency ? o->currency : "USD", g->now_us, err);
            if (rc)
                return tc_error_prefix(err, "%s", r->path);
            y->created = 1;
            g->created++;
            snprintf(id, sizeof id, "%s", y->symbol);
        } else if (rc == TC_ENOTFOUND) {
            return tc_error_prefix(err, "%s: %s", r->path,
                                   "unknown instrument (register it with `tradecore instrument "
                                   "add`, or ingest with --create-instruments and --market)");
        } else if (rc) {
            return tc_error_prefix(err, "%s", r->path);
        }
        snprintf(y->s.instrument_id, sizeof y->s.instrument_id, "%s", id);
        memset(g->keep[i], 1, y->s.n);
        g->cur = y;
        g->j = 0;
        rc = tc__prices_scan(tx, id, y->s.day[0], y->s.day[y->s.n - 1], compare_bar, g, err);
        if (rc)
            return rc;
        g->batch[g->nbatch].s = &y->s;
        g->batch[g->nbatch].keep = g->keep[i];
        g->nbatch++;
    }
    if (g->unchanged < r->rows_read - r->skipped) {
        rc = tc__prices_insert(tx, g->batch, g->nbatch, g->source, g->now_us, &g->inserted, err);
        if (rc)
            return tc_error_prefix(err, "%s", r->path);
    }
    return 0;
}

int tc_ingest_prices_file(struct tc_store *s, const char *path,
                          const struct tc_ingest_options *opt, struct tc_ingest_result *res,
                          struct tc_error *err)
{
    struct tc_ingest_options defaults;
    struct reader r;
    struct ingest g;
    int64_t t0 = tc_clock_monotonic(NULL);
    int rc;

    memset(&g, 0, sizeof g);
    if (res) {
        memset(res, 0, sizeof *res);
        res->last_day = -1;
    }
    if (!opt) {
        tc_ingest_options_init(&defaults);
        opt = &defaults;
    }
    if (!s)
        return tc_error_set(err, TC_EINVAL, "ingest: NULL store");
    if (opt->market_id && (rc = tc_id_validate("market", opt->market_id, err)) != 0)
        return rc;
    if ((rc = rd_setup(&r, path, opt->format, opt->symbol, err)) != 0)
        return rc;
    r.skip_bad = opt->skip_bad;
    r.keep_lines = 1; /* a conflict names the line of the stored row's twin */
    r.on_bad = opt->on_bad;
    r.on_bad_ud = opt->on_bad_ud;
    r.progress = opt->progress;
    r.progress_ud = opt->progress_ud;
    if ((rc = rd_run(&r)) != 0)
        goto out;

    g.r = &r;
    g.opt = opt;
    g.source = opt->source ? opt->source : base_name(path);
    if (!*g.source || strlen(g.source) > 255) {
        rc = tc_error_set(err, TC_EINVAL, "%s: source must be 1..255 bytes", r.path);
        goto out;
    }
    g.now_us = tc_clock_now(opt->clock);
    if (!(g.keep = calloc(r.nsyms ? r.nsyms : 1, sizeof *g.keep)) ||
        !(g.batch = calloc(r.nsyms ? r.nsyms : 1, sizeof *g.batch))) {
        rc = tc_error_set(err, TC_ENOMEM, "%s: out of memory", r.path);
        goto out;
    }
    for (size_t i = 0; i < r.nsyms; i++) {
        if (!(g.keep[i] = malloc(r.syms[i].s.n ? r.syms[i].s.n : 1))) {
            rc = tc_error_set(err, TC_ENOMEM, "%s: out of memory", r.path);
            goto out;
        }
    }
    if (r.rows_read > r.skipped)
        rc = tc_store_txn(s, TC_TXN_WRITE, ingest_txn, &g, err);
    if (rc == 0 && opt->on_instrument)
        for (size_t i = 0; i < r.nsyms; i++)
            if (r.syms[i].s.n)
                opt->on_instrument(opt->on_instrument_ud, r.syms[i].s.instrument_id,
                                   r.syms[i].created);
out:
    if (res) {
        res->rows_read = r.rows_read;
        res->skipped = r.skipped;
        if (rc == 0) {
            res->inserted = g.inserted;
            res->unchanged = g.unchanged;
            res->instruments_created = g.created;
        }
        for (size_t i = 0; i < r.nsyms; i++) {
            const struct tc_bar_series *sr = &r.syms[i].s;
            if (!sr->n)
                continue;
            if (res->instruments++ == 0 || sr->day[0] < res->first_day)
                res->first_day = sr->day[0];
            if (sr->day[sr->n - 1] > res->last_day)
                res->last_day = sr->day[sr->n - 1];
        }
        res->seconds = (double)(tc_clock_monotonic(NULL) - t0) / 1e6;
    }
    if (g.keep)
        for (size_t i = 0; i < r.nsyms; i++)
            free(g.keep[i]);
    free(g.keep);
    free(g.batch);
    rd_release(&r);
    return rc;
}
