/* Report files of a backtest run: summary.json, fills.csv, trades.csv,
 * equity.csv and a self-contained report.html (inline CSS and SVG charts
 * computed here, a monthly-returns table, the trade list and the metrics).
 * Every file is written to "<name>.tmp" and renamed into place, and the same
 * inputs always give the same bytes (fixed key order and number formats).
 * A report replaces all its files or none: every target is checked before
 * anything is written (a directory, named pipe, symbolic link or other
 * non-regular file in the place of a file or of its .tmp is refused, as is
 * a folder that cannot be written), every file is written to its .tmp, and
 * only when all five are written are they renamed, in order.
 * The files are independent: the caller and one worker thread take them in
 * turn; each keeps its own buffers, column memos and error, and the renames
 * follow in the files' order once both are done and none failed. (strerror is thread-safe
 * in glibc since 2.32; errno is per thread.) */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "tradecore/analytics.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "app/report.h"
#include "core/civil.h"
#include "core/str.h"
#include "internal/banned.h"

/* report.html lists at most this many trades (trades.csv has them all). */
#define HTML_TRADES_MAX 2000
#define PATH_CAP 4096

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The folders make_dirs created, to be removed again (unmake_dirs) when
 * the report fails: the lengths of their paths, shortest first. */
struct made_dirs {
    size_t n;
    size_t len[64];
};

static int make_dirs(const char *dir, struct made_dirs *made, struct tc_error *err)
{
    char path[PATH_CAP];
    size_t len = strlen(dir);

    if (len == 0)
        return tc_error_set(err, TC_EINVAL, "report folder: empty path");
    if (len >= sizeof path - 32)
        return tc_error_set(err, TC_EINVAL, "report folder \"%.40s…\": path is too long", dir);
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) == 0) {
            if (made->n < sizeof made->len / sizeof made->len[0])
                made->len[made->n++] = i;
        } else if (errno != EEXIST) {
            return tc_error_set(err, TC_EIO, "report folder \"%s\": cannot create \"%s\": %s", dir,
                                path, strerror(errno));
        }
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tc_error_set(err, TC_EIO, "report folder \"%s\": not a directory", dir);
    return 0;
}

/* Removes the folders of DIR that make_dirs created (MADE), deepest first:
 * a failed report leaves no folder behind that it made. rmdir removes only
 * an empty folder, so nothing another process put there is lost. */
static void unmake_dirs(const char *dir, const struct made_dirs *made)
{
    char path[PATH_CAP];
    for (size_t k = made->n; k-- > 0;) {
        memcpy(path, dir, made->len[k]);
        path[made->len[k]] = '\0';
        if (rmdir(path) != 0)
            return;
    }
}

/* What a file of mode MODE is, for a message. */
static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISFIFO(mode))
        return "a named pipe";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a regular file";
}

/* Before anything is written: DIR can be written into, and each of the N
 * NAMES and its NAME.tmp is either missing or a regular file (lstat: a
 * symbolic link is refused, not followed: a .tmp link was written through,
 * truncating the file it named, and renamed into place). The first problem
 * in the files' order is the error, naming the path. */
static int check_targets(const char *dir, const char *const *names, size_t n,
                         struct tc_error *err)
{
    char path[PATH_CAP];
    struct stat st;

    if (access(dir, W_OK | X_OK) != 0)
        return tc_error_set(err, TC_EIO, "report folder \"%s\": cannot write into it: %s", dir,
                            strerror(errno));
    for (size_t k = 0; k < n; k++) {
        snprintf(path, sizeof path, "%s/%s.tmp", dir, names[k]);
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return tc_error_set(err, TC_EIO,
                                "report file \"%s\" is %s, in the way of the file written "
                                "before its rename (no file was replaced)",
                                path, kind_of(st.st_mode));
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        if (lstat(path, &st) == 0) {
            if (!S_ISREG(st.st_mode))
                return tc_error_set(err, TC_EIO,
                                    "report file \"%s\" is %s, not a regular file (no file was "
                                    "replaced)",
                                    path, kind_of(st.st_mode));
        } else if (errno != ENOENT) {
            return tc_error_set(err, TC_EIO, "report file \"%s\": %s (no file was replaced)",
                                path, strerror(errno));
        }
    }
    return 0;
}

/* An output file written as NAME.tmp; renamed into place by out_commit once
 * every file before it in the report's order is in place. */
struct out {
    FILE *f;
    int made; /* NAME.tmp exists and is this report's */
    char tmp[PATH_CAP], path[PATH_CAP];
};

static int out_open(struct out *o, const char *dir, const char *name, struct tc_error *err)
{
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    snprintf(o->tmp, sizeof o->tmp, "%s/%s.tmp", dir, name);
    /* the test's disk-full file: written to /dev/full, every write fails */
    o->f = fopen(tc__report_full && strcmp(name, tc__report_full) == 0 ? "/dev/full" : o->tmp,
                 "wb");
    if (!o->f)
        return tc_error_set(err, TC_EIO, "report file \"%s\": cannot create: %s", o->tmp,
                            strerror(errno));
    o->made = 1;
    return 0;
}

/* Closes O's file; on a failure (OK 0: ERR already says which) NAME.tmp is
 * removed. */
static int out_close(struct out *o, int ok, struct tc_error *err)
{
    int bad = ferror(o->f);
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    if (!ok || bad) {
        remove(o->tmp);
        o->made = 0;
        if (!ok)
            return err && err->code ? err->code : TC_EIO;
        return tc_error_set(err, TC_EIO, "report file \"%s\": write error", o->tmp);
    }
    return 0;
}

/* NAME.tmp renamed to NAME (removed if that fails). */
static int out_commit(struct out *o, struct tc_error *err)
{
    o->made = 0;
    if (rename(o->tmp, o->path) != 0) {
        int e = errno;
        remove(o->tmp);
        return tc_error_set(err, TC_EIO, "report file \"%s\": cannot rename: %s", o->path,
                            strerror(e));
    }
    return 0;
}

