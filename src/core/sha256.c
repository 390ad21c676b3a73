/*
 * SHA-256 in hex (core/sha256.h): the fingerprints of signals and the
 * checksums of migrations. The algorithm is fetched from the default provider
 * once; when that fetch fails, the built-in legacy handle is used.
 */
#include <openssl/evp.h>
#include <pthread.h>

#include "core/sha256.h"
#include "tradecore/error.h"
#include "internal/banned.h"

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *fetched; /* kept for the life of the process */

static void fetch_sha256(void) { fetched = EVP_MD_fetch(NULL, "SHA256", NULL); }

int tc__sha256_hex(const void *data, size_t len, char out[TC__SHA256_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    out[0] = '\0';
    pthread_once(&fetch_once, fetch_sha256);
    if (EVP_Digest(data, len, md, &n, fetched ? fetched : EVP_sha256(), NULL) != 1 || n != 32)
        return TC_EINTERNAL;
    for (unsigned int k = 0; k < n; k++) {
        out[2 * k] = hex[md[k] >> 4];
        out[2 * k + 1] = hex[md[k] & 15];
    }
    out[TC__SHA256_HEX_LEN] = '\0';
    return 0;
}
