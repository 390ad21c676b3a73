/*
 * Fuzz target: the migration directory reader (migrate.h,
 * tc_migration_set_load_dir) and, for small harmless sets, the
 * schema_migrations bookkeeping on an in-memory SQLite store.
 *
 * Input format: files, each introduced by a line "=== NAME" followed by its
 * content up to the next such line (or the end). They are written into a
 * fresh directory named "runtime" (the set's store name). Names with '/', or
 * empty, or "." / "..", or longer than 200 bytes are skipped (they cannot be
 * file names in one directory); a repeated name overwrites the first.
 *
 * Properties of a loaded set: versions > 0 and strictly ascending, latest is
 * the last version, store "runtime", each migration's checksum is the SHA-256
 * of an up file with its name. A failure has a message and is TC_EPARSE,
 * TC_EINVAL or TC_ECONFLICT.
 *
 * Store phase, only when every file is at most 1024 bytes of plain SQL
 * (letters, digits, blanks and ( ) , ; ' _ . - * = +) without the words that
 * let SQLite loop, grow without bound or touch files (select, with,
 * recursive, trigger, attach, detach, vacuum, pragma, blob, zero, random,
 * printf, repeat, replace, load_extension): up to the latest, then status (no
 * pending when the up succeeded; current = latest), history (one row per
 * applied migration), down all, status again (nothing applied when the down
 * succeeded). A fuzzed SQL statement may fail; that is reported, not a bug.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/sha.h>

#include "fuzz_util.h"
#include "tradecore/migrate.h"
#include "tradecore/store.h"

#include "internal/banned.h"

#define MAX_FILES 64

struct file {
    char name[201];
    const char *data;
    size_t len;
};

static int harmless(const char *s, size_t len)
{
    static const char *const words[] = {"select", "with", "recursive", "trigger", "attach",
                                        "detach", "vacuum", "pragma", "blob", "zero",
                                        "random", "printf", "repeat", "replace",
                                        "load_extension"};
    char low[1025];

    if (len > 1024)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && !strchr(" \t\n(),;'_.-*=+", c))
            return 0;
        low[i] = (char)tolower(c);
    }
    low[len] = '\0';
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strstr(low, words[i]))
            return 0;
    return 1;
}

static int split(const char *p, size_t size, struct file *files, int *nfiles)
{
    const char *end = p + size;
    int n = 0, safe = 1;

    /* anything before the first "=== " line is ignored */
    while (p < end) {
        const char *line_end, *next;
        size_t nl;
        if ((size_t)(end - p) >= 4 && memcmp(p, "=== ", 4) == 0) {
            line_end = memchr(p, '\n', (size_t)(end - p));
            if (!line_end)
                line_end = end;
            nl = (size_t)(line_end - (p + 4));
            next = line_end < end ? line_end + 1 : end;
            /* the content runs to the next "\n=== " */
            {
                const char *q = next, *stop = end;
                while (q < end) {
                    const char *hit = memchr(q, '\n', (size_t)(end - q));
                    if (!hit)
                        break;
                    if ((size_t)(end - hit) >= 5 && memcmp(hit + 1, "=== ", 4) == 0) {
                        stop = hit + 1;
                        break;
                    }
                    q = hit + 1;
                }
                if (nl > 0 && nl <= 200 && !memchr(p + 4, '/', nl) && !memchr(p + 4, '\0', nl) &&
                    !(nl == 1 && p[4] == '.') && !(nl == 2 && p[4] == '.' && p[5] == '.') &&
                    n < MAX_FILES) {
                    memcpy(files[n].name, p + 4, nl);
                    files[n].name[nl] = '\0';
                    files[n].data = next;
                    files[n].len = (size_t)(stop - next);
                    if (!harmless(files[n].data, files[n].len))
                        safe = 0;
                    n++;
                }
                p = stop;
            }
            continue;
        }
        next = memchr(p, '\n', (size_t)(end - p));
        p = next ? next + 1 : end;
    }
    *nfiles = n;
    return safe;
}

static int count_rows(const struct tc_migration_record *rec, void *ud)
{
    if (strcmp(rec->store, "runtime") == 0)
        (*(int *)ud)++;
    return 0;
}

