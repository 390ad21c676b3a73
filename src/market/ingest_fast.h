/* A fast path for the price CSV reader (ingest.c), for the plain numeric
 * files that benchmarks and generators write: lines without quotes split on
 * commas by hand instead of through libcsv, and plain decimals and whole
 * numbers parsed by hand instead of through the general grammar. Each
 * helper either gives exactly what the general code would, or declines (1)
 * and the general code runs: rows, series and errors are the same either way
 * (tests/test_ingest_fast.c compares both on a table of good and bad rows).
 * Not public. */
#ifndef TC_MARKET_INGEST_FAST_H
#define TC_MARKET_INGEST_FAST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "tradecore/bars.h"
#include "tradecore/dec.h"

/* Zero bytes after a file's text in memory (the in-place parsers below
 * read past its end). */
#define TC__PRICES_PAD 32

/* A regular file of at least this many bytes is mapped, not read (below
 * it, the system calls of a mapping cost more than the copy they save). */
#define TC__PRICES_MAP_MIN (64 * 1024)

/*
 * The regular file FD's first SIZE bytes (SIZE >= TC__PRICES_MAP_MIN)
 * read-only in memory without a copy, followed by at least TC__PRICES_PAD
 * zero bytes, as the reader's read() of a whole file gives them: the bytes
 * after SIZE are zeros even when SIZE is a page multiple or the file is
 * longer than SIZE. ST is FD's fstat(), taken by the caller (the reader
 * has it already: the map does not ask the system again). *SPAN gets the
 * length to munmap() the result with. NULL (nothing left mapped) when SIZE
 * is below TC__PRICES_MAP_MIN, ST is not a regular file's or its size is
 * below SIZE, or a step fails, the file being shorter than SIZE included:
 * the caller reads the file instead. A file cut shorter while it is mapped
 * faults on the pages lost, as with any mapped file.
 */
char *tc__prices_map(int fd, const struct stat *st, size_t size, size_t *span);

/* How many bytes of mapped files tc_prices_load_csv_many may leave mapped
 * until its threads are done (ingest.c: an unmapping while other threads
 * run interrupts their processors); a file beyond is unmapped at once. For
 * tests: set it before any reading starts, never concurrently. */
#define TC__PRICES_DEFER_MAX ((size_t)1 << 30)
extern size_t tc__prices_defer_max;

/* 1 (default): use the fast path; 0: always the general code. For tests
 * that compare both; set it before any reading starts, never concurrently. */
extern int tc__prices_fast;

/*
 * Splits LEN bytes of S on commas into FBUF (CAP bytes; each field copied
 * and NUL-terminated), OFF/LEN of up to MAXF fields, *NF the number of
 * fields seen (it may exceed MAXF, as with libcsv). Declines (returns 1,
 * nothing to trust) when S holds a quote or a CR (libcsv's business) or
 * when the fields do not fit in FBUF; 0 when done.
 */
int tc__csv_split_plain(const char *s, size_t len, char *fbuf, size_t cap, size_t *off,
                        size_t *flen, int maxf, int *nf);

/* "digits[.digits]" with 1..10 integer digits and 1..8 fractional ones (or
 * none, without the point) into *OUT: 0; anything else declines (1). */
int tc__dec_parse_plain(const char *s, size_t n, struct tc_dec *out);

/* 1..18 digits into *OUT: 0; anything else declines (1). */
int tc__whole_parse_plain(const char *s, size_t n, int64_t *out);

/* The last month a date was parsed in, so that the rows of one month (most
 * of a daily file) cost no calendar arithmetic. Zero it before the first
 * row (tc__prices_row_plain fills it). */
struct tc__day_cache {
    int ym;          /* year * 100 + month (0 with mdays 0: none) */
    uint64_t key;    /* "YYYY-MM-" of that month as read (tc__prices_line_plain);
                        UINT64_MAX (never read) when unknown */
    int mdays;       /* days in that month */
    int64_t first;   /* tc_days_from_civil of its first day */
};

/*
 * One whole data row of a one-symbol file, parsed in place (LEN bytes of S,
 * no CR, not NUL-terminated; S[LEN] must be there and not be a digit, as
 * the newline, CR or zero padding after a line read in place is; up to 8
 * bytes past S + LEN may be read, so the caller's buffer holds that much): "YYYY-MM-DD,open,high,low,close,
 * adj,volume" (YAHOO != 0) or "YYYY-MM-DD,open,high,low,close,volume,oi"
 * (YAHOO == 0). 0 when every field is what the split and parsers above
 * accept and the row keeps the price rules (prices > 0, low <= open, close
 * <= high): *OUT is the bar the general code would make (adj close = close
 * in the second form). Anything else declines (1) and the general code
 * judges the row; the date order is the caller's.
 */
int tc__prices_row_plain(const char *s, size_t len, int yahoo, struct tc__day_cache *dc,
                         struct tc_bar *out);

/*
 * One whole data row of a one-symbol file in place, as tc__prices_row_plain
 * judges it, with its line end found here rather than before: the row at S
 * runs up to '\n', "\r\n", or END (after a final '\r' or not), and *NEXT is
 * set past it (END for the last line). S < END; the buffer must hold at
 * least 16 zero bytes at END (a field is read up to 16 bytes at a time
 * from up to 7 bytes before it, which are the line's, and a zero byte ends
 * a number). 0: *OUT is the bar the general code would make; 1 declines
 * (the general code then judges the line, found with memchr). Digits are
 * checked and combined 8 or 16 at a time (prices of six decimals with SSE2
 * where the compiler has it; with SSE2, a Yahoo line whose five prices have
 * the same integer length is checked 80 bytes at a time and valued two
 * numbers at a time); integer parts of 8..10 digits go through
 * tc__dec_parse_plain on the field.
 */
int tc__prices_line_plain(const char *s, const char *end, int yahoo, struct tc__day_cache *dc,
                          struct tc_bar *out, const char **next);

/*
 * Whole lines from *S on, each as tc__prices_line_plain judges it, stored
 * at the end of SER (all eight columns, the adj close of the second form
 * the close, open interest 0 in the first, as the general reader stores
 * them) while SER has room (n < cap), each day is after the one before it
 * (and after SER's last), and the text is not used up (*S < END); after a
 * line that ends at or past STOP (when not NULL: the caller reports
 * progress there) it stops too. LINES (NULL: none kept) gets LINE + 1,
 * LINE + 2, ... at the indexes of the bars stored (the file lines when LINE
 * is the line before *S). Returns the number of bars stored, with *S past
 * the last of them; a line declined (or out of order) is left at *S for the
 * general code. Same buffer rules as tc__prices_line_plain.
 */
size_t tc__prices_lines_plain(const char **s, const char *end, const char *stop, int yahoo,
                              struct tc__day_cache *dc, struct tc_bar_series *ser, long *lines,
                              long line);

#endif
