/*
 * The replay driver: runs a fuzz target's LLVMFuzzerTestOneInput on every
 * regular file of the directories given on the command line, in name order,
 * without libFuzzer. `make check` runs it on each target's seed corpus and
 * regressions (fuzz/corpus/<name>, fuzz/regressions/<name>), so every input
 * that once crashed keeps being checked, under ASan and UBSan in the
 * sanitized build. A target that aborts fails the test; so does a directory
 * that is missing, or a run that found no input at all (a replay of nothing
 * proves nothing). Names starting with '.' (.gitkeep) are skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"

#include "internal/banned.h"

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int read_all(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return -1;
    for (;;) {
        size_t got;
        if (n == cap) {
            unsigned char *nb;
            cap = cap ? cap * 2 : 4096;
            nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return 0;
}

static int replay_dir(const char *dir, int *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    int rc = 0;

    if (n < 0) {
        fprintf(stderr, "replay: cannot read directory %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        unsigned char *data = NULL;
        size_t len = 0;

        if (names[i]->d_name[0] == '.' ||
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) >= (int)sizeof(path) ||
            stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(names[i]);
            continue;
        }
        if (read_all(path, &data, &len) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", path);
            rc = -1;
        } else {
            fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
            LLVMFuzzerTestOneInput(data, len);
            free(data);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0, total = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        int count = 0;
        if (replay_dir(argv[i], &count) != 0)
            rc = 1;
        else
            printf("replay: %d inputs of %s passed\n", count, argv[i]);
        total += count;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no input in any directory\n");
        rc = 1;
    }
    return rc;
}