/* NAME.tmp, if written, removed: a file before it failed. */
static void out_discard(struct out *o)
{
    if (o->made)
        remove(o->tmp);
    o->made = 0;
}

static void date_text(int64_t day, char buf[TC_DATE_STRLEN])
{
    tc_date_format(day, buf);
}

static const char *dec_text(struct tc_dec d, char buf[TC_DEC_STRLEN])
{
    tc_dec_format(d, buf, TC_DEC_STRLEN);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* summary.json                                                             */

static int jset(json_t *o, const char *k, json_t *v)
{
    return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *jdec(struct tc_dec d)
{
    char b[TC_DEC_STRLEN];
    return json_string(dec_text(d, b));
}

static json_t *jreal_or_null(double v, int defined)
{
    return defined && isfinite(v) ? json_real(v) : json_null();
}

static json_t *jday(int64_t day)
{
    char b[TC_DATE_STRLEN];
    date_text(day, b);
    return json_string(b);
}

static int write_summary(const char *dir, const char *title, json_t *params,
                         const struct tc_run_result *r, const struct tc_metrics *m,
                         struct out *out, struct tc_error *err)
{
    json_t *o = json_object();
    int bad = !o;
    int rc;

    if (o) {
        bad |= jset(o, "title", json_string(title));
        bad |= json_object_set(o, "parameters", params);
        bad |= jset(o, "first_day", jday(r->equity[0].day));
        bad |= jset(o, "last_day", jday(r->equity[r->n_equity - 1].day));
        bad |= jset(o, "sessions", json_integer(m->n_sessions));
        bad |= jset(o, "initial_cash", jdec(r->initial_cash));
        bad |= jset(o, "final_value", jdec(m->final_value));
        bad |= jset(o, "final_cash", jdec(m->final_cash));
        bad |= jset(o, "net_profit", jdec(m->net_profit));
        bad |= jset(o, "n_fills", json_integer(m->n_fills));
        bad |= jset(o, "n_trades", json_integer(m->n_trades));
        bad |= jset(o, "total_commission", jdec(m->total_commission));
        bad |= jset(o, "total_return", json_real(m->total_return));
        bad |= jset(o, "cagr", json_real(m->cagr));
        bad |= jset(o, "volatility", json_real(m->volatility));
        bad |= jset(o, "sharpe", jreal_or_null(m->sharpe, m->volatility > 0.0));
        bad |= jset(o, "downside_deviation", json_real(m->downside_deviation));
        bad |= jset(o, "sortino", jreal_or_null(m->sortino, m->downside_deviation > 0.0));
        bad |= jset(o, "max_drawdown", json_real(m->max_drawdown));
        bad |= jset(o, "max_drawdown_duration", json_integer(m->max_drawdown_duration));
        bad |= jset(o, "calmar", jreal_or_null(m->calmar, m->max_drawdown > 0.0));
        bad |= jset(o, "n_wins", json_integer(m->n_wins));
        bad |= jset(o, "n_losses", json_integer(m->n_losses));
        bad |= jset(o, "win_rate", jreal_or_null(m->win_rate, m->n_trades > 0));
        bad |= jset(o, "gross_profit", jdec(m->gross_profit));
        bad |= jset(o, "gross_loss", jdec(m->gross_loss));
        bad |= jset(o, "profit_factor", jreal_or_null(m->profit_factor, m->n_losses > 0));
        bad |= jset(o, "avg_trade", m->n_trades > 0 ? jdec(m->avg_trade) : json_null());
        bad |= jset(o, "exposure", json_real(m->exposure));
        bad |= jset(o, "turnover", json_real(m->turnover));
        bad |= jset(o, "risk_free_rate", json_real(r->risk_free_rate));
        bad |= jset(o, "periods_per_year", json_integer(r->periods_per_year));
    }
    if (bad) {
        json_decref(o);
        return tc_error_set(err, TC_ENOMEM, "summary.json: out of memory");
    }
    if ((rc = out_open(out, dir, "summary.json", err)) != 0) {
        json_decref(o);
        return rc;
    }
    int ok = json_dumpf(o, out->f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) == 0;
    ok = ok && fputc('\n', out->f) != EOF;
    json_decref(o);
    if (!ok)
        tc_error_set(err, TC_EIO, "summary.json: write error");
    return out_close(out, ok, err);
}

/* ------------------------------------------------------------------------ */
/* CSV files                                                                */

/* Rows built in memory and written a block at a time (one fwrite per
 * block, not one printf per row): ROW_MAX bytes always hold one row. */
#define ROW_MAX 2048
struct rows {
    FILE *f;
    size_t n;
    char b[16384];
};

/* Room for one more row: the block written out when it might not fit. */
static char *rows_room(struct rows *w)
{
    if (sizeof(w->b) - w->n < ROW_MAX) {
        fwrite(w->b, 1, w->n, w->f);
        w->n = 0;
    }
    return w->b + w->n;
}

/* W starts the CSV file F with its header line (LEN bytes). F is made
 * unbuffered before its first write: the blocks go out a write each,
 * without a second copy through stdio's buffer. */
static void rows_csv(struct rows *w, FILE *f, const char *header, size_t len)
{
    setvbuf(f, NULL, _IONBF, 0);
    w->f = f;
    memcpy(w->b, header, len);
    w->n = len;
}

#define ROWS_CSV(w, f, header) rows_csv((w), (f), (header), sizeof(header) - 1)

static void rows_flush(struct rows *w)
{
    if (w->n)
        fwrite(w->b, 1, w->n, w->f);
    w->n = 0;
}

/* Text S of LEN bytes at P; returns the end. */
static char *put_mem(char *p, const char *s, size_t len)
{
    memcpy(p, s, len);
    return p + len;
}

#define PUT_LIT(p, lit) put_mem((p), (lit), sizeof(lit) - 1)

/* D as tc_dec_format writes it (TC_DEC_STRLEN bytes of room), no NUL. */
static char *put_dec(char *p, struct tc_dec d)
{
    int n = tc_dec_format(d, p, TC_DEC_STRLEN);
    return p + (n > 0 ? n : 0);
}

/* A column's last decimal and its text: a row whose value equals the one
 * above it (a fixed quantity, a zero commission, cash between trades)
 * copies that text instead of formatting the same value again. */
struct dec_memo {
    int64_t raw;
    int len; /* -1: none yet */
    char text[TC_DEC_STRLEN];
};

static void memo_init(struct dec_memo *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m[i].len = -1;
}

/* D as put_dec writes it, through the column's memo M; TC_DEC_STRLEN bytes
 * of room at P (copied whole). */
static char *put_dec_memo(char *p, struct tc_dec d, struct dec_memo *m)
{
    if (m->len < 0 || d.raw != m->raw) {
        m->len = (int)(put_dec(m->text, d) - m->text);
        m->raw = d.raw;
    }
    memcpy(p, m->text, TC_DEC_STRLEN);
    return p + m->len;
}

/* A date column's last month: a day within it is that month's text with
 * the day's two digits put in, without the civil-date arithmetic (rows
 * come in date order, or nearly). */
struct date_memo {
    int64_t first, end; /* the month's days, first <= day < end; none yet: 0, 0 */
    char text[TC_DATE_STRLEN];
};

static void date_memo_init(struct date_memo *m)
{
    m->first = m->end = 0;
}

/* DAY as tc_date_format writes it (always TC_DATE_STRLEN - 1 bytes, a
 * date or "(bad date)"), no NUL, through the column's memo M. */
static char *put_date_memo(char *p, int64_t day, struct date_memo *m)
{
    if (day >= m->first && day < m->end) {
        memcpy(m->text + 8, tc__str_two_digits + 2 * (day - m->first + 1), 2);
    } else {
        const char *t = m->text;
        tc_date_format(day, m->text);
        m->first = m->end = 0;
        if (t[0] != '(') { /* "(bad date)": no month kept */
            const int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
            const int mo = (t[5] - '0') * 10 + (t[6] - '0'), d = (t[8] - '0') * 10 + (t[9] - '0');
            m->first = day - (d - 1);
            m->end = m->first + tc__days_in_month(y, mo);
        }
    }
    memcpy(p, m->text, TC_DATE_STRLEN - 1);
    return p + (TC_DATE_STRLEN - 1);
}

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break (at most 2 x strlen(S) + 2 bytes). */
static char *put_csv_field(char *p, const char *s)
{
    size_t len = strlen(s);
    if (!strpbrk(s, ",\"\r\n"))
        return put_mem(p, s, len);
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"')
            *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}

/* The length of the instrument id ID (NUL-terminated in its field of 65
 * bytes) when none of its characters is A, B, C, D or E (each below 64;
 * fewer repeat one); -1 when one is or the field holds no NUL. 16 bytes a
 * step where SSE2 is there; the bytes after the NUL are ignored. */
static inline long id_plain_len(const char id[65], char a, char b, char c, char d, char e)
{
#if defined(__SSE2__) && defined(__x86_64__)
    for (size_t k = 0; k < 64; k += 16) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(id + k));
        const __m128i sp = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(a)), _mm_cmpeq_epi8(x, _mm_set1_epi8(b))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(c)), _mm_cmpeq_epi8(x, _mm_set1_epi8(d))),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8(e))));
        const unsigned nul = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128()));
        unsigned special = (unsigned)_mm_movemask_epi8(sp);
        if (nul)
            special &= (nul & -nul) - 1; /* the bytes before the NUL */
        if (special)
            return -1;
        if (nul)
            return (long)(k + (size_t)__builtin_ctz(nul));
    }
    return -1;
