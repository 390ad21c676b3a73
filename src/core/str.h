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
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

/*
 * snprintf(BUF, CAP, "%s", S): copies S into BUF of CAP bytes, truncated to
 * CAP - 1 bytes. Returns strlen(S) (>= CAP: it was truncated). S must not
 * overlap BUF.
 */
size_t tc__str_copy(char *buf, size_t cap, const char *s);

/* 10^0 .. 10^19: every power of ten a uint64_t holds. */
extern const uint64_t tc__pow10[20];

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
size_t tc__str_cat(char *buf, size_t cap, size_t at, const char *s);
size_t tc__str_cat_u64(char *buf, size_t cap, size_t at, uint64_t v);

/*
 * A 64-bit hash of S for hash maps that use its low bits: eight bytes at a
 * time, fully mixed. Not stable across versions: never store it.
 */
uint64_t tc__str_hash(const char *s);

/*
 * strnlen(BUF, CAP) for a fixed-size text field whose CAP bytes are all
 * readable (bytes after the NUL count for nothing): the text's length, CAP
 * when the buffer holds no NUL. 16 bytes a step where SSE2 is there.
 */
static inline size_t tc__str_buf_len(const char *buf, size_t cap)
{
    size_t k = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    for (; k + 16 <= cap; k += 16) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(buf + k));
        const unsigned nul = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128()));
        if (nul)
            return k + (size_t)__builtin_ctz(nul);
    }
#endif
    const char *end = memchr(buf + k, '\0', cap - k);
    return end ? (size_t)(end - buf) : cap;
}

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
