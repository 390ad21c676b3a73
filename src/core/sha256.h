/*
 * SHA-256, the one place tradecore computes it: signal fingerprints,
 * migration checksums, the backtest's run id and the service's secret
 * comparisons. Through libcrypto's direct SHA256_* functions: its EVP
 * interface would load OpenSSL's configuration, providers and engines on
 * first use (about 6 million instructions per process, more than a quiet
 * 20-instrument backtest spends in its loop) for the same digest. Those
 * functions are deprecated in OpenSSL 3 but kept in it; sha256.c alone uses
 * them. Internal: not installed.
 *
 * Thread-safety: safe from any thread (no shared state; each digest has its
 * own context).
 */
#ifndef TC_CORE_SHA256_H
#define TC_CORE_SHA256_H

#include <stddef.h>

#include <openssl/sha.h>

#define TC__SHA256_HEX_LEN 64
#define TC__SHA256_LEN 32

/*
 * Writes the SHA-256 of the LEN bytes at DATA into OUT as 64 lower-case hex
 * digits and a NUL. Returns 0, or TC_EINTERNAL when libcrypto fails (OUT is
 * then "").
 */
int tc__sha256_hex(const void *data, size_t len, char out[TC__SHA256_HEX_LEN + 1]);

/* The same digest as 32 bytes into MD. 0, or TC_EINTERNAL (MD zeroed). */
int tc__sha256(const void *data, size_t len, unsigned char md[TC__SHA256_LEN]);

/* A digest written piece by piece: init, any number of updates, final (0,
 * or TC_EINTERNAL with MD zeroed, also when init or an update failed). */
struct tc__sha256_ctx {
    SHA256_CTX c;
    int bad;
};
void tc__sha256_init(struct tc__sha256_ctx *h);
void tc__sha256_update(struct tc__sha256_ctx *h, const void *data, size_t len);
int tc__sha256_final(struct tc__sha256_ctx *h, unsigned char md[TC__SHA256_LEN]);

#endif
