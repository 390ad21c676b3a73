/*
 * SHA-256 as lower-case hex, through OpenSSL's EVP interface with the
 * algorithm fetched once per process (an implicit fetch on every digest costs
 * about a third of a short digest). Internal: not installed.
 *
 * Thread-safety: safe from any thread (the fetch runs once under
 * pthread_once; each call uses its own digest context).
 */
#ifndef TC_CORE_SHA256_H
#define TC_CORE_SHA256_H

#include <stddef.h>

#define TC__SHA256_HEX_LEN 64

/*
 * Writes the SHA-256 of the LEN bytes at DATA into OUT as 64 lower-case hex
 * digits and a NUL. Returns 0, or TC_EINTERNAL when OpenSSL fails (OUT is
 * then "").
 */
int tc__sha256_hex(const void *data, size_t len, char out[TC__SHA256_HEX_LEN + 1]);

#endif