#else
    const uint64_t mask = 1ull << a | 1ull << b | 1ull << c | 1ull << d | 1ull << e;
    const size_t len = tc__str_buf_len(id, 65);
    for (size_t k = 0; k < len; k++) {
        const unsigned char c = (unsigned char)id[k];
        if (c < 64 && (mask >> c & 1u))
            return -1;
    }
    return len < 65 ? (long)len : -1;
#endif
}

/* An instrument id as put_csv_field writes it; 65 bytes of room at P
 * beside the quoted form (a plain id is copied whole). RFC 4180 quotes a
 * field for four characters only (put_csv_field's set), so the fifth of
 * id_plain_len's repeats the comma: no character is missing there. */
static char *put_csv_id(char *p, const char id[65])
{
    const long len = id_plain_len(id, ',', '"', '\r', '\n', ',' /* the set has four */);
    if (len < 0)
        return put_csv_field(p, id);
    memcpy(p, id, 65);
    return p + len;
}

static int write_fills(const char *dir, const struct tc_run_result *r, struct out *o,
                       struct tc_error *err)
{
    struct rows w;
    int rc = out_open(o, dir, "fills.csv", err);
    if (rc != 0)
        return rc;
    ROWS_CSV(&w, o->f, "date,instrument,side,quantity,price,commission\n");
    struct dec_memo memo[3];
    struct date_memo dm;
    memo_init(memo, 3);
    date_memo_init(&dm);
    for (size_t i = 0; i < r->n_fills; i++) {
        const struct tc_run_fill *x = &r->fills[i];
        char *const start = rows_room(&w);
        char *p = put_date_memo(start, x->day, &dm);
        *p++ = ',';
        p = put_csv_id(p, x->instrument_id);
        p = x->side == 'B' ? PUT_LIT(p, ",BUY,") : PUT_LIT(p, ",SELL,");
        p = put_dec_memo(p, x->quantity, &memo[0]);
        *p++ = ',';
        p = put_dec_memo(p, x->price, &memo[1]);
        *p++ = ',';
        p = put_dec_memo(p, x->commission, &memo[2]);
        *p++ = '\n';
        w.n += (size_t)(p - start);
    }
    rows_flush(&w);
    return out_close(o, 1, err);
}

