/* Helpers of the entity commands: table-driven option parsing, opening a
 * migrated store, JSON output with exact decimals. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/migrate.h"
#include "internal/banned.h"

struct tc__cli_ent_opt *tc__cli_ent_opt(struct tc__cli_ent_opt *opts, size_t n,
                                        const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(opts[k].name, name) == 0)
            return &opts[k];
    return NULL;
}

void tc__cli_ent_opts_free(struct tc__cli_ent_opt *opts, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(opts[k].values);
        opts[k].values = NULL;
        opts[k].nvalues = 0;
    }
}

static int add_value(struct tc__cli_ent_opt *o, const char *v, int argc)
{
    if (!o->values) {
        o->values = calloc((size_t)argc, sizeof(*o->values));
        if (!o->values)
            return -1;
    }
    o->values[o->nvalues++] = v;
    return 0;
}

int tc__cli_ent_parse(struct tc_cli *cli, int argc, char **argv, int first,
                      struct tc__cli_ent_opt *opts, size_t n, const char **pos, size_t maxpos,
                      size_t *npos, const char *help)
{
    int only_pos = 0;

    *npos = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && tc_cli_is_help(a)) {
            fputs(help, cli->out);
            return -1;
        }
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = 1;
        } else if (!only_pos && a[0] == '-' && a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            struct tc__cli_ent_opt *o = NULL;
            const char *val = NULL;

            for (size_t k = 0; k < n; k++)
                if (strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0)
                    o = &opts[k];
            if (!o)
                return tc_cli_usage(cli, "unknown option '--%.*s' (see --help)", (int)len, name);
            if (o->takes_value) {
                if (eq)
                    val = eq + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return tc_cli_usage(cli, "option '--%s' needs a value", o->name);
            } else if (eq) {
                return tc_cli_usage(cli, "option '--%s' takes no value", o->name);
            }
            if (o->seen && !o->multi)
                return tc_cli_usage(cli, "option '--%s' given twice", o->name);
            o->seen = 1;
            o->value = val;
            if (o->multi && add_value(o, val, argc) != 0)
                return tc_cli_failf(cli, "out of memory");
        } else if (!only_pos && a[0] == '-' && a[1] != '\0') {
            return tc_cli_usage(cli, "unknown option '%s' (see --help)", a);
        } else {
            if (*npos >= maxpos)
                return tc_cli_usage(cli, "unexpected argument '%s' (see --help)", a);
            pos[(*npos)++] = a;
        }
    }
    return 0;
}

int tc__cli_ent_open(struct tc_cli *cli, const char *which, struct tc_store **out)
{
    struct tc_error err = {0};
    struct tc_migration_set *set = NULL;
    struct tc_migrate_status st = {0};
    struct tc_store *s = NULL;
    int rc = TC_EXIT_FAIL;

    *out = NULL;
    if (tc_cli_open_store(cli, which, &s, &err) != 0)
        return tc_cli_fail(cli, &err);
    if (tc_migration_set_load_embedded(tc_store_backend_name(s), which, &set, &err) != 0 ||
        tc_migrate_status(s, set, &st, &err) != 0) {
        tc_error_prefix(&err, "%s store %s", which, tc_store_url_redacted(s));
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    if (st.dirty) {
        rc = tc_cli_failf(cli,
                          "%s store %s has a failed migration (dirty): see `tradecore db "
                          "status --store %s`",
                          which, tc_store_url_redacted(s), which);
        goto out;
    }
    if (st.n_pending > 0) {
        rc = tc_cli_failf(cli,
                          "%s store %s is not migrated (version %d, latest %d): run "
                          "`tradecore init` or `tradecore db migrate`",
                          which, tc_store_url_redacted(s), st.current, st.latest);
        goto out;
    }
    *out = s;
    s = NULL;
    rc = 0;
out:
    tc_migrate_status_release(&st);
    tc_migration_set_free(set);
    tc_store_close(s);
    return rc;
}

int tc__cli_ent_dec(struct tc_cli *cli, const char *what, const char *text, struct tc_dec *out)
{
    struct tc_error err = {0};
    if (tc_dec_parse(text, (size_t)-1, out, &err) != 0)
        return tc_cli_failf(cli, "%s: %s", what, tc_error_msg(&err));
    return 0;
}

json_t *tc__cli_ent_json_dec(struct tc_dec d)
{
    char buf[TC_DEC_STRLEN];
    if (tc_dec_format(d, buf, sizeof(buf)) < 0)
        return NULL;
    return json_string(buf);
}

json_t *tc__cli_ent_json_time(int64_t us)
{
    char buf[TC_TIME_STRLEN];
    if (us == 0)
        return json_null();
    if (tc_time_format(us, buf, sizeof(buf)) < 0)
        return json_null();
    return json_string(buf);
}

json_t *tc__cli_ent_json_text(const char *s)
{
    return (s && *s) ? json_string(s) : json_null();
}

json_t *tc__cli_ent_json_parse(const char *text)
{
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

int tc__cli_ent_print_json(struct tc_cli *cli, json_t *v)
{
    int rc;
    if (!v)
        return tc_cli_failf(cli, "out of memory");
    rc = json_dumpf(v, cli->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(v);
    if (rc != 0)
        return tc_cli_failf(cli, "cannot write JSON output");
    fputc('\n', cli->out);
    return TC_EXIT_OK;
}

const char *tc__cli_ent_str(const char *s) { return s ? s : ""; }

int tc__cli_ent_copy(struct tc_cli *cli, const char *field, char *dst, size_t cap,
                     const char *value)
{
    size_t len = strlen(value);
    if (len >= cap)
        return tc_cli_failf(cli, "%s is %zu bytes long (at most %zu)", field, len, cap - 1);
    memcpy(dst, value, len + 1);
    return 0;
}
