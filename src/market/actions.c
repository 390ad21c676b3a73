/* Corporate actions and daily FX rates (actions.h): their CSV files read line
 * by line (libcsv splits each line), every row checked before the store is
 * touched, then stored in one transaction per file, each row inserted or
 * found already stored with the same values; and the reads back, for the
 * TimeMachine's adjusted prices and for conversions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/grow.h"
#include "market/csv_line.h"
#include "market/prices_internal.h"
#include "tradecore/actions.h"
#include "tradecore/id.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

enum file_kind { ACTIONS, FX };

/* The columns of each kind of file, in the order the row checks use them. */
static const char *const action_cols[] = {"symbol", "ex_date", "kind", "value", "currency"};
static const char *const fx_cols[] = {"date", "base", "quote", "rate"};
#define N_ACTION_COLS 5
#define N_FX_COLS 4

/* One checked data row. Actions: A is the symbol, CA_KIND the action;
 * FX: A is the base, QUOTE the quote. SYM numbers A among the file's
 * distinct values of A (0..nsym-1, in sorted order; set by
 * find_duplicates). */
struct row {
    int64_t line, day;
    size_t sym;
    char a[TC_REFDATA_ID_MAX];
    char quote[4];
    char currency[4]; /* actions: "" when none */
    enum tc_corp_action_kind ca_kind;
    struct tc_dec value;
};

struct file {
    const char *path;
    enum file_kind kind;
    FILE *fp;
    char *line;
    size_t line_cap;
    int64_t lineno;
    /* the current line's fields, NUL-terminated in FBUF */
    char fbuf[TC_ACTIONS_LINE_MAX + TC__CSV_MAXF + 1];
    struct tc__csv_line cl;
    /* the header: the field index of each column (-1: absent), its width */
    int col[N_ACTION_COLS];
    int ncols;
    /* the checked rows; NSYM distinct values of their A */
    struct row *rows;
    size_t n, cap, nsym;
};

/* ------------------------------------------------------------------------ */
/* Reading                                                                    */