/* A trade row's column memos. */
struct trade_memo {
    struct date_memo entry_day, exit_day;
    struct dec_memo entry_price, exit_price, qty, gross, comm, net;
};

static void trade_memo_init(struct trade_memo *m)
{
    date_memo_init(&m->entry_day);
    date_memo_init(&m->exit_day);
    memo_init(&m->entry_price, 1);
    memo_init(&m->exit_price, 1);
    memo_init(&m->qty, 1);
    memo_init(&m->gross, 1);
    memo_init(&m->comm, 1);
    memo_init(&m->net, 1);
}

/* A separator of up to 15 bytes, copied as 16. */
struct sep {
    char text[16];
    size_t len;
};

static char *put_sep(char *p, const struct sep *s)
{
    memcpy(p, s->text, sizeof s->text);
    return p + s->len;
}

/* T's entry date, entry price, exit date, exit price, quantity, gross and
 * commission, each followed by S (at most 7 x (TC_DEC_STRLEN + 16) bytes
 * of room at P). */
static char *put_trade(char *p, const struct tc_run_trade *t, struct trade_memo *m,
                       const struct sep *s)
{
    p = put_sep(put_date_memo(p, t->entry_day, &m->entry_day), s);
    p = put_sep(put_dec_memo(p, t->entry_price, &m->entry_price), s);
    p = put_sep(put_date_memo(p, t->exit_day, &m->exit_day), s);
    p = put_sep(put_dec_memo(p, t->exit_price, &m->exit_price), s);
    p = put_sep(put_dec_memo(p, t->quantity, &m->qty), s);
    p = put_sep(put_dec_memo(p, t->gross_pnl, &m->gross), s);
    return put_sep(put_dec_memo(p, t->commission, &m->comm), s);
}

/* T's net P&L after put_trade: the gross's text when they are equal (no
 * commission). */
static char *put_trade_net(char *p, const struct tc_run_trade *t, struct trade_memo *m)
{
    if (t->net_pnl.raw == t->gross_pnl.raw) {
        memcpy(p, m->gross.text, TC_DEC_STRLEN);
        return p + m->gross.len;
    }
    return put_dec_memo(p, t->net_pnl, &m->net);
}

static int write_trades(const char *dir, const struct tc_run_result *r, struct out *o,
                        struct tc_error *err)
{
    static const struct sep comma = {",", 1};
    struct rows w;
    int rc = out_open(o, dir, "trades.csv", err);
    if (rc != 0)
        return rc;
    ROWS_CSV(&w, o->f,
             "instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,gross,commission,"
             "net\n");
    struct trade_memo memo;
    trade_memo_init(&memo);
    for (size_t i = 0; i < r->n_trades; i++) {
        const struct tc_run_trade *t = &r->trades[i];
        char *const start = rows_room(&w);
        char *p = put_csv_id(start, t->instrument_id);
        p = t->side == 'L' ? PUT_LIT(p, ",LONG,") : PUT_LIT(p, ",SHORT,");
        p = put_trade_net(put_trade(p, t, &memo, &comma), t, &memo);
        *p++ = '\n';
        w.n += (size_t)(p - start);
    }
    rows_flush(&w);
    return out_close(o, 1, err);
}

static int write_equity(const char *dir, const struct tc_run_result *r, struct out *o,
                        struct tc_error *err)
{
    struct rows w;
    int rc = out_open(o, dir, "equity.csv", err);
    if (rc != 0)
        return rc;
    ROWS_CSV(&w, o->f, "date,cash,equity\n");
    struct dec_memo memo[2];
    struct date_memo dm;
    memo_init(memo, 2);
    date_memo_init(&dm);
    for (size_t i = 0; i < r->n_equity; i++) {
        char *const start = rows_room(&w);
        char *p = put_date_memo(start, r->equity[i].day, &dm);
        *p++ = ',';
        p = put_dec_memo(p, r->equity[i].cash, &memo[0]);
        *p++ = ',';
        p = put_dec_memo(p, r->equity[i].equity, &memo[1]);
        *p++ = '\n';
        w.n += (size_t)(p - start);
    }
    rows_flush(&w);
    return out_close(o, 1, err);
}

/* ------------------------------------------------------------------------ */
/* report.html                                                              */

/* C as HTML text at P (at most 6 bytes: the five special characters as
 * entities); returns the end. */
static char *put_html_char(char *p, char c)
{
    switch (c) {
    case '&': return PUT_LIT(p, "&amp;");
    case '<': return PUT_LIT(p, "&lt;");
    case '>': return PUT_LIT(p, "&gt;");
    case '"': return PUT_LIT(p, "&quot;");
    case '\'': return PUT_LIT(p, "&#39;");
    default: *p++ = c; return p;
    }
}

/* S escaped (put_html_char) to F, 64 characters a write. */
static void html_esc(FILE *f, const char *s)
{
    char buf[6 * 64];
    while (*s) {
        char *p = buf;
        for (int k = 0; k < 64 && *s; k++, s++)
            p = put_html_char(p, *s);
        fwrite(buf, 1, (size_t)(p - buf), f);
    }
}

/* "12.34" with "-0.00" written as "0.00". */
static void fixed2(FILE *f, double v)
{
    char b[64];
    snprintf(b, sizeof b, "%.2f", v);
    fputs(strcmp(b, "-0.00") == 0 ? "0.00" : b, f);
}

