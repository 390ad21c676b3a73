/* One CSV line at a time through libcsv (csv_line.h). */
#include <string.h>

#include "market/csv_line.h"
#include "tradecore/error.h"
#include "internal/banned.h"

static void on_field(void *data, size_t len, void *ud)
{
    struct tc__csv_line *l = ud;
    if (l->nf < TC__CSV_MAXF && l->used + len + 1 <= l->cap) {
        memcpy(l->buf + l->used, data, len);
        l->buf[l->used + len] = '\0';
        l->f[l->nf].off = l->used;
        l->f[l->nf].len = len;
        l->used += len + 1;
    }
    l->nf++;
}

static void on_record(int c, void *ud)
{
    (void)c;
    (void)ud;
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

int tc__csv_line_open(struct tc__csv_line *l, char *buf, size_t cap)
{
    memset(l, 0, sizeof(*l));
    l->buf = buf;
    l->cap = cap;
    if (csv_init(&l->csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return TC_ENOMEM;
    csv_set_space_func(&l->csv, no_space);
    l->ok = 1;
    return 0;
}

void tc__csv_line_close(struct tc__csv_line *l)
{
    if (l->ok)
        csv_free(&l->csv);
    l->ok = 0;
}

int tc__csv_line_split(struct tc__csv_line *l, const char *s, size_t len)
{
    l->nf = 0;
    l->used = 0;
    if (!l->ok)
        return TC_ENOMEM;
    size_t used = csv_parse(&l->csv, s, len, on_field, on_record, l);
    int bad = used != len;
    if (csv_fini(&l->csv, on_field, on_record, l) != 0)
        bad = 1;
    if (!bad)
        return 0;
    /* strict mode leaves the parser in an error state: start a fresh one */
    char *buf = l->buf;
    size_t cap = l->cap;
    tc__csv_line_close(l);
    return tc__csv_line_open(l, buf, cap) != 0 ? TC_ENOMEM : -1;
}