static int line_error(struct file *f, struct tc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "<file>:<line>: <problem>" */
static int line_error(struct file *f, struct tc_error *err, int code, const char *fmt, ...)
{
    char msg[TC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tc_error_set(err, code, "%s:%lld: %s", f->path, (long long)f->lineno, msg);
}

/*
 * The next line that is not blank, split into fields: 1, or 0 at the end of
 * the file, or a negative code (a line too long, a NUL byte, bad quoting, a
 * read error).
 */
static int next_line(struct file *f, struct tc_error *err)
{
    for (;;) {
        errno = 0;
        ssize_t got = getline(&f->line, &f->line_cap, f->fp);
        if (got < 0) {
            if (ferror(f->fp))
                return tc_error_set(err, TC_EIO, "%s: cannot read: %s", f->path,
                                    strerror(errno ? errno : EIO));
            return 0;
        }
        f->lineno++;
        size_t len = (size_t)got;
        if (len && f->line[len - 1] == '\n')
            len--;
        if (len && f->line[len - 1] == '\r')
            len--;
        if (f->lineno == 1 && len >= 3 && memcmp(f->line, "\xEF\xBB\xBF", 3) == 0) {
            memmove(f->line, f->line + 3, len - 3); /* a UTF-8 byte order mark */
            len -= 3;
        }
        if (len > TC_ACTIONS_LINE_MAX)
            return line_error(f, err, TC_EPARSE, "line is longer than %d bytes",
                              TC_ACTIONS_LINE_MAX);
        if (memchr(f->line, '\0', len))
            return line_error(f, err, TC_EPARSE, "line contains a NUL byte");
        if (len == 0)
            continue;
        int rc = tc__csv_line_split(&f->cl, f->line, len);
        if (rc == TC_ENOMEM)
            return tc_error_set(err, TC_ENOMEM, "%s: out of memory", f->path);
        if (rc != 0)
            return line_error(f, err, TC_EPARSE, "malformed quoting");
        return 1;
    }
}

static const char *fv(const struct file *f, int col)
{
    return f->fbuf + f->cl.f[f->col[col]].off;
}
static size_t fl(const struct file *f, int col) { return f->cl.f[f->col[col]].len; }

/* The header line: which field holds each column. */
static int read_header(struct file *f, struct tc_error *err)
{
    const char *const *names = f->kind == ACTIONS ? action_cols : fx_cols;
    int ncol = f->kind == ACTIONS ? N_ACTION_COLS : N_FX_COLS;
    const char *expect = f->kind == ACTIONS ? "symbol,ex_date,kind,value[,currency]"
                                            : "date,base,quote,rate";
    int rc = next_line(f, err);

    if (rc < 0)
        return rc;
    if (rc == 0)
        return tc_error_set(err, TC_EPARSE, "%s: file is empty (expected the header %s)", f->path,
                            expect);
    if (f->cl.nf > TC__CSV_MAXF)
        return line_error(f, err, TC_EPARSE, "header has %d fields (expected %s)", f->cl.nf,
                          expect);
    for (int c = 0; c < ncol; c++)
        f->col[c] = -1;
    f->ncols = f->cl.nf;
    for (int i = 0; i < f->cl.nf; i++) {
        const char *s = f->fbuf + f->cl.f[i].off;
        size_t n = f->cl.f[i].len;
        while (n && *s == ' ')
            s++, n--;
        while (n && s[n - 1] == ' ')
            n--;
        int c = 0;
        while (c < ncol && !(strlen(names[c]) == n && strncasecmp(names[c], s, n) == 0))
            c++;
        if (c == ncol)
            return line_error(f, err, TC_EPARSE, "unknown column \"%.*s\" (expected %s)",
                              (int)(n > 40 ? 40 : n), s, expect);
        if (f->col[c] >= 0)
            return line_error(f, err, TC_EPARSE, "column \"%s\" is given twice", names[c]);
        f->col[c] = i;
    }
    for (int c = 0; c < ncol; c++)
        if (f->col[c] < 0 && !(f->kind == ACTIONS && c == 4))
            return line_error(f, err, TC_EPARSE, "missing column \"%s\" (expected %s)", names[c],
                              expect);
    return 0;
}

/* Three upper-case letters. */
static int is_ccy(const char *s, size_t n)
{
    return n == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' &&
           s[2] <= 'Z';
}

static int check_date(struct file *f, int col, int64_t *day, struct tc_error *err)
{
    const char *s = fv(f, col);
    size_t n = fl(f, col);
    if (tc__prices_parse_day(s, n, day) != 0)
        return line_error(f, err, TC_EINVAL, "%s \"%.*s\" is not a real YYYY-MM-DD date",
                          f->kind == ACTIONS ? "ex_date" : "date", (int)(n > 40 ? 40 : n), s);
    return 0;
}

/* A decimal above 0 in column COL, called WHAT in messages. */
static int check_positive(struct file *f, int col, const char *what, struct tc_dec *out,
                          struct tc_error *err)
{
    struct tc_error e = {0};
    char txt[TC_DEC_STRLEN];
    if (tc_dec_parse(fv(f, col), fl(f, col), out, &e) != 0)
        return line_error(f, err, e.code, "%s: %s", what, e.msg);
    if (tc_dec_sign(*out) <= 0) {
        tc_dec_format(*out, txt, sizeof txt);
        return line_error(f, err, TC_EINVAL, "%s %s must be above 0", what, txt);
    }
    return 0;
}

static int check_ccy(struct file *f, int col, const char *what, char *out, struct tc_error *err)
{
    const char *s = fv(f, col);
    size_t n = fl(f, col);
    if (!is_ccy(s, n))
        return line_error(f, err, TC_EINVAL, "%s \"%.*s\" is not three upper-case letters", what,
                          (int)(n > 40 ? 40 : n), s);
    memcpy(out, s, 4);
    return 0;
}

static int check_action(struct file *f, struct row *r, struct tc_error *err)
{
    const char *sym = fv(f, 0), *kind = fv(f, 2);
    size_t nsym = fl(f, 0), nkind = fl(f, 2);
    struct tc_error e = {0};
    int rc;

    if (nsym >= sizeof r->a || tc_id_validate("symbol", sym, &e) != 0)
        return line_error(f, err, TC_EINVAL, "%s",
                          nsym >= sizeof r->a ? "symbol is longer than 64 characters" : e.msg);
    memcpy(r->a, sym, nsym + 1);
    if ((rc = check_date(f, 1, &r->day, err)) != 0)
        return rc;
    if (nkind == 5 && strncasecmp(kind, "SPLIT", 5) == 0)
        r->ca_kind = TC_CA_SPLIT;
    else if (nkind == 8 && strncasecmp(kind, "DIVIDEND", 8) == 0)
        r->ca_kind = TC_CA_DIVIDEND;
    else
        return line_error(f, err, TC_EINVAL, "kind \"%.*s\" is not SPLIT or DIVIDEND",
                          (int)(nkind > 40 ? 40 : nkind), kind);
    int split = r->ca_kind == TC_CA_SPLIT;
    if ((rc = check_positive(f, 3, split ? "split ratio" : "dividend amount", &r->value, err)) !=
        0)
        return rc;
    if (split && r->value.raw == 100000000) /* 1 */
        return line_error(f, err, TC_EINVAL, "split ratio 1 changes nothing");
    r->currency[0] = '\0';
    if (f->col[4] >= 0 && fl(f, 4) > 0) {
        if (split)
            return line_error(f, err, TC_EINVAL, "a SPLIT has no currency (\"%.*s\" given)",
                              (int)(fl(f, 4) > 40 ? 40 : fl(f, 4)), fv(f, 4));
        if ((rc = check_ccy(f, 4, "currency", r->currency, err)) != 0)
            return rc;
    }
    return 0;
}

static int check_fx(struct file *f, struct row *r, struct tc_error *err)
{
    int rc;
    if ((rc = check_date(f, 0, &r->day, err)) != 0 ||
        (rc = check_ccy(f, 1, "base", r->a, err)) != 0 ||
        (rc = check_ccy(f, 2, "quote", r->quote, err)) != 0)
        return rc;
    if (strcmp(r->a, r->quote) == 0)
        return line_error(f, err, TC_EINVAL, "base and quote are both %s", r->a);
    return check_positive(f, 3, "rate", &r->value, err);
}

static const char *kind_name(enum tc_corp_action_kind k)
{
    return k == TC_CA_SPLIT ? "SPLIT" : "DIVIDEND";
}

/* Orders rows by key, then line (a duplicate's first line comes first). */
static int key_cmp(const struct row *x, const struct row *y)
{
    int c = strcmp(x->a, y->a);
    if (c == 0)
        c = strcmp(x->quote, y->quote);
    if (c == 0)
        c = x->day < y->day ? -1 : x->day > y->day;
    if (c == 0)
        c = (int)x->ca_kind - (int)y->ca_kind;
    return c;
}

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;
    int c = key_cmp(x, y);
    return c ? c : (x->line < y->line ? -1 : x->line > y->line);
}

/* A key given twice: the error names the later line with the smallest number
 * and the first line of its key. Each row's SYM numbered on the way (the
 * sort puts equal symbols together), and F->nsym set. */
static int find_duplicates(struct file *f, struct tc_error *err)
{
    f->nsym = f->n;
    if (f->n < 2)
        return 0;
    struct row **ix = malloc(f->n * sizeof(*ix));
    if (!ix)
        return tc_error_set(err, TC_ENOMEM, "%s: out of memory", f->path);
    for (size_t i = 0; i < f->n; i++)
        ix[i] = &f->rows[i];
    qsort(ix, f->n, sizeof(*ix), row_cmp);
    const struct row *dup = NULL, *first = NULL;
    size_t sym = 0;
    ix[0]->sym = 0;
    for (size_t i = 1, start = 0; i < f->n; i++) {
        if (strcmp(ix[i]->a, ix[i - 1]->a) != 0)
            sym++;
        ix[i]->sym = sym;
        if (key_cmp(ix[i], ix[start]) != 0) {
            start = i;
            continue;
        }
        if (!dup || ix[i]->line < dup->line) {
            dup = ix[i];
            first = ix[start];
        }
    }
    free(ix);
    f->nsym = sym + 1;
    if (!dup)
        return 0;
    char day[TC_DATE_STRLEN];
    tc__prices_day_text(dup->day, day, sizeof day);
    f->lineno = dup->line;
    if (f->kind == ACTIONS)
        return line_error(f, err, TC_EINVAL, "duplicate %s of %s on %s (first on line %lld)",
                          kind_name(dup->ca_kind), dup->a, day, (long long)first->line);
    return line_error(f, err, TC_EINVAL, "duplicate rate %s/%s on %s (first on line %lld)",
                      dup->a, dup->quote, day, (long long)first->line);
}

/* Reads and checks the whole file into F->rows. */
static int read_file(struct file *f, struct tc_error *err)
{
    int rc;
    if (!(f->fp = fopen(f->path, "rb")))
        return tc_error_set(err, TC_EIO, "%s: cannot open: %s", f->path, strerror(errno));
    if (tc__csv_line_open(&f->cl, f->fbuf, sizeof f->fbuf) != 0)
        return tc_error_set(err, TC_ENOMEM, "%s: out of memory", f->path);
    if ((rc = read_header(f, err)) != 0)
        return rc;
    while ((rc = next_line(f, err)) == 1) {
        if (f->cl.nf != f->ncols)
            return line_error(f, err, TC_EPARSE, "%d fields, the header has %d", f->cl.nf,
                              f->ncols);
        if (tc__grow((void **)&f->rows, &f->cap, f->n, sizeof(*f->rows), 64) != 0)
            return tc_error_set(err, TC_ENOMEM, "%s: out of memory", f->path);
        struct row *r = &f->rows[f->n];
        memset(r, 0, sizeof(*r));
        r->line = f->lineno;
        if ((rc = f->kind == ACTIONS ? check_action(f, r, err) : check_fx(f, r, err)) != 0)
            return rc;
        f->n++;
    }
    if (rc < 0)
        return rc;
    return find_duplicates(f, err);
}

static void file_release(struct file *f)
{
    if (f->fp)
        fclose(f->fp);
    tc__csv_line_close(&f->cl);
    free(f->line);
    free(f->rows);
}

/* ------------------------------------------------------------------------ */
/* Storing                                                                    */

/* A symbol's instrument, resolved in the transaction run numbered RUN (0:
 * not yet resolved). */
struct resolved {
    unsigned run;
    char id[TC_REFDATA_ID_MAX];
};

struct store_ctx {
    struct file *f;
    const char *market_id, *source;
    int64_t now;
    struct tc_actions_summary sum;
    struct resolved *res; /* by row SYM: f->nsym */
    unsigned run;         /* the transaction's runs so far */
    /* the stored row of the current key */
    int found;
    struct tc_dec stored;
    char stored_ccy[4];
};

static int stored_action(const struct tc_row *row, void *ud)
{
    struct store_ctx *c = ud;
    const char *ccy = NULL;
    c->found = 1;
    c->stored_ccy[0] = '\0';
    if ((tc_row_is_null(row, 0) ? tc_row_dec(row, 1, &c->stored) : tc_row_dec(row, 0, &c->stored)) !=
        0)
        return TC_ESTATE;
    if (!tc_row_is_null(row, 2)) {
        if (tc_row_text(row, 2, &ccy) != 0)
            return TC_ESTATE;
        snprintf(c->stored_ccy, sizeof c->stored_ccy, "%s", ccy);
    }
    return 0;
}

static int stored_rate(const struct tc_row *row, void *ud)
{
    struct store_ctx *c = ud;
    c->found = 1;
    return tc_row_dec(row, 0, &c->stored) != 0 ? TC_ESTATE : 0;
}

/* The instrument of row R's symbol, resolved once per transaction run (the
 * symbol's slot found by its number, not by a search). */
static int resolve(struct tc_txn *tx, struct store_ctx *c, const struct row *r, const char **id,
                   struct tc_error *err)
{
    struct resolved *x = &c->res[r->sym];
    if (x->run != c->run) {
        int rc = tc__prices_resolve(tx, r->a, c->market_id, x->id, err);
        if (rc != 0)
            return rc;
        x->run = c->run;
    }
    *id = x->id;
    return 0;
}

/* Row R: inserted, or already stored with the same values, or a conflict. */
static int store_action(struct tc_txn *tx, struct store_ctx *c, const struct row *r,
                        struct tc_error *err)
{
    char day[TC_DATE_STRLEN], was[TC_DEC_STRLEN], now[TC_DEC_STRLEN];
    const char *id = NULL, *kind = kind_name(r->ca_kind);
    int split = r->ca_kind == TC_CA_SPLIT, rc;

    c->f->lineno = r->line;
    if ((rc = resolve(tx, c, r, &id, err)) != 0)
        return rc == TC_ENOMEM ? rc : tc_error_prefix(err, "%s:%lld", c->f->path,
                                                       (long long)r->line);
    tc__prices_day_text(r->day, day, sizeof day);
    struct tc_val k[3] = {TC_V_TEXT(id), TC_V_TEXT(day), TC_V_TEXT(kind)};
    c->found = 0;
    if ((rc = tc_txn_exec(tx,
                          "SELECT ratio, amount, currency FROM corporate_actions "
                          "WHERE instrument_id = $1 AND ex_date = $2 AND kind = $3",
                          k, 3, stored_action, c, NULL, err)) != 0)
        return rc == TC_ESTATE ? line_error(c->f, err, TC_ESTATE,
                                            "the stored %s of %s on %s does not parse", kind,
                                            r->a, day)
                               : rc;
    if (c->found) {
        if (tc_dec_cmp(c->stored, r->value) == 0 && strcmp(c->stored_ccy, r->currency) == 0) {
            c->sum.unchanged++;
            return 0;
        }
        tc_dec_format(c->stored, was, sizeof was);
        tc_dec_format(r->value, now, sizeof now);
        return line_error(c->f, err, TC_ECONFLICT,
                          "%s of %s on %s is stored with %s %s%s%s, the file says %s%s%s", kind,
                          r->a, day, split ? "ratio" : "amount", was, *c->stored_ccy ? " " : "",
                          c->stored_ccy, now, *r->currency ? " " : "", r->currency);
    }
    struct tc_val p[8] = {TC_V_TEXT(id),
                          TC_V_TEXT(day),
                          TC_V_TEXT(kind),
                          split ? TC_V_DEC(r->value) : TC_V_NULL,
                          split ? TC_V_NULL : TC_V_DEC(r->value),
                          *r->currency ? TC_V_TEXT(r->currency) : TC_V_NULL,
                          TC_V_TEXT(c->source),
                          TC_V_TIME(c->now)};
    if ((rc = tc_txn_exec(tx,
                          "INSERT INTO corporate_actions (instrument_id, ex_date, kind, ratio, "
                          "amount, currency, source, created_at) "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                          p, 8, NULL, NULL, NULL, err)) != 0)
        return rc;
    c->sum.inserted++;
    return 0;
}

static int store_rate(struct tc_txn *tx, struct store_ctx *c, const struct row *r,
                      struct tc_error *err)
{
    char day[TC_DATE_STRLEN], was[TC_DEC_STRLEN], now[TC_DEC_STRLEN];
    int rc;

    c->f->lineno = r->line;
    tc__prices_day_text(r->day, day, sizeof day);
    struct tc_val k[3] = {TC_V_TEXT(r->a), TC_V_TEXT(r->quote), TC_V_TEXT(day)};
    c->found = 0;
    if ((rc = tc_txn_exec(tx,
                          "SELECT rate FROM fx_rates_daily "
                          "WHERE base = $1 AND quote = $2 AND rate_date = $3",
                          k, 3, stored_rate, c, NULL, err)) != 0)
        return rc == TC_ESTATE ? line_error(c->f, err, TC_ESTATE,
                                            "the stored rate %s/%s on %s does not parse", r->a,
                                            r->quote, day)
                               : rc;
    if (c->found) {
        if (tc_dec_cmp(c->stored, r->value) == 0) {
            c->sum.unchanged++;
            return 0;
        }
        tc_dec_format(c->stored, was, sizeof was);
        tc_dec_format(r->value, now, sizeof now);
        return line_error(c->f, err, TC_ECONFLICT,
                          "rate %s/%s on %s is stored as %s, the file says %s", r->a, r->quote,
                          day, was, now);
    }
    struct tc_val p[6] = {TC_V_TEXT(r->a),   TC_V_TEXT(r->quote),  TC_V_TEXT(day),
                          TC_V_DEC(r->value), TC_V_TEXT(c->source), TC_V_TIME(c->now)};
    if ((rc = tc_txn_exec(tx,
                          "INSERT INTO fx_rates_daily (base, quote, rate_date, rate, source, "
                          "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                          p, 6, NULL, NULL, NULL, err)) != 0)
        return rc;
    c->sum.inserted++;
    return 0;
}

/* The transaction: safe to rerun (it starts over from the checked rows). */
static int store_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct store_ctx *c = ud;
    int rc;
    memset(&c->sum, 0, sizeof c->sum);
    c->run++; /* a rerun resolves every symbol again */
    for (size_t i = 0; i < c->f->n; i++) {
        const struct row *r = &c->f->rows[i];
        if ((rc = c->f->kind == ACTIONS ? store_action(tx, c, r, err) : store_rate(tx, c, r, err)) !=
            0)
            return rc;
        c->sum.rows++;
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int ingest(struct tc_store *s, const char *path, enum file_kind kind,
                  const char *market_id, const struct tc_clock *clock,
                  struct tc_actions_summary *out, struct tc_error *err)
{
    struct file *f;
    struct store_ctx c;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!s || !path)
        return tc_error_set(err, TC_EINVAL, "%s ingest: NULL store or path",
                            kind == ACTIONS ? "corporate actions" : "fx rates");
    if (market_id && (rc = tc_id_validate("market", market_id, err)) != 0)
        return rc;
    if (!(f = calloc(1, sizeof(*f))))
        return tc_error_set(err, TC_ENOMEM, "%s: out of memory", path);
    f->path = path;
    f->kind = kind;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.market_id = market_id;
    c.source = base_name(path);
    c.now = tc_clock_now(clock);
    if (!*c.source || strlen(c.source) > 255)
        rc = tc_error_set(err, TC_EINVAL, "%s: the file name must be 1..255 bytes", path);
    else if ((rc = read_file(f, err)) == 0 && kind == ACTIONS && f->nsym &&
             !(c.res = calloc(f->nsym, sizeof(*c.res))))
        rc = tc_error_set(err, TC_ENOMEM, "%s: out of memory", path);
    if (rc == 0 && (rc = tc_store_txn(s, TC_TXN_WRITE, store_fn, &c, err)) == 0 && out)
        *out = c.sum;
    free(c.res);
    file_release(f);
    free(f);
    return rc;
}

int tc_actions_ingest_csv(struct tc_store *s, const char *path, const char *market_id,
                          const struct tc_clock *clock, struct tc_actions_summary *out,
                          struct tc_error *err)
{
    return ingest(s, path, ACTIONS, market_id, clock, out, err);
}

int tc_fx_ingest_csv(struct tc_store *s, const char *path, const struct tc_clock *clock,
                     struct tc_actions_summary *out, struct tc_error *err)
{
    return ingest(s, path, FX, NULL, clock, out, err);
}

/* ------------------------------------------------------------------------ */
/* Reading back                                                               */

struct load_ctx {
    struct tc_corp_action *v;
    size_t n, cap;
    int bad; /* TC_ENOMEM or TC_ESTATE */
};

static int load_row(const struct tc_row *row, void *ud)
{
    struct load_ctx *c = ud;
    const char *day = NULL, *kind = NULL;
    struct tc_corp_action a;

    memset(&a, 0, sizeof a);
    if (tc_row_text(row, 0, &day) != 0 || tc_row_text(row, 1, &kind) != 0 ||
        tc__prices_parse_day(day, strlen(day), &a.ex_date) != 0)
        return c->bad = TC_ESTATE;
    if (strcmp(kind, "SPLIT") == 0) {
        a.kind = TC_CA_SPLIT;
        if (tc_row_dec(row, 2, &a.ratio) != 0)
            return c->bad = TC_ESTATE;
    } else if (strcmp(kind, "DIVIDEND") == 0) {
        a.kind = TC_CA_DIVIDEND;
        if (tc_row_dec(row, 3, &a.amount) != 0)
            return c->bad = TC_ESTATE;
    } else {
        return c->bad = TC_ESTATE;
    }
    if (tc__grow((void **)&c->v, &c->cap, c->n, sizeof(*c->v), 16) != 0)
        return c->bad = TC_ENOMEM;
    c->v[c->n++] = a;
    return 0;
}

int tc_actions_load(struct tc_store *s, const char *instrument_id, struct tc_corp_action **out,
                    size_t *n, struct tc_error *err)
{
    struct load_ctx c = {0};
    int rc;

    if (!out || !n)
        return tc_error_set(err, TC_EINVAL, "corporate actions: NULL output");
    *out = NULL;
    *n = 0;
    if (!s)
        return tc_error_set(err, TC_EINVAL, "corporate actions: NULL store");
    if ((rc = tc_id_validate("instrument", instrument_id, err)) != 0)
        return rc;
    struct tc_val p[1] = {TC_V_TEXT(instrument_id)};
    rc = tc_store_exec(s,
                       "SELECT ex_date, kind, ratio, amount FROM corporate_actions "
                       "WHERE instrument_id = $1 ORDER BY ex_date, kind DESC",
                       p, 1, load_row, &c, NULL, err);
    if (rc != 0) {
        free(c.v);
        if (c.bad == TC_ENOMEM)
            return tc_error_set(err, TC_ENOMEM, "corporate actions of \"%s\": out of memory",
                                instrument_id);
        if (c.bad == TC_ESTATE)
            return tc_error_set(err, TC_ESTATE,
                                "corporate actions of \"%s\": a stored row does not parse",
                                instrument_id);
        return rc;
    }
    *out = c.v;
    *n = c.n;
    return 0;
}

struct rate_ctx {
    int found, bad;
    int64_t day;
    struct tc_dec rate;
};

static int rate_row(const struct tc_row *row, void *ud)
{
    struct rate_ctx *c = ud;
    const char *day = NULL;
    if (tc_row_text(row, 0, &day) != 0 || tc__prices_parse_day(day, strlen(day), &c->day) != 0 ||
        tc_row_dec(row, 1, &c->rate) != 0)
        return c->bad = TC_ESTATE;
    c->found = 1;
    return 0;
}

int tc_fx_rate_get(struct tc_store *s, const char *base, const char *quote, int64_t day,
                   struct tc_dec *rate, int64_t *rate_day, struct tc_error *err)
{
    char d[TC_DATE_STRLEN];
    struct rate_ctx c = {0};
    int rc;

    if (!s || !rate)
        return tc_error_set(err, TC_EINVAL, "fx rate: NULL store or output");
    if (!base || !is_ccy(base, strlen(base)) || !quote || !is_ccy(quote, strlen(quote)))
        return tc_error_set(err, TC_EINVAL, "fx rate: \"%.40s\"/\"%.40s\" are not currencies "
                            "(three upper-case letters)", base ? base : "(null)",
                            quote ? quote : "(null)");
    if (strcmp(base, quote) == 0)
        return tc_error_set(err, TC_EINVAL, "fx rate: base and quote are both %s", base);
    tc__prices_day_text(day, d, sizeof d);
    struct tc_val p[3] = {TC_V_TEXT(base), TC_V_TEXT(quote), TC_V_TEXT(d)};
    rc = tc_store_exec(s,
                       "SELECT rate_date, rate FROM fx_rates_daily WHERE base = $1 AND "
                       "quote = $2 AND rate_date <= $3 ORDER BY rate_date DESC LIMIT 1",
                       p, 3, rate_row, &c, NULL, err);
    if (rc != 0)
        return c.bad ? tc_error_set(err, TC_ESTATE, "fx rate %s/%s: a stored row does not parse",
                                    base, quote)
                     : rc;
    if (!c.found)
        return tc_error_set(err, TC_ENOTFOUND, "fx rate %s/%s: none on or before %s", base,
                            quote, d);
    *rate = c.rate;
    if (rate_day)
        *rate_day = c.day;
    return 0;
}