#define SVG_W 800.0
#define SVG_H 260.0
#define SVG_L 90.0  /* left margin: value labels */
#define SVG_R 20.0
#define SVG_T 15.0
#define SVG_B 30.0  /* bottom margin: date labels */

/* An SVG line chart of the N values V over the session days DAYS, values
 * labelled with SUFFIX ("" or "%"). */
/* V rounded to hundredths (llround of V x 100) as "%.2f" prints it, into
 * BUF at LEN; |V| < 1e15. Returns the new length (at most 20 more bytes;
 * 26 bytes of room are written). The rounding is llround's, half away from
 * zero, without the call: X minus its truncation is exact. */
static size_t put_2dp(char *buf, size_t len, double v)
{
    const double x = v * 100.0;
    long long c = (long long)x;
    const double frac = x - (double)c;
    char tmp[48];
    if (frac >= 0.5)
        c++;
    else if (frac <= -0.5)
        c--;
    if (c < 0) {
        buf[len++] = '-';
        c = -c;
    }
    char *const end = tmp + 24;
    char *q = tc__str_u64_rev(end, (unsigned long long)c / 100);
    memcpy(buf + len, q, 24); /* the digits and what follows them in TMP */
    len += (size_t)(end - q);
    buf[len++] = '.';
    memcpy(buf + len, tc__str_two_digits + 2 * ((unsigned long long)c % 100), 2);
    return len + 2;
}

static void svg_chart(FILE *f, const char *label, const int64_t *days, const double *v, size_t n,
                      const char *suffix, const char *cls)
{
    double lo = v[0], hi = v[0];
    for (size_t i = 1; i < n; i++) {
        if (v[i] < lo)
            lo = v[i];
        if (v[i] > hi)
            hi = v[i];
    }
    if (hi - lo < 1e-9) {
        double pad = fabs(hi) > 1e-9 ? fabs(hi) * 0.01 : 1.0;
        lo -= pad;
        hi += pad;
    }
    double pw = SVG_W - SVG_L - SVG_R, ph = SVG_H - SVG_T - SVG_B;
    fprintf(f, "<svg class=\"chart %s\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
               "role=\"img\" aria-label=\"",
            cls, SVG_W, SVG_H, SVG_W, SVG_H);
    html_esc(f, label);
    fputs("\">\n", f);
    fprintf(f, "<rect class=\"frame\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>\n",
            SVG_L, SVG_T, pw, ph);
    for (int k = 0; k <= 4; k++) {
        double val = lo + (hi - lo) * k / 4.0;
        double y = SVG_T + ph - ph * k / 4.0;
        fprintf(f, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\"/>", SVG_L,
                y, SVG_L + pw, y);
        fprintf(f, "<text class=\"ylab\" x=\"%.0f\" y=\"%.2f\">", SVG_L - 6, y + 4);
        fixed2(f, val);
        fprintf(f, "%s</text>\n", suffix);
    }
    size_t ticks = n < 5 ? n : 5;
    for (size_t k = 0; k < ticks; k++) {
        size_t i = ticks == 1 ? 0 : k * (n - 1) / (ticks - 1);
        double x = n == 1 ? SVG_L + pw / 2 : SVG_L + pw * (double)i / (double)(n - 1);
        char d[TC_DATE_STRLEN];
        date_text(days[i], d);
        /* the last date ends at the right edge instead of overflowing it */
        fprintf(f, "<text class=\"xlab%s\" x=\"%.2f\" y=\"%.0f\">%s</text>\n",
                ticks > 1 && k == ticks - 1 ? " end" : "", x, SVG_H - 8, d);
    }
    fputs("<polyline class=\"line\" points=\"", f);
    {
        /* more points than the plot has pixel columns: per column only its
         * first, lowest, highest and last point, in their order (the line
         * drawn is the same); coordinates as "%.2f" without printf */
        size_t cols = (size_t)pw, first = 1;
        char buf[4096];
        size_t len = 0;
        for (size_t i = 0; i < n;) {
            size_t end = i + 1, keep[4], nk = 0;
            if (n > 4 * cols) {
                size_t c = i * cols / n;
                while (end < n && end * cols / n == c)
                    end++;
                size_t mn = i, mx = i;
                for (size_t j = i; j < end; j++) {
                    if (v[j] < v[mn])
                        mn = j;
                    if (v[j] > v[mx])
                        mx = j;
                }
                size_t cand[4] = {i, mn, mx, end - 1};
                for (size_t a = 0; a < 4; a++) { /* ascending, each index once */
                    size_t b = 0;
                    while (b < nk && keep[b] < cand[a])
                        b++;
                    if (b < nk && keep[b] == cand[a])
                        continue;
                    memmove(keep + b + 1, keep + b, (nk - b) * sizeof(keep[0]));
                    keep[b] = cand[a];
                    nk++;
                }
            } else {
                keep[nk++] = i;
            }
            for (size_t k = 0; k < nk; k++) {
                size_t j = keep[k];
                double x = n == 1 ? SVG_L + pw / 2 : SVG_L + pw * (double)j / (double)(n - 1);
                double y = SVG_T + ph - ph * (v[j] - lo) / (hi - lo);
                if (len + 64 > sizeof(buf)) {
                    fwrite(buf, 1, len, f);
                    len = 0;
                }
                if (!first)
                    buf[len++] = ' ';
                first = 0;
                len = put_2dp(buf, len, x);
                buf[len++] = ',';
                len = put_2dp(buf, len, y);
            }
            i = end;
        }
        fwrite(buf, 1, len, f);
    }
    fputs("\"/>\n</svg>\n", f);
}

static void metric_row(FILE *f, const char *name, const char *value)
{
    fputs("<tr><th>", f);
    html_esc(f, name);
    fputs("</th><td>", f);
    html_esc(f, value);
    fputs("</td></tr>\n", f);
}

