/* Opening the stores named in configuration, for the commands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cli/cli.h"
#include "tradecore/config.h"
#include "tradecore/store.h"
#include "internal/banned.h"

void tc_cli_store_options(struct tc_cli *cli, struct tc_store_options *opt)
{
    tc_store_options_default(opt);
    opt->pool_size = (int)tc_config_int(cli->cfg, "database.pool_size");
    opt->busy_timeout_ms = (int)tc_config_int(cli->cfg, "database.busy_timeout_ms");
    opt->connect_attempts = (int)tc_config_int(cli->cfg, "database.connect_attempts");
    opt->retry.max_attempts = (int)tc_config_int(cli->cfg, "retry.attempts");
    opt->retry.base_us = tc_config_int(cli->cfg, "retry.base_ms") * 1000;
    opt->retry.cap_us = tc_config_int(cli->cfg, "retry.cap_ms") * 1000;
}

/* mkdir -p of the folder holding PATH. */
static int make_parent(const char *path, struct tc_error *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t len;

    if (!slash || slash == path)
        return 0;
    len = (size_t)(slash - path);
    if (len >= sizeof(dir))
        return tc_error_set(err, TC_EINVAL, "sqlite path %s: too long", path);
    memcpy(dir, path, len);
    dir[len] = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return tc_error_set(err, TC_EIO, "cannot create folder %s: %s", dir, strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return tc_error_set(err, TC_EIO, "cannot create folder %s for %s: %s", dir, path,
                            strerror(errno));
    return 0;
}

int tc_cli_open_store(struct tc_cli *cli, const char *which, struct tc_store **out,
                      struct tc_error *err)
{
    struct tc_store_options opt;
    char key[64];
    const char *url;
    int rc;

    *out = NULL;
    if (!which || (strcmp(which, "runtime") != 0 && strcmp(which, "historical") != 0))
        return tc_error_set(err, TC_EINVAL, "unknown store \"%s\" (runtime or historical)",
                            which ? which : "(null)");
    snprintf(key, sizeof(key), "database.%s.url", which);
    url = tc_config_str(cli->cfg, key);
    if (!url || !*url)
        return tc_error_set(err, TC_ECONFIG, "%s is not set", key);
    if (strncmp(url, "sqlite:", 7) == 0) {
        const char *path = url + 7;
        if (strncmp(path, "//", 2) == 0)
            path += 2;
        if (*path && strcmp(path, ":memory:") != 0 && (rc = make_parent(path, err)) != 0)
            return rc;
    }
    tc_cli_store_options(cli, &opt);
    if ((rc = tc_store_open(url, &opt, out, err)) != 0)
        return tc_error_prefix(err, "%s store", which);
    return 0;
}
