/*
 * Text quoted in a message: printable ASCII (0x20..0x7e) as it is, every
 * other byte as \xNN, so that a newline, an escape or a NUL inside the text
 * neither splits nor cuts the message nor reaches a terminal raw.
 *
 * Thread-safety: pure function.
 */
#ifndef TC_CORE_QUOTE_H
#define TC_CORE_QUOTE_H

#include <stddef.h>

/*
 * Writes the first MAX of the N bytes at S into BUF (capacity CAP >= 1,
 * caller-owned), each byte outside printable ASCII as the four bytes \xNN;
 * it stops before a byte when fewer than 5 bytes of BUF are left (the most
 * one byte takes, and the NUL). BUF is NUL-terminated. Returns the length
 * written; *USED (when USED is not NULL) gets how many bytes of S are shown
 * (less than N: the text was cut).
 */
size_t tc__quote_bytes(const char *s, size_t n, size_t max, char *buf, size_t cap, size_t *used);

#endif