static void metric_num(FILE *f, const char *name, double v, int defined, int percent)
{
    char b[64];
    if (!defined)
        snprintf(b, sizeof b, "n/a");
    else if (percent)
        snprintf(b, sizeof b, "%.2f%%", v * 100.0);
    else
        snprintf(b, sizeof b, "%.4f", v);
    if (strncmp(b, "-0.00", 5) == 0 && strspn(b + 5, "0%") == strlen(b + 5))
        memmove(b, b + 1, strlen(b));
    metric_row(f, name, b);
}

static void metric_dec(FILE *f, const char *name, struct tc_dec d)
{
    char b[TC_DEC_STRLEN];
    metric_row(f, name, dec_text(d, b));
}

static void metric_int(FILE *f, const char *name, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    metric_row(f, name, b);
}

static void html_metrics(FILE *f, const struct tc_run_result *r, const struct tc_metrics *m)
{
    char a[TC_DATE_STRLEN], b[TC_DATE_STRLEN], span[64];
    date_text(r->equity[0].day, a);
    date_text(r->equity[r->n_equity - 1].day, b);
    snprintf(span, sizeof span, "%s to %s", a, b);
    fputs("<h2>Metrics</h2>\n<table class=\"metrics\">\n", f);
    metric_row(f, "period", span);
    metric_int(f, "sessions", m->n_sessions);
    metric_dec(f, "initial cash", r->initial_cash);
    metric_dec(f, "final value", m->final_value);
    metric_dec(f, "final cash", m->final_cash);
    metric_dec(f, "net profit", m->net_profit);
    metric_num(f, "total return", m->total_return, 1, 1);
    metric_num(f, "CAGR", m->cagr, 1, 1);
    metric_num(f, "volatility (annualised)", m->volatility, 1, 1);
    metric_num(f, "Sharpe", m->sharpe, m->volatility > 0.0, 0);
    metric_num(f, "Sortino", m->sortino, m->downside_deviation > 0.0, 0);
    metric_num(f, "max drawdown", m->max_drawdown, 1, 1);
    metric_int(f, "max drawdown duration (sessions)", m->max_drawdown_duration);
    metric_num(f, "Calmar", m->calmar, m->max_drawdown > 0.0, 0);
    metric_int(f, "fills", m->n_fills);
    metric_int(f, "trades", m->n_trades);
    metric_int(f, "wins", m->n_wins);
    metric_int(f, "losses", m->n_losses);
    metric_num(f, "win rate", m->win_rate, m->n_trades > 0, 1);
    metric_num(f, "profit factor", m->profit_factor, m->n_losses > 0, 0);
    if (m->n_trades > 0)
        metric_dec(f, "average trade", m->avg_trade);
    else
        metric_row(f, "average trade", "n/a");
    metric_num(f, "exposure", m->exposure, 1, 1);
    metric_num(f, "turnover", m->turnover, 1, 0);
    metric_dec(f, "commission paid", m->total_commission);
    fputs("</table>\n", f);
}

static void pct_cell(FILE *f, double ret, int have)
{
    if (!have) {
        fputs("<td></td>", f);
        return;
    }
    char b[64];
    snprintf(b, sizeof b, "%.2f", ret * 100.0);
    if (strcmp(b, "-0.00") == 0)
        snprintf(b, sizeof b, "0.00");
    char cell[128], *p = cell;
    p = strcmp(b, "0.00") == 0 ? PUT_LIT(p, "<td class=\"zero\">")
        : ret > 0              ? PUT_LIT(p, "<td class=\"pos\">")
                               : PUT_LIT(p, "<td class=\"neg\">");
    p = PUT_LIT(put_mem(p, b, strlen(b)), "</td>");
    fwrite(cell, 1, (size_t)(p - cell), f);
}

/* Days beyond which html_monthly keeps no month (far past any calendar). */
#define DAYS_FAR ((int64_t)1 << 40)

/* Month return = last equity of the month / last equity before the month - 1
 * (initial cash before the first month); the year's total likewise. */
static void html_monthly(FILE *f, const struct tc_run_result *r)
{
    double prev_month = tc_dec_to_double(r->initial_cash), prev_year = prev_month;
    double ret[12];
    int have[12] = {0};
    int year = 0, y, mo, d, ny = 0, nm = 0;
    int64_t mfirst = 0, mend = 0; /* the days of NY, NM's month: mfirst <= day < mend */

    fputs("<h2>Monthly returns (%)</h2>\n<table class=\"monthly\">\n<tr><th>year</th>", f);
    for (int k = 0; k < 12; k++)
        fprintf(f, "<th>%s</th>", month_names[k]);
    fputs("<th>year</th></tr>\n", f);
    /* NY, NM are the next point's year and month, found again only when
     * that point leaves the month of the one before */
    for (size_t i = 0; i <= r->n_equity; i++) {
        const int has_next = i < r->n_equity;
        y = ny;
        mo = nm;
        if (has_next) {
            const int64_t nd = r->equity[i].day;
            if (!(nd >= mfirst && nd < mend)) {
                tc_civil_from_days(nd, &ny, &nm, &d);
                mfirst = mend = 0;
                if (nd > -DAYS_FAR && nd < DAYS_FAR) { /* no overflow at the ends */
                    mfirst = nd - (d - 1);
                    mend = mfirst + tc__days_in_month(ny, nm);
                }
            }
        }
        if (i == 0) {
            year = ny;
            continue;
        }
        if (has_next && ny == y && nm == mo) /* not the month's last */
            continue;
        double e = tc_dec_to_double(r->equity[i - 1].equity);
        ret[mo - 1] = prev_month > 0.0 ? e / prev_month - 1.0 : 0.0;
        have[mo - 1] = 1;
        prev_month = e;
        if (has_next && ny == y) /* not the year's last */
            continue;
        fprintf(f, "<tr><th>%d</th>", year);
        for (int k = 0; k < 12; k++)
            pct_cell(f, ret[k], have[k]);
        pct_cell(f, prev_year > 0.0 ? e / prev_year - 1.0 : 0.0, 1);
        fputs("</tr>\n", f);
        prev_year = e;
        memset(have, 0, sizeof have);
        if (has_next)
            year = ny;
    }
    fputs("</table>\n", f);
}

