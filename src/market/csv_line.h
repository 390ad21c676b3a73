/* One CSV line at a time through libcsv (strict quoting, spaces kept as
 * data): the line's fields copied NUL-terminated into the caller's buffer.
 * Shared by the price reader (ingest.c) and the corporate actions and FX
 * rates reader (actions.c). Internal: not installed. */
#ifndef TC_MARKET_CSV_LINE_H
#define TC_MARKET_CSV_LINE_H

#include <csv.h>
#include <stddef.h>

#define TC__CSV_MAXF 16 /* fields kept from a line; more are only counted */

struct tc__csv_field {
    size_t off, len; /* in the buffer */
};

struct tc__csv_line {
    struct csv_parser csv;
    int ok;             /* CSV is initialised */
    char *buf;          /* the caller's, CAP bytes: the fields, each NUL-terminated */
    size_t cap, used;
    struct tc__csv_field f[TC__CSV_MAXF];
    int nf;             /* fields of the last line (may exceed TC__CSV_MAXF) */
};

/* Sets L up to write into BUF (CAP bytes: a line's length plus one byte per
 * field suffices). 0, or TC_ENOMEM (L is then closed). */
int tc__csv_line_open(struct tc__csv_line *l, char *buf, size_t cap);
void tc__csv_line_close(struct tc__csv_line *l); /* idempotent */

/* Splits the LEN bytes of S (no line end) into L's fields. 0; -1 for
 * malformed quoting (the parser is made ready for the next line); TC_ENOMEM
 * when it cannot be. A field that does not fit the buffer is counted but
 * not kept. */
int tc__csv_line_split(struct tc__csv_line *l, const char *s, size_t len);

#endif