static void store_phase(const struct tc_migration_set *set)
{
    struct tc_store *s = NULL;
    struct tc_migrate_status st;
    struct tc_error err;
    int up_rc, down_rc, rows = 0;
    size_t n = tc_migration_set_count(set);

    if (tc_store_open("sqlite::memory:", NULL, &s, &err) != 0)
        tc_fuzz_fail("cannot open sqlite::memory:: %s", err.msg);
    up_rc = tc_migrate_up(s, set, -1, 0, NULL, NULL, &err);
    if (tc_migrate_status(s, set, &st, &err) != 0)
        tc_fuzz_fail("status after up (rc %d) failed: %s", up_rc, err.msg);
    if (up_rc == 0 && (st.n_pending != 0 || st.current != tc_migration_set_latest(set) ||
                       st.applied != (int)n || st.dirty))
        tc_fuzz_fail("after a clean up: %d pending, current %d of %d, %d applied of %zu",
                     st.n_pending, st.current, st.latest, st.applied, n);
    if (st.applied + st.n_pending != (int)n)
        tc_fuzz_fail("%d applied + %d pending for %zu migrations", st.applied, st.n_pending, n);
    tc_migrate_status_release(&st);
    if (tc_migrate_history(s, count_rows, &rows, &err) != 0)
        tc_fuzz_fail("history failed: %s", err.msg);
    if (up_rc == 0 && rows != (int)n)
        tc_fuzz_fail("history has %d rows for %zu applied migrations", rows, n);

    down_rc = tc_migrate_down(s, set, -1, 0, NULL, NULL, &err);
    if (tc_migrate_status(s, set, &st, &err) != 0)
        tc_fuzz_fail("status after down (rc %d) failed: %s", down_rc, err.msg);
    if (down_rc == 0 && st.applied != 0)
        tc_fuzz_fail("a clean down left %d applied", st.applied);
    tc_migrate_status_release(&st);
    tc_store_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct file files[MAX_FILES];
    char dir[1024], path[1024];
    struct tc_migration_set *set = NULL;
    struct tc_error err;
    int nfiles = 0, safe, rc, last = 0;

    safe = split((const char *)data, size, files, &nfiles);
    snprintf(dir, sizeof(dir), "%s/runtime", tc_fuzz_tmpdir());
    if (tc_fuzz_rm_tree(dir) != 0 || mkdir(dir, 0700) != 0)
        tc_fuzz_fail("cannot make %s", dir);
    for (int i = 0; i < nfiles; i++)
        if (tc_fuzz_write_file(dir, files[i].name, files[i].data, files[i].len, path,
                               sizeof(path)) != 0)
            files[i].name[0] = '\0'; /* not a name this file system takes */

    rc = tc_migration_set_load_dir(dir, &set, &err);
    if (rc != 0) {
        if ((rc != TC_EPARSE && rc != TC_EINVAL && rc != TC_ECONFLICT) || err.msg[0] == '\0')
            tc_fuzz_fail("load failed with %d: \"%s\"", rc, err.msg);
        if (set)
            tc_fuzz_fail("a failed load returned a set");
        return 0;
    }
    if (strcmp(tc_migration_set_store(set), "runtime") != 0)
        tc_fuzz_fail("store name \"%s\"", tc_migration_set_store(set));
    for (size_t i = 0; i < tc_migration_set_count(set); i++) {
        const struct tc_migration *m = tc_migration_set_at(set, i);
        int found = 0;
        if (!m || m->version <= last || !m->name || !m->up_sql)
            tc_fuzz_fail("migration %zu: bad version or missing text", i);
        last = m->version;
        for (int f = nfiles - 1; f >= 0 && !found; f--) {
            /* a repeated name: the last one written is the file */
            unsigned char md[SHA256_DIGEST_LENGTH];
            char hex[TC_MIGRATE_CHECKSUM_LEN + 1], suffix[300];
            size_t nl = strlen(files[f].name), sl;
            int dup = 0;
            for (int g = f + 1; g < nfiles; g++)
                dup |= strcmp(files[g].name, files[f].name) == 0;
            snprintf(suffix, sizeof(suffix), "_%s.up.sql", m->name);
            sl = strlen(suffix);
            if (dup || nl <= sl || strcmp(files[f].name + nl - sl, suffix) != 0)
                continue;
            SHA256((const unsigned char *)files[f].data, files[f].len, md);
            for (int k = 0; k < SHA256_DIGEST_LENGTH; k++)
                snprintf(hex + 2 * k, 3, "%02x", md[k]);
            found = strcmp(hex, m->checksum) == 0;
        }
        if (!found)
            tc_fuzz_fail("migration %d (%s): checksum %s is no up file's", m->version, m->name,
                         m->checksum);
    }
    if (tc_migration_set_at(set, tc_migration_set_count(set)) != NULL)
        tc_fuzz_fail("at(count) is not NULL");
    if (tc_migration_set_latest(set) != last)
        tc_fuzz_fail("latest %d, last version %d", tc_migration_set_latest(set), last);
    if (safe && tc_migration_set_count(set) > 0)
        store_phase(set);
    tc_migration_set_free(set);
    return 0;
}
