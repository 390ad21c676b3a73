/*
 * SHA-256 (core/sha256.h) through libcrypto's direct SHA256_* functions,
 * which OpenSSL 3 marks deprecated: this file alone may use them, for the
 * reason the header gives.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>

#include "core/sha256.h"
#include "tradecore/error.h"
#include "internal/banned.h"

void tc__sha256_init(struct tc__sha256_ctx *h) { h->bad = SHA256_Init(&h->c) != 1; }

void tc__sha256_update(struct tc__sha256_ctx *h, const void *data, size_t len)
{
    if (!h->bad && len > 0 && SHA256_Update(&h->c, data, len) != 1)
        h->bad = 1;
}

int tc__sha256_final(struct tc__sha256_ctx *h, unsigned char md[TC__SHA256_LEN])
{
    if (h->bad || SHA256_Final(md, &h->c) != 1) {
        memset(md, 0, TC__SHA256_LEN);
        return TC_EINTERNAL;
    }
    return 0;
}

int tc__sha256(const void *data, size_t len, unsigned char md[TC__SHA256_LEN])
{
    struct tc__sha256_ctx h;
    tc__sha256_init(&h);
    tc__sha256_update(&h, data, len);
    return tc__sha256_final(&h, md);
}

int tc__sha256_hex(const void *data, size_t len, char out[TC__SHA256_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[TC__SHA256_LEN];

    out[0] = '\0';
    if (tc__sha256(data, len, md) != 0)
        return TC_EINTERNAL;
    for (unsigned k = 0; k < TC__SHA256_LEN; k++) {
        out[2 * k] = hex[md[k] >> 4];
        out[2 * k + 1] = hex[md[k] & 15];
    }
    out[TC__SHA256_HEX_LEN] = '\0';
    return 0;
}