/* S escaped as html_esc writes it (at most 6 x strlen(S) bytes). */
static char *put_html(char *p, const char *s)
{
    for (; *s; s++)
        p = put_html_char(p, *s);
    return p;
}

/* An instrument id as put_html writes it; 65 bytes of room at P beside the
 * escaped form (an id without special characters is copied whole). */
static char *put_html_id(char *p, const char id[65])
{
    const long len = id_plain_len(id, '&', '<', '>', '"', '\'');
    if (len < 0)
        return put_html(p, id);
    memcpy(p, id, 65);
    return p + len;
}

static void html_trades(FILE *f, const struct tc_run_result *r)
{
    static const struct sep cell = {"</td><td>", 9};
    struct trade_memo memo;
    struct rows w;
    size_t n = r->n_trades < HTML_TRADES_MAX ? r->n_trades : HTML_TRADES_MAX;
    fputs("<h2>Trades</h2>\n", f);
    if (r->n_trades > n)
        fprintf(f, "<p>The first %zu of %zu trades; trades.csv lists them all.</p>\n", n,
                r->n_trades);
    fputs("<table class=\"trades\">\n<tr><th>instrument</th><th>side</th><th>entry</th>"
          "<th>entry price</th><th>exit</th><th>exit price</th><th>quantity</th><th>gross</th>"
          "<th>commission</th><th>net</th></tr>\n",
          f);
    trade_memo_init(&memo);
    w.f = f;
    w.n = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tc_run_trade *t = &r->trades[i];
        const int sign = tc_dec_sign(t->net_pnl);
        char *const start = rows_room(&w);
        char *p = put_html_id(PUT_LIT(start, "<tr><td>"), t->instrument_id);
        p = t->side == 'L' ? PUT_LIT(p, "</td><td>LONG</td><td>") : PUT_LIT(p, "</td><td>SHORT</td><td>");
        p = put_trade(p, t, &memo, &cell);
        p -= sizeof("<td>") - 1; /* the net's cell has a class */
        p = sign > 0 ? PUT_LIT(p, "<td class=\"pos\">")
            : sign < 0 ? PUT_LIT(p, "<td class=\"neg\">")
                       : PUT_LIT(p, "<td class=\"zero\">");
        p = put_trade_net(p, t, &memo);
        p = PUT_LIT(p, "</td></tr>\n");
        w.n += (size_t)(p - start);
    }
    rows_flush(&w);
    fputs("</table>\n", f);
}

static const char css[] =
    "body{font-family:sans-serif;margin:24px;color:#222;background:#fff}\n"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px}\n"
    "table{border-collapse:collapse;font-size:13px}\n"
    "th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}\n"
    "table.metrics th{text-align:left;background:#f4f4f4}\n"
    "td.pos{background:#d7f0d7}td.neg{background:#f6d5d5}td.zero{background:#f4f4f4}\n"
    "svg.chart{display:block;margin:8px 0}\n"
    "svg .frame{fill:none;stroke:#999}svg .grid{stroke:#e5e5e5}\n"
    "svg .line{fill:none;stroke-width:1.5}\n"
    "svg.equity .line{stroke:#1f5fbf}svg.drawdown .line{stroke:#c0392b}\n"
    "svg .ylab{font-size:11px;text-anchor:end;fill:#444}\n"
    "svg .xlab{font-size:11px;text-anchor:middle;fill:#444}\n"
    "svg .xlab.end{text-anchor:end}\n";

