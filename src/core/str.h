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

#endif
