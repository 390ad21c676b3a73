/*
 * Helpers of the fuzz targets: failing a property, a private scratch
 * directory per process, writing inputs to files for the APIs that read
 * files (CSV ingest, configuration, migrations).
 */
#include "fuzz_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tradecore/log.h"

#include "internal/banned.h"

static char scratch[512];

void tc_fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("fuzz: property broken: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void tc_fuzz_quiet(void)
{
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    struct tc_error err;
    lc.level = TC_LOG_OFF;
    lc.to_stderr = 0;
    tc_log_open(&lc, &err);
}

int tc_fuzz_rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];
    int rc = 0;

    if (!d)
        return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p)) {
            rc = -1;
            continue;
        }
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (tc_fuzz_rm_tree(p) != 0)
                rc = -1;
        } else if (unlink(p) != 0) {
            rc = -1;
        }
    }
    closedir(d);
    if (rmdir(dir) != 0)
        rc = -1;
    return rc;
}

static void remove_scratch(void)
{
    if (scratch[0])
        tc_fuzz_rm_tree(scratch);
}

const char *tc_fuzz_tmpdir(void)
{
    const char *base;
    if (scratch[0])
        return scratch;
    base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if (snprintf(scratch, sizeof(scratch), "%s/tc-fuzz-XXXXXX", base) >= (int)sizeof(scratch))
        tc_fuzz_fail("TMPDIR is too long");
    if (!mkdtemp(scratch))
        tc_fuzz_fail("cannot make a scratch directory under %s: %s", base, strerror(errno));
    atexit(remove_scratch);
    return scratch;
}

int tc_fuzz_write_file(const char *dir, const char *name, const void *data, size_t size,
                       char *path, size_t cap)
{
    const char *p = data;
    int fd;

    if (snprintf(path, cap, "%s/%s", dir, name) >= (int)cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return close(fd);
}