static int write_html(const char *dir, const char *title, const struct tc_run_result *r,
                      const struct tc_metrics *m, struct out *o, struct tc_error *err)
{
    size_t n = r->n_equity;
    int64_t *days = malloc(n * sizeof *days);
    double *eq = malloc(n * sizeof *eq);
    double *dd = malloc(n * sizeof *dd);
    int rc;

    if (!days || !eq || !dd) {
        rc = tc_error_set(err, TC_ENOMEM, "report.html: out of memory for %zu points", n);
        goto out;
    }
    double peak = tc_dec_to_double(r->initial_cash);
    for (size_t i = 0; i < n; i++) {
        days[i] = r->equity[i].day;
        eq[i] = tc_dec_to_double(r->equity[i].equity);
        if (eq[i] > peak)
            peak = eq[i];
        dd[i] = peak > 0.0 ? (eq[i] - peak) / peak * 100.0 : 0.0;
    }
    if ((rc = out_open(o, dir, "report.html", err)) != 0)
        goto out;
    FILE *f = o->f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>", f);
    html_esc(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
    html_esc(f, title);
    fputs("</h1>\n", f);
    html_metrics(f, r, m);
    fputs("<h2>Equity</h2>\n", f);
    svg_chart(f, "equity", days, eq, n, "", "equity");
    fputs("<h2>Drawdown</h2>\n", f);
    svg_chart(f, "drawdown", days, dd, n, "%", "drawdown");
    html_monthly(f, r);
    html_trades(f, r);
    fputs("</body>\n</html>\n", f);
    rc = out_close(o, 1, err);
out:
    free(days);
    free(eq);
    free(dd);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The files on two threads                                                 */

int tc__report_threads = 2;
const char *tc__report_full = NULL;

/* The files in the order of the sequential writer: when several fail, the
 * first of them in this order is the error returned, the files before it
 * are in place and none after it. */
enum { F_SUMMARY, F_FILLS, F_TRADES, F_EQUITY, F_HTML, F_N };

/* The files' names, in that order. */
static const char *const names[F_N] = {"summary.json", "fills.csv", "trades.csv", "equity.csv",
                                       "report.html"};

int tc__report_check(const char *dir, struct tc_error *err)
{
    struct stat st;
    if (!dir || !*dir)
        return tc_error_set(err, TC_EINVAL, "report folder: empty path");
    if (stat(dir, &st) != 0)
        return errno == ENOENT ? 0
                               : tc_error_set(err, TC_EIO, "report folder \"%s\": %s", dir,
                                              strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return tc_error_set(err, TC_EIO, "report folder \"%s\": not a directory", dir);
    return check_targets(dir, names, F_N, err);
}

/* The order the threads take the files in: the longest first (for a run
 * of many fills and trades), so that the last one taken is short and the
 * two threads end close together. */
static const unsigned char take_order[F_N] = {F_TRADES, F_HTML, F_FILLS, F_EQUITY, F_SUMMARY};

/* One report being written: the inputs, only read once the threads start,
 * and per file its output, its result and its error (each written by the
 * one thread that took that file). */
struct report {
    const char *dir, *title;
    json_t *params;
    const struct tc_run_result *r;
    const struct tc_metrics *m;
    atomic_uint next;     /* the next file to take, in take_order */
    atomic_int first_bad; /* lowest file failed so far; F_N: none */
    struct out out[F_N];
    int rc[F_N];
    struct tc_error err[F_N];
};

static int write_file(struct report *w, int k)
{
    struct out *o = &w->out[k];
    struct tc_error *e = &w->err[k];
    switch (k) {
    case F_SUMMARY: return write_summary(w->dir, w->title, w->params, w->r, w->m, o, e);
    case F_FILLS: return write_fills(w->dir, w->r, o, e);
    case F_TRADES: return write_trades(w->dir, w->r, o, e);
    case F_EQUITY: return write_equity(w->dir, w->r, o, e);
    default: return write_html(w->dir, w->title, w->r, w->m, o, e);
    }
}

/* Takes files until none is left; a file after one that already failed
 * (on either thread) is skipped: the sequential writer would not have
 * reached it. */
static void write_files(struct report *w)
{
    unsigned i;
    while ((i = atomic_fetch_add(&w->next, 1u)) < F_N) {
        const int k = take_order[i];
        if (atomic_load(&w->first_bad) < k)
            continue;
        if ((w->rc[k] = write_file(w, k)) != 0) {
            int bad = atomic_load(&w->first_bad);
            while (k < bad && !atomic_compare_exchange_weak(&w->first_bad, &bad, k))
                ;
        }
    }
}

static void *report_worker(void *arg)
{
    write_files(arg);
    return NULL;
}

/* Writes the files of W (on the caller and, when THREADS is 2 and it
 * starts, a worker thread); when every one is written, renames them into
 * place in order. When one failed, the first in order is the error (its
 * code and message to ERR) and every .tmp file is removed: no file is
 * replaced. */
static int write_all(struct report *w, int threads, struct tc_error *err)
{
    pthread_t tid;
    int started = 0, rc = 0;

    for (int k = 0; k < F_N; k++) {
        w->out[k].f = NULL;
        w->out[k].made = 0;
        w->rc[k] = 0;
        tc_error_clear(&w->err[k]);
    }
    atomic_init(&w->next, 0u);
    atomic_init(&w->first_bad, F_N);
    if (threads > 1)
        started = pthread_create(&tid, NULL, report_worker, w) == 0;
    write_files(w);
    if (started)
        pthread_join(tid, NULL);
    for (int k = 0; k < F_N && rc == 0; k++)
        if (w->rc[k] != 0) {
            rc = w->rc[k];
            if (err)
                *err = w->err[k];
        }
    for (int k = 0; k < F_N; k++) {
        if (rc != 0)
            out_discard(&w->out[k]);
        else
            rc = out_commit(&w->out[k], err);
    }
    return rc;
}

int tc_report_write(const char *dir, const char *title, const char *params_json,
                    const struct tc_run_result *r, const struct tc_metrics *m,
                    struct tc_error *err)
{
    json_t *params = NULL;
    int rc;

    if (!dir || !r || !m)
        return tc_error_set(err, TC_EINVAL, "report: NULL %s", !dir ? "folder" : !r ? "run" : "metrics");
    if (r->n_equity == 0 || !r->equity)
        return tc_error_set(err, TC_EINVAL, "report: empty equity curve");
    if ((r->n_fills > 0 && !r->fills) || (r->n_trades > 0 && !r->trades))
        return tc_error_set(err, TC_EINVAL, "report: NULL fills or trades array");
    if (!title)
        title = "backtest";
    json_t *probe = json_string(title);
    if (!probe)
        return tc_error_set(err, TC_EINVAL, "report title: not valid UTF-8");
    json_decref(probe);
    if (params_json) {
        json_error_t je;
        params = json_loads(params_json, JSON_REJECT_DUPLICATES, &je);
        if (!params)
            return tc_error_set(err, TC_EINVAL, "report parameters: not JSON: %s (column %d)", je.text,
                                je.column);
        if (!json_is_object(params)) {
            json_decref(params);
            return tc_error_set(err, TC_EINVAL, "report parameters: not a JSON object");
        }
    } else if (!(params = json_object())) {
        return tc_error_set(err, TC_ENOMEM, "report parameters: out of memory");
    }
    struct made_dirs made = {0};
    if ((rc = make_dirs(dir, &made, err)) == 0 && (rc = check_targets(dir, names, F_N, err)) == 0) {
        struct report w; /* set field by field: its path buffers need no zeros */
        w.dir = dir;
        w.title = title;
        w.params = params;
        w.r = r;
        w.m = m;
        rc = write_all(&w, tc__report_threads, err);
    }
    if (rc != 0)
        unmake_dirs(dir, &made);
    json_decref(params);
    return rc;
}
