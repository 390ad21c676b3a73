/* Small command-line helpers shared by commands: a whole number written in
 * digits only, and the longest part of a path that exists (for the checks
 * a command makes on an output folder before it writes anything). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "internal/banned.h"

int tc_cli_digits(const char *s, size_t n, long long max, long long *out)
{
    long long v = 0;
    if (n == 0 || strspn(s, "0123456789") < n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v > (max - (s[i] - '0')) / 10)
            return -2;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int tc_cli_existing_part(const char *path, char *buf, size_t cap)
{
    size_t len = strlen(path);
    struct stat st;

    if (len == 0)
        return ENOENT;
    if (len >= cap)
        return ENAMETOOLONG;
    memcpy(buf, path, len + 1);
    for (;;) {
        size_t n = strlen(buf);
        while (n > 1 && buf[n - 1] == '/') /* "a/b/" is "a/b" */
            buf[--n] = '\0';
        if (stat(buf, &st) == 0)
            return 0;
        /* ENOTDIR: a file on the way, found next */
        if ((errno != ENOENT && errno != ENOTDIR) || strcmp(buf, ".") == 0 ||
            strcmp(buf, "/") == 0)
            return errno;
        char *slash = strrchr(buf, '/');
        if (!slash) { /* a relative name: the current folder */
            buf[0] = '.';
            buf[1] = '\0';
        } else if (slash == buf) {
            buf[1] = '\0';
        } else {
            *slash = '\0';
        }
    }
}
