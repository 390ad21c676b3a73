/*
 * Bounded string copies for hot paths, where snprintf(buf, cap, "%s", s)
 * would parse a format for every id copied (strcpy and strncpy are banned:
 * internal/banned.h). Each behaves exactly as the snprintf call it names:
 * at most CAP - 1 bytes are written, then a NUL (nothing at all when CAP is
 * 0), and the result is what the full text would have needed.
 *
 * Thread-safety: pure functions.
 */
#ifndef TC_CORE_STR_H
#define TC_CORE_STR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * snprintf(BUF, CAP, "%s", S): copies S into BUF of CAP bytes, truncated to
 * CAP - 1 bytes. Returns strlen(S) (>= CAP: it was truncated). S must not
 * overlap BUF.
 */
size_t tc__str_copy(char *buf, size_t cap, const char *s);

/*
 * snprintf(BUF, CAP, "%s%s%llu", S, SEP, V): S, then SEP, then V in decimal,
 * truncated as above. Returns the length of the whole text.
 */
size_t tc__str_join_u64(char *buf, size_t cap, const char *s, const char *sep, uint64_t v);

/*
 * Appending, for a text of several parts: AT is the length of the text so
 * far (what the earlier calls returned, 0 for the first), BUF holds it as
 * written by them. tc__str_cat appends S, tc__str_cat_u64 appends V in
 * decimal; both return the new length. A chain of them starting at 0 leaves
 * BUF and the final length exactly as one snprintf of the whole text
 * ("%s%s%llu...") would.
 */
/*
 * A 64-bit hash of S for hash maps that use its low bits: eight bytes at a
 * time, fully mixed. Not stable across versions: never store it.
 */
uint64_t tc__str_hash(const char *s);

size_t tc__str_cat(char *buf, size_t cap, size_t at, const char *s);
size_t tc__str_cat_u64(char *buf, size_t cap, size_t at, uint64_t v);

/* "00" "01" ... "99": two digits a step. */
extern const char tc__str_two_digits[201];

/* V in decimal written to end just before END (20 bytes suffice, no NUL);
 * returns where it starts. */
static inline char *tc__str_u64_rev(char *end, uint64_t v)
{
    while (v >= 100) {
        const unsigned r = (unsigned)(v % 100);
        v /= 100;
        end -= 2;
        memcpy(end, tc__str_two_digits + 2 * r, 2);
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, tc__str_two_digits + 2 * v, 2);
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

#endif
