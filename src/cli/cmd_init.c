/* `tradecore init`: writes a commented sample tradecore.yaml when there is
 * none, then creates both stores (and their folders) and migrates them to the
 * latest version. Running it again changes nothing that is already there. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/migrate.h"
#include "internal/banned.h"

#define SAMPLE_PATH "tradecore.yaml"

static const char init_help[] =
    "usage: tradecore init [--no-config]\n\n"
    "Writes a commented sample " SAMPLE_PATH " in the current folder when there is\n"
    "none (--no-config: never), creates the historical and runtime stores named by\n"
    "database.historical.url and database.runtime.url (folders included) and\n"
    "applies their pending migrations. Safe to run again.\n"
    "Exit status: 0 ok, 1 error, 2 usage error.\n";

static int write_sample(struct tc_cli *cli)
{
    struct tc_error err = {0};
    FILE *f = fopen(SAMPLE_PATH, "wx"); /* never overwrite */

    if (!f) {
        if (errno == EEXIST) {
            fprintf(cli->out, "%s exists: left as it is\n", SAMPLE_PATH);
            return 0;
        }
        return tc_cli_failf(cli, "cannot create %s: %s", SAMPLE_PATH, strerror(errno));
    }
    if (tc_config_write_sample(f, &err) != 0) {
        fclose(f);
        remove(SAMPLE_PATH);
        return tc_cli_fail(cli, &err);
    }
    if (fclose(f) != 0) {
        remove(SAMPLE_PATH);
        return tc_cli_failf(cli, "cannot write %s: %s", SAMPLE_PATH, strerror(errno));
    }
    fprintf(cli->out, "wrote %s\n", SAMPLE_PATH);
    return 0;
}

static int init_store(struct tc_cli *cli, const char *which)
{
    struct tc_error err = {0};
    struct tc_store *s = NULL;
    struct tc_migration_set *set = NULL;
    struct tc_migrate_status st = {0};
    int rc = TC_EXIT_FAIL;

    if (tc_cli_open_store(cli, which, &s, &err) != 0)
        return tc_cli_fail(cli, &err);
    if (tc_migrate_latest(s, which, &err) != 0 ||
        tc_migration_set_load_embedded(tc_store_backend_name(s), which, &set, &err) != 0 ||
        tc_migrate_status(s, set, &st, &err) != 0) {
        tc_error_prefix(&err, "%s store %s", which, tc_store_url_redacted(s));
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    fprintf(cli->out, "%s store %s: at version %d (latest %d)\n", which,
            tc_store_url_redacted(s), st.current, st.latest);
    rc = 0;
out:
    tc_migrate_status_release(&st);
    tc_migration_set_free(set);
    tc_store_close(s);
    return rc;
}

int tc_cmd_init(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "no-config"}};
    const char *pos[1];
    size_t npos;
    int rc = tc__cli_ent_parse(cli, argc, argv, 1, opts, 1, pos, 0, &npos, init_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (!opts[0].seen && (rc = write_sample(cli)) != 0)
        return rc;
    if ((rc = init_store(cli, "historical")) != 0 || (rc = init_store(cli, "runtime")) != 0)
        return rc;
    return TC_EXIT_OK;
}
