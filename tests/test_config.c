/* Configuration: precedence, interpolation, validation errors, production
 * checks, the sample file, all-or-nothing loads and `config show`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tc_test.h"
#include "tradecore/config.h"

static char dir[512];

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
    char p[640];

    path_in(p, sizeof(p), name);
    tc_test_write_file(p, text);
}

/* Writes TEXT to NAME in the test folder and loads it into CFG as the YAML
 * file (YAML = 1) or the .env file (YAML = 0); the load must succeed. */
static void load_file(struct tc_config *cfg, int yaml, const char *name, const char *text)
{
    char p[640];
    struct tc_config_sources src = {0};
    struct tc_error err = {0};

    path_in(p, sizeof(p), name);
    write_file(name, text);
    if (yaml)
        src.yaml_path = p;
    else
        src.dotenv_path = p;
    tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
}

static struct tc_config *new_cfg(void)
{
    struct tc_config *cfg = NULL;
    struct tc_error err = {0};

    tc_assert_ok(tc_config_new(&cfg, &err), &err);
    assert_non_null(cfg);
    return cfg;
}

/* The whole configuration as JSON with sources: compares states. */
static char *dump(const struct tc_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct tc_error err = {0};

    assert_non_null(f);
    tc_assert_ok(tc_config_show(cfg, f, 1, 1, &err), &err);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!needle)
        return;
    if (!strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* ---- defaults and the options table ---- */

static void test_defaults(void **state)
{
    struct tc_config *cfg = new_cfg();

    (void)state;
    assert_string_equal(tc_config_str(cfg, "environment"), "development");
    assert_string_equal(tc_config_str(cfg, "log.level"), "info");
    assert_string_equal(tc_config_str(cfg, "log.format"), "text");
    assert_string_equal(tc_config_str(cfg, "log.file"), "");
    assert_int_equal(tc_config_bool(cfg, "log.stderr"), 1);
    assert_int_equal(tc_config_int(cfg, "log.max_bytes"), 10485760);
    assert_int_equal(tc_config_int(cfg, "log.keep"), 5);
    assert_string_equal(tc_config_str(cfg, "database.historical.url"), "sqlite:var/historical.db");
    assert_string_equal(tc_config_str(cfg, "database.runtime.url"), "sqlite:var/runtime.db");
    assert_int_equal(tc_config_int(cfg, "database.pool_size"), 4);
    assert_int_equal(tc_config_int(cfg, "database.busy_timeout_ms"), 5000);
    assert_int_equal(tc_config_int(cfg, "database.connect_attempts"), 5);
    assert_int_equal(tc_config_int(cfg, "retry.attempts"), 5);
    assert_int_equal(tc_config_int(cfg, "retry.base_ms"), 10);
    assert_int_equal(tc_config_int(cfg, "retry.cap_ms"), 1000);
    assert_true(tc_config_double(cfg, "backtest.risk_free_rate") == 0.0);
    assert_string_equal(tc_config_str(cfg, "server.webhook_token"), "");
    assert_string_equal(tc_config_str(cfg, "server.listen"), "127.0.0.1:8080");
    assert_int_equal(tc_config_int(cfg, "server.threads"), 4);
    assert_int_equal(tc_config_int(cfg, "server.body_limit"), 65536);
    assert_string_equal(tc_config_str(cfg, "server.tokens"), "");
    assert_string_equal(tc_config_str(cfg, "server.allow_ips"), "");
    assert_string_equal(tc_config_str(cfg, "server.tls_cert"), "");
    assert_string_equal(tc_config_str(cfg, "server.tls_key"), "");
    assert_string_equal(tc_config_str(cfg, "server.tls_client_ca"), "");
    assert_string_equal(tc_config_str(cfg, "server.mode"), "paper");
    assert_int_equal(tc_config_int(cfg, "server.heartbeat_ms"), 1000);
    for (size_t i = 0; i < tc_config_option_count(); i++) {
        const struct tc_config_option_info *o = tc_config_option_at(i);
        assert_non_null(o);
        assert_true(strlen(o->help) > 10);
        assert_int_equal(tc_config_source_of(cfg, o->key), TC_CONFIG_DEFAULT);
    }
    assert_null(tc_config_option_at(tc_config_option_count()));
    assert_string_equal(tc_config_source_name(TC_CONFIG_DEFAULT), "default");
    assert_string_equal(tc_config_source_name(TC_CONFIG_FILE), "file");
    assert_string_equal(tc_config_source_name(TC_CONFIG_DOTENV), "dotenv");
    assert_string_equal(tc_config_source_name(TC_CONFIG_ENV), "env");
    assert_string_equal(tc_config_source_name(TC_CONFIG_CLI), "cli");
    tc_config_free(cfg);
    tc_config_free(NULL);
}

/* ---- precedence ---- */

struct prec_case {
    const char *key;     /* dotted */
    const char *env;     /* its environment name */
    const char *file, *dotenv, *envval, *set;   /* NULL: source absent */
    const char *want;    /* expected value as text */
    enum tc_config_source want_src;
};

static const struct prec_case prec_cases[] = {
    /* enum */
    {"log.level", "TC_LOG__LEVEL", NULL, NULL, NULL, NULL, "info", TC_CONFIG_DEFAULT},
    {"log.level", "TC_LOG__LEVEL", "debug", NULL, NULL, NULL, "debug", TC_CONFIG_FILE},
    {"log.level", "TC_LOG__LEVEL", "debug", "warn", NULL, NULL, "warn", TC_CONFIG_DOTENV},
    {"log.level", "TC_LOG__LEVEL", "debug", "warn", "error", NULL, "error", TC_CONFIG_ENV},
    {"log.level", "TC_LOG__LEVEL", "debug", "warn", "error", "trace", "trace", TC_CONFIG_CLI},
    {"log.level", "TC_LOG__LEVEL", NULL, NULL, NULL, "fatal", "fatal", TC_CONFIG_CLI},
    /* int */
    {"database.pool_size", "TC_DATABASE__POOL_SIZE", "7", NULL, NULL, NULL, "7", TC_CONFIG_FILE},
    {"database.pool_size", "TC_DATABASE__POOL_SIZE", "7", "8", NULL, NULL, "8", TC_CONFIG_DOTENV},
    {"database.pool_size", "TC_DATABASE__POOL_SIZE", "7", "8", "9", NULL, "9", TC_CONFIG_ENV},
    {"database.pool_size", "TC_DATABASE__POOL_SIZE", "7", "8", "9", "10", "10", TC_CONFIG_CLI},
    {"database.pool_size", "TC_DATABASE__POOL_SIZE", NULL, "8", NULL, "11", "11", TC_CONFIG_CLI},
    {"database.pool_size", "TC_DATABASE__POOL_SIZE", "7", NULL, "9", NULL, "9", TC_CONFIG_ENV},
    /* string, three levels deep */
    {"database.runtime.url", "TC_DATABASE__RUNTIME__URL", "sqlite:a.db", NULL, NULL, NULL,
     "sqlite:a.db", TC_CONFIG_FILE},
    {"database.runtime.url", "TC_DATABASE__RUNTIME__URL", "sqlite:a.db", "sqlite:b.db", NULL,
     NULL, "sqlite:b.db", TC_CONFIG_DOTENV},
    {"database.runtime.url", "TC_DATABASE__RUNTIME__URL", "sqlite:a.db", "sqlite:b.db",
     "sqlite:c.db", NULL, "sqlite:c.db", TC_CONFIG_ENV},
    {"database.runtime.url", "TC_DATABASE__RUNTIME__URL", "sqlite:a.db", "sqlite:b.db",
     "sqlite:c.db", "sqlite:d.db", "sqlite:d.db", TC_CONFIG_CLI},
    /* double */
    {"backtest.risk_free_rate", "TC_BACKTEST__RISK_FREE_RATE", "0.01", NULL, NULL, NULL, "0.01",
     TC_CONFIG_FILE},
    {"backtest.risk_free_rate", "TC_BACKTEST__RISK_FREE_RATE", "0.01", "0.02", NULL, NULL,
     "0.02", TC_CONFIG_DOTENV},
    {"backtest.risk_free_rate", "TC_BACKTEST__RISK_FREE_RATE", "0.01", "0.02", "0.03", NULL,
     "0.03", TC_CONFIG_ENV},
    {"backtest.risk_free_rate", "TC_BACKTEST__RISK_FREE_RATE", "0.01", "0.02", "0.03", "0.04",
     "0.04", TC_CONFIG_CLI},
    /* bool */
    {"log.stderr", "TC_LOG__STDERR", "no", NULL, NULL, NULL, "0", TC_CONFIG_FILE},
    {"log.stderr", "TC_LOG__STDERR", "no", "on", NULL, NULL, "1", TC_CONFIG_DOTENV},
    {"log.stderr", "TC_LOG__STDERR", "no", "on", "false", NULL, "0", TC_CONFIG_ENV},
    {"log.stderr", "TC_LOG__STDERR", "no", "on", "false", "yes", "1", TC_CONFIG_CLI},
};

/* Writes KEY: VALUE as nested YAML mappings ("a.b.c" -> a:\n  b:\n    c: v). */
static void yaml_nested(char *buf, size_t cap, const char *key, const char *value)
{
    size_t len = 0;
    int depth = 0;
    const char *seg = key, *dot;

    buf[0] = '\0';
    len += (size_t)snprintf(buf + len, cap - len, "# generated\nlog:\n  format: json\n");
    while ((dot = strchr(seg, '.')) != NULL) {
        len += (size_t)snprintf(buf + len, cap - len, "%*s%.*s:\n", depth * 2, "",
                                (int)(dot - seg), seg);
        depth++;
        seg = dot + 1;
    }
    snprintf(buf + len, cap - len, "%*s%s: \"%s\"\n", depth * 2, "", seg, value);
}

static void check_value(const struct tc_config *cfg, const char *key, const char *want)
{
    const struct tc_config_option_info *o = NULL;

    for (size_t i = 0; i < tc_config_option_count(); i++)
        if (strcmp(tc_config_option_at(i)->key, key) == 0)
            o = tc_config_option_at(i);
    assert_non_null(o);
    if (strcmp(o->type, "int") == 0)
        assert_int_equal(tc_config_int(cfg, key), strtoll(want, NULL, 10));
    else if (strcmp(o->type, "double") == 0)
        assert_true(tc_config_double(cfg, key) == strtod(want, NULL));
    else if (strcmp(o->type, "bool") == 0)
        assert_int_equal(tc_config_bool(cfg, key), strtol(want, NULL, 10));
    else
        assert_string_equal(tc_config_str(cfg, key), want);
}

static void test_precedence(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(prec_cases) / sizeof(prec_cases[0]); i++) {
        const struct prec_case *c = &prec_cases[i];
        char yaml[1024], dotenv[512], envs[512], sets[512], ypath[640], dpath[640];
        char *env[4] = {NULL};
        const char *setv[2] = {sets, NULL};
        struct tc_config_sources src = {0};
        struct tc_error err = {0};
        struct tc_config *cfg = new_cfg();
        size_t ne = 0;

        path_in(ypath, sizeof(ypath), "prec.yaml");
        path_in(dpath, sizeof(dpath), "prec.env");
        remove(ypath);
        remove(dpath);
        if (c->file) {
            yaml_nested(yaml, sizeof(yaml), c->key, c->file);
            write_file("prec.yaml", yaml);
            src.default_yaml = ypath;
        }
        if (c->dotenv) {
            snprintf(dotenv, sizeof(dotenv), "# comment\n\n%s='%s'\n", c->env, c->dotenv);
            write_file("prec.env", dotenv);
        }
        src.dotenv_path = dpath;   /* absent file: skipped */
        env[ne++] = (char *)"PATH=/usr/bin";
        env[ne++] = (char *)"TC_TEST_ANYTHING=ignored";
        if (c->envval) {
            snprintf(envs, sizeof(envs), "%s=%s", c->env, c->envval);
            env[ne++] = envs;
        }
        src.environ = env;
        if (c->set) {
            snprintf(sets, sizeof(sets), "%s=%s", c->key, c->set);
            src.sets = setv;
            src.n_sets = 1;
        }
        if (tc_config_load(cfg, &src, &err) != 0)
            fail_msg("case %zu: %s", i, tc_error_msg(&err));
        check_value(cfg, c->key, c->want);
        if (tc_config_source_of(cfg, c->key) != c->want_src)
            fail_msg("case %zu (%s): source %s, want %s", i, c->key,
                     tc_config_source_name(tc_config_source_of(cfg, c->key)),
                     tc_config_source_name(c->want_src));
        /* the other keys keep their defaults (log.format comes from the file) */
        assert_int_equal(tc_config_source_of(cfg, "retry.attempts"), TC_CONFIG_DEFAULT);
        assert_string_equal(tc_config_str(cfg, "log.format"), c->file ? "json" : "text");
        tc_config_free(cfg);
    }
}

/* An explicit --config that does not exist is an error; a missing default is not. */
static void test_missing_files(void **state)
{
    struct tc_config *cfg = new_cfg();
    struct tc_error err = {0};
    struct tc_config_sources src = {.yaml_path = "/nonexistent/dir/cfg.yaml"};
    struct tc_config_sources src2 = {.default_yaml = "/nonexistent/dir/cfg.yaml",
                                     .dotenv_path = "/nonexistent/dir/.env"};
    char *before = dump(cfg), *after;

    (void)state;
    assert_int_equal(tc_config_load(cfg, &src, &err), TC_EIO);
    assert_contains(err.msg, "/nonexistent/dir/cfg.yaml");
    after = dump(cfg);
    assert_string_equal(before, after);
    free(after);
    tc_assert_ok(tc_config_load(cfg, &src2, &err), &err);
    tc_assert_ok(tc_config_load(cfg, NULL, &err), &err);
    free(before);
    tc_config_free(cfg);
}

/* ---- interpolation ---- */

struct interp_case {
    const char *raw;          /* the YAML value, quoted */
    const char *want;         /* NULL: error */
    const char *msg1, *msg2;  /* expected in the error */
};

static const struct interp_case interp_cases[] = {
    {"sqlite:${TCT_DIR}/rt.db", "sqlite:/data/rt.db", NULL, NULL},
    {"${TCT_SCHEME}:${TCT_DIR}/x.db", "sqlite:/data/x.db", NULL, NULL},
    {"sqlite:${TCT_UNSET:-var}/rt.db", "sqlite:var/rt.db", NULL, NULL},
    {"sqlite:${TCT_DIR:-var}/rt.db", "sqlite:/data/rt.db", NULL, NULL},
    {"sqlite:${TCT_EMPTY:-dflt}/rt.db", "sqlite:dflt/rt.db", NULL, NULL},
    {"sqlite:${TCT_UNSET:-}rt.db", "sqlite:rt.db", NULL, NULL},
    {"plain $ sign and $HOME", "plain $ sign and $HOME", NULL, NULL},
    {"sqlite:${TCT_UNSET}/rt.db", NULL, "TCT_UNSET", "interp.yaml:3"},
    {"sqlite:${TCT_DIR/rt.db", NULL, "unterminated", "interp.yaml:3"},
    {"sqlite:${}/rt.db", NULL, "bad variable name", "interp.yaml:3"},
    {"sqlite:${TCT_DIR:x}/rt.db", NULL, "bad substitution", "interp.yaml:3"},
};

static void test_interpolation(void **state)
{
    char *env[] = {(char *)"TCT_DIR=/data", (char *)"TCT_SCHEME=sqlite", (char *)"TCT_EMPTY=",
                   NULL};

    (void)state;
    for (size_t i = 0; i < sizeof(interp_cases) / sizeof(interp_cases[0]); i++) {
        const struct interp_case *c = &interp_cases[i];
        char yaml[512], ypath[640];
        struct tc_config *cfg = new_cfg();
        struct tc_config_sources src = {.yaml_path = ypath, .environ = env};
        struct tc_error err = {0};
        int rc;

        path_in(ypath, sizeof(ypath), "interp.yaml");
        snprintf(yaml, sizeof(yaml), "database:\n  runtime:\n    url: \"%s\"\n", c->raw);
        write_file("interp.yaml", yaml);
        rc = tc_config_load(cfg, &src, &err);
        if (c->want) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, tc_error_msg(&err));
            assert_string_equal(tc_config_str(cfg, "database.runtime.url"), c->want);
        } else {
            assert_int_equal(rc, TC_ECONFIG);
            assert_contains(err.msg, "database.runtime.url");
            assert_contains(err.msg, c->msg1);
            assert_contains(err.msg, c->msg2);
            assert_string_equal(tc_config_str(cfg, "database.runtime.url"),
                                "sqlite:var/runtime.db");
        }
        tc_config_free(cfg);
    }
}

/* ---- errors: every bad input names the problem and changes nothing ---- */

struct err_case {
    const char *yaml;    /* content of bad.yaml, or NULL */
    const char *dotenv;  /* content of bad.env, or NULL */
    const char *env;     /* one NAME=VALUE, or NULL */
    const char *set;     /* one --set, or NULL */
    int code;
    const char *m1, *m2, *m3;   /* substrings of the message */
};

static const struct err_case err_cases[] = {
    /* the service's keys */
    {NULL, NULL, NULL, "server.threads=0", TC_ECONFIG, "server.threads: \"0\" is out of range 1..1024", "--set", NULL},
    {NULL, NULL, NULL, "server.threads=many", TC_ECONFIG, "server.threads: \"many\" is not an integer", "--set", NULL},
    {NULL, NULL, NULL, "server.body_limit=0", TC_ECONFIG, "server.body_limit: \"0\" is out of range", "--set", NULL},
    {NULL, NULL, NULL, "server.body_limit=-5", TC_ECONFIG, "server.body_limit: \"-5\" is out of range", "--set", NULL},
    {NULL, NULL, NULL, "server.body_limit=1073741825", TC_ECONFIG, "server.body_limit", "out of range", NULL},
    {NULL, NULL, NULL, "server.mode=backtest", TC_ECONFIG, "server.mode: \"backtest\" is not one of paper, live", "--set", NULL},
    {NULL, NULL, NULL, "server.mode=", TC_ECONFIG, "server.mode: \"\" is not one of", "--set", NULL},
    {NULL, NULL, NULL, "server.heartbeat_ms=9", TC_ECONFIG, "server.heartbeat_ms: \"9\" is out of range 10..3600000", "--set", NULL},
    {"server:\n  mode: paper\n  mode: live\n", NULL, NULL, NULL, TC_ECONFIG, "duplicate key \"server.mode\"", "bad.yaml:3", NULL},
    {"server:\n  litsen: x\n", NULL, NULL, NULL, TC_ECONFIG, "unknown key \"server.litsen\"", "bad.yaml:2", NULL},
    /* malformed YAML: the line */
    {"log:\n  level: info\n\tformat: json\n", NULL, NULL, NULL, TC_EPARSE, "bad.yaml:3", "malformed YAML", NULL},
    {"log:\n  level: info\n bad indent: x\n", NULL, NULL, NULL, TC_EPARSE, "bad.yaml:3", "malformed", NULL},
    {"log:\n  level: \"info\n", NULL, NULL, NULL, TC_EPARSE, "bad.yaml:", "malformed", NULL},
    /* structure */
    {"log:\n  level: [info]\n", NULL, NULL, NULL, TC_ECONFIG, "bad.yaml:2", "log.level", "lists"},
    {"- a\n- b\n", NULL, NULL, NULL, TC_ECONFIG, "bad.yaml:1", "lists", NULL},
    {"just a scalar\n", NULL, NULL, NULL, TC_ECONFIG, "bad.yaml:1", "mapping", NULL},
    {"log: &a\n  level: info\nretry: *a\n", NULL, NULL, NULL, TC_ECONFIG, "bad.yaml:3", "aliases", NULL},
    {"log:\n  keep: 1\n---\nlog:\n  keep: 2\n", NULL, NULL, NULL, TC_ECONFIG, "bad.yaml:3", "one YAML document", NULL},
    /* unknown and duplicate keys */
    {"log:\n  levle: info\n", NULL, NULL, NULL, TC_ECONFIG, "unknown key \"log.levle\"", "bad.yaml:2", NULL},
    {"log: info\n", NULL, NULL, NULL, TC_ECONFIG, "unknown key \"log\"", "bad.yaml:1", NULL},
    {"retry:\n  attempts: 3\n  attempts: 4\n", NULL, NULL, NULL, TC_ECONFIG, "duplicate key \"retry.attempts\"", "bad.yaml:3", NULL},
    {"log:\n  level: info\nlog.level: warn\n", NULL, NULL, NULL, TC_ECONFIG, "duplicate key \"log.level\"", "bad.yaml:3", NULL},
    {NULL, NULL, "TC_NOPE=1", NULL, TC_ECONFIG, "environment variable TC_NOPE", "unknown", NULL},
    {NULL, NULL, "TC_DATABASE__POOLSIZE=4", NULL, TC_ECONFIG, "TC_DATABASE__POOLSIZE", "database.poolsize", NULL},
    {NULL, NULL, NULL, "nope.key=1", TC_ECONFIG, "unknown key \"nope.key\"", "--set", NULL},
    {NULL, NULL, NULL, "log.level", TC_ECONFIG, "--set \"log.level\"", "key=value", NULL},
    {NULL, NULL, NULL, "=info", TC_ECONFIG, "--set \"=info\"", "key=value", NULL},
    /* wrong types */
    {"database:\n  pool_size: abc\n", NULL, NULL, NULL, TC_ECONFIG, "database.pool_size: \"abc\" is not an integer", "bad.yaml:2", NULL},
    {"database:\n  pool_size: 12abc\n", NULL, NULL, NULL, TC_ECONFIG, "\"12abc\" is not an integer", "bad.yaml:2", NULL},
    {"database:\n  pool_size: 1.5\n", NULL, NULL, NULL, TC_ECONFIG, "\"1.5\" is not an integer", "bad.yaml:2", NULL},
    {"database:\n  pool_size: 1e3\n", NULL, NULL, NULL, TC_ECONFIG, "\"1e3\" is not an integer", "bad.yaml:2", NULL},
    {"database:\n  pool_size:\n", NULL, NULL, NULL, TC_ECONFIG, "\"\" is not an integer", "bad.yaml:2", NULL},
    {"database:\n  pool_size: \" 4\"\n", NULL, NULL, NULL, TC_ECONFIG, "\" 4\" is not an integer", "bad.yaml:2", NULL},
    {NULL, NULL, "TC_RETRY__ATTEMPTS=3x", NULL, TC_ECONFIG, "retry.attempts: \"3x\" is not an integer", "environment variable TC_RETRY__ATTEMPTS", NULL},
    {NULL, NULL, NULL, "log.stderr=maybe", TC_ECONFIG, "log.stderr: \"maybe\" is not a boolean", "--set", NULL},
    {NULL, NULL, NULL, "log.stderr=", TC_ECONFIG, "log.stderr: \"\" is not a boolean", "--set", NULL},
    /* ranges and overflow */
    {"database:\n  pool_size: 0\n", NULL, NULL, NULL, TC_ECONFIG, "database.pool_size: \"0\" is out of range 1..256", "bad.yaml:2", NULL},
    {"database:\n  pool_size: 257\n", NULL, NULL, NULL, TC_ECONFIG, "\"257\" is out of range", "bad.yaml:2", NULL},
    {"database:\n  pool_size: -1\n", NULL, NULL, NULL, TC_ECONFIG, "\"-1\" is out of range", "bad.yaml:2", NULL},
    {NULL, NULL, NULL, "log.max_bytes=99999999999999999999", TC_ECONFIG, "log.max_bytes: \"99999999999999999999\" is out of range", "--set", NULL},
    {NULL, NULL, NULL, "log.max_bytes=1000000000001", TC_ECONFIG, "out of range 0..1000000000000", "--set", NULL},
    {NULL, NULL, NULL, "log.keep=-9223372036854775809", TC_ECONFIG, "log.keep", "out of range", NULL},
    {NULL, NULL, NULL, "backtest.risk_free_rate=1.5", TC_ECONFIG, "backtest.risk_free_rate: \"1.5\" is out of range 0..1", "--set", NULL},
    {NULL, NULL, NULL, "retry.base_ms=5000", TC_ECONFIG, "retry.base_ms 5000 (--set) is above retry.cap_ms 1000 (default)", NULL, NULL},
    /* NaN, infinities and junk doubles */
    {NULL, NULL, NULL, "backtest.risk_free_rate=nan", TC_ECONFIG, "\"nan\" is not a finite number", "--set", NULL},
    {NULL, NULL, "TC_BACKTEST__RISK_FREE_RATE=NaN", NULL, TC_ECONFIG, "\"NaN\" is not a finite number", "environment variable TC_BACKTEST__RISK_FREE_RATE", NULL},
    {"backtest:\n  risk_free_rate: .inf\n", NULL, NULL, NULL, TC_ECONFIG, "\".inf\" is not a finite number", "bad.yaml:2", NULL},
    {NULL, NULL, NULL, "backtest.risk_free_rate=inf", TC_ECONFIG, "\"inf\" is not a finite number", NULL, NULL},
    {NULL, NULL, NULL, "backtest.risk_free_rate=1e999", TC_ECONFIG, "\"1e999\" is not a finite number", NULL, NULL},
    {NULL, NULL, NULL, "backtest.risk_free_rate=0.1x", TC_ECONFIG, "\"0.1x\" is not a finite number", NULL, NULL},
    /* enumerations */
    {"log:\n  level: verbose\n", NULL, NULL, NULL, TC_ECONFIG, "log.level: \"verbose\" is not one of trace, debug, info, warn, error, fatal", "bad.yaml:2", NULL},
    {NULL, NULL, "TC_LOG__FORMAT=xml", NULL, TC_ECONFIG, "log.format: \"xml\" is not one of json, text", "environment variable TC_LOG__FORMAT", NULL},
    {NULL, NULL, NULL, "environment=staging", TC_ECONFIG, "environment: \"staging\" is not one of development, production", "--set", NULL},
    {NULL, NULL, NULL, "log.level=INFO", TC_ECONFIG, "\"INFO\" is not one of", NULL, NULL},
    /* .env */
    {NULL, "TC_LOG__LEVEL=info\nnonsense line\n", NULL, NULL, TC_ECONFIG, "bad.env:2", "expected KEY=VALUE", NULL},
    {NULL, "# c\nTC_NOPE=1\n", NULL, NULL, TC_ECONFIG, "unknown variable TC_NOPE", "bad.env:2", NULL},
    {NULL, "HOME=/root\n", NULL, NULL, TC_ECONFIG, "\"HOME\" is not a TC_ variable", "bad.env:1", NULL},
    {NULL, "TC_LOG__LEVEL=\"info\n", NULL, NULL, TC_ECONFIG, "unterminated quote", "bad.env:1", NULL},
    {NULL, "TC_LOG__LEVEL=info\nTC_LOG__LEVEL=warn\n", NULL, NULL, TC_ECONFIG, "duplicate variable TC_LOG__LEVEL", "bad.env:2", NULL},
    {NULL, "\n\nTC_DATABASE__POOL_SIZE=many\n", NULL, NULL, TC_ECONFIG, "database.pool_size: \"many\" is not an integer", "bad.env:3", NULL},
    /* production */
    {"environment: production\ndatabase:\n  runtime:\n    url: postgresql://u:changeme@db.example.com/t?sslmode=require\n",
     NULL, NULL, NULL, TC_ECONFIG, "database.runtime.url", "default password", "bad.yaml:4"},
    {NULL, NULL, "TC_DATABASE__HISTORICAL__URL=postgresql://u:Str0ng@db.example.com/h", "environment=production",
     TC_ECONFIG, "database.historical.url", "sslmode=require", "environment variable TC_DATABASE__HISTORICAL__URL"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
        const struct err_case *c = &err_cases[i];
        char ypath[640], dpath[640];
        char *env[3] = {(char *)"TC_TEST_HARNESS=1", NULL, NULL};
        const char *sets[1] = {c->set};
        struct tc_config_sources src = {0};
        struct tc_error err = {0};
        struct tc_config *cfg = new_cfg();
        char *before, *after;
        int rc;

        /* a previous good load, which a failing one must leave intact */
        tc_assert_ok(tc_config_set(cfg, "retry.attempts", "7", TC_CONFIG_CLI, &err), &err);
        before = dump(cfg);
        path_in(ypath, sizeof(ypath), "bad.yaml");
        path_in(dpath, sizeof(dpath), "bad.env");
        if (c->yaml) {
            write_file("bad.yaml", c->yaml);
            src.yaml_path = ypath;
        }
        if (c->dotenv) {
            write_file("bad.env", c->dotenv);
            src.dotenv_path = dpath;
        }
        env[1] = (char *)c->env;
        src.environ = env;
        if (c->set) {
            src.sets = sets;
            src.n_sets = 1;
        }
        rc = tc_config_load(cfg, &src, &err);
        if (rc != c->code)
            fail_msg("case %zu: rc %s (%s), want %s", i, tc_strerror_name(rc), err.msg,
                     tc_strerror_name(c->code));
        assert_int_equal(err.code, c->code);
        assert_contains(err.msg, c->m1);
        assert_contains(err.msg, c->m2);
        assert_contains(err.msg, c->m3);
        after = dump(cfg);
        assert_string_equal(before, after);
        assert_int_equal(tc_config_int(cfg, "retry.attempts"), 7);
        free(before);
        free(after);
        tc_config_free(cfg);
    }
}

/* ---- values accepted ---- */

struct ok_case {
    const char *set;     /* key=value */
    const char *key;
    const char *want;    /* as check_value reads it */
};

static const struct ok_case ok_cases[] = {
    {"log.stderr=true", "log.stderr", "1"},   {"log.stderr=FALSE", "log.stderr", "0"},
    {"log.stderr=yes", "log.stderr", "1"},    {"log.stderr=No", "log.stderr", "0"},
    {"log.stderr=on", "log.stderr", "1"},     {"log.stderr=off", "log.stderr", "0"},
    {"log.stderr=1", "log.stderr", "1"},      {"log.stderr=0", "log.stderr", "0"},
    {"log.max_bytes=1000000000000", "log.max_bytes", "1000000000000"},
    {"log.max_bytes=0", "log.max_bytes", "0"},
    {"log.keep=+7", "log.keep", "7"},
    {"database.pool_size=256", "database.pool_size", "256"},
    {"backtest.risk_free_rate=1", "backtest.risk_free_rate", "1"},
    {"backtest.risk_free_rate=.5", "backtest.risk_free_rate", "0.5"},
    {"backtest.risk_free_rate=2.5e-2", "backtest.risk_free_rate", "0.025"},
    {"log.file=a=b.log", "log.file", "a=b.log"},
    {"log.file=", "log.file", ""},
    {"server.webhook_token=t0ken", "server.webhook_token", "t0ken"},
    {"server.listen=[::1]:0", "server.listen", "[::1]:0"},
    {"server.threads=1024", "server.threads", "1024"},
    {"server.body_limit=1", "server.body_limit", "1"},
    {"server.tokens=a,b", "server.tokens", "a,b"},
    {"server.allow_ips=10.0.0.0/8,::1", "server.allow_ips", "10.0.0.0/8,::1"},
    {"server.tls_cert=c.pem", "server.tls_cert", "c.pem"},
    {"server.tls_key=k.pem", "server.tls_key", "k.pem"},
    {"server.tls_client_ca=ca.pem", "server.tls_client_ca", "ca.pem"},
    {"server.mode=live", "server.mode", "live"},
    {"server.heartbeat_ms=10", "server.heartbeat_ms", "10"},
};

static void test_values_accepted(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
        struct tc_config *cfg = new_cfg();
        struct tc_error err = {0};
        const char *sets[1] = {ok_cases[i].set};
        struct tc_config_sources src = {.sets = sets, .n_sets = 1};

        if (tc_config_load(cfg, &src, &err) != 0)
            fail_msg("case %zu (%s): %s", i, ok_cases[i].set, err.msg);
        check_value(cfg, ok_cases[i].key, ok_cases[i].want);
        assert_int_equal(tc_config_source_of(cfg, ok_cases[i].key), TC_CONFIG_CLI);
        tc_config_free(cfg);
    }
}

/* Huge values: a long string is kept whole; a long number is out of range and
 * the (truncated) message still names the key. */
static void test_huge_values(void **state)
{
    size_t n = 100000;
    char *set = malloc(n + 32), *digits = malloc(n + 32);
    struct tc_config *cfg = new_cfg();
    struct tc_error err = {0};
    const char *sets[1];
    struct tc_config_sources src = {.sets = sets, .n_sets = 1};

    (void)state;
    assert_non_null(set);
    assert_non_null(digits);
    memcpy(set, "log.file=", 9);
    memset(set + 9, 'a', n);
    set[9 + n] = '\0';
    sets[0] = set;
    tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
    assert_int_equal(strlen(tc_config_str(cfg, "log.file")), n);
    memcpy(digits, "database.pool_size=", 19);
    memset(digits + 19, '9', n);
    digits[19 + n] = '\0';
    sets[0] = digits;
    assert_int_equal(tc_config_load(cfg, &src, &err), TC_ECONFIG);
    assert_contains(err.msg, "database.pool_size: \"9999999999999999999999999999999999999999"
                             "999999999999999999999999...\" is out of range 1..256 (--set)");
    assert_int_equal(tc_config_int(cfg, "database.pool_size"), 4);
    free(set);
    free(digits);
    tc_config_free(cfg);
}

/* A .env file with comments, quotes, export and an inline comment. */
static void test_dotenv_syntax(void **state)
{
    struct tc_config *cfg = new_cfg();

    (void)state;
    load_file(cfg, 0, "syntax.env", "# settings\n"
                                    "\n"
                                    "TC_LOG__LEVEL = warn   # inline comment\n"
                                    "export TC_LOG__FILE=\"my log #1.txt\"\n"
                                    "TC_SERVER__WEBHOOK_TOKEN='a \"quoted\" token'\n"
                                    "TC_TEST_WHATEVER=ignored\n"
                                    "TC_DATABASE__RUNTIME__URL=sqlite:x#y.db\r\n");
    assert_string_equal(tc_config_str(cfg, "log.level"), "warn");
    assert_string_equal(tc_config_str(cfg, "log.file"), "my log #1.txt");
    assert_string_equal(tc_config_str(cfg, "server.webhook_token"), "a \"quoted\" token");
    assert_string_equal(tc_config_str(cfg, "database.runtime.url"), "sqlite:x#y.db");
    assert_int_equal(tc_config_source_of(cfg, "log.level"), TC_CONFIG_DOTENV);
    tc_config_free(cfg);
}

/* YAML forms: flow mappings, dotted keys, quoting, comments, an empty file. */
static void test_yaml_forms(void **state)
{
    struct tc_config *cfg = new_cfg();

    (void)state;
    load_file(cfg, 1, "forms.yaml", "# comment\n"
                                    "log: {level: debug, keep: 3}\n"
                                    "database.pool_size: 9\n"
                                    "retry:\n"
                                    "  attempts: '4'\n"
                                    "  cap_ms: 2000 # trailing comment\n"
                                    "database:\n"
                                    "  historical:\n"
                                    "    url: ~\n");
    assert_string_equal(tc_config_str(cfg, "log.level"), "debug");
    assert_int_equal(tc_config_int(cfg, "log.keep"), 3);
    assert_int_equal(tc_config_int(cfg, "database.pool_size"), 9);
    assert_int_equal(tc_config_int(cfg, "retry.attempts"), 4);
    assert_int_equal(tc_config_int(cfg, "retry.cap_ms"), 2000);
    assert_string_equal(tc_config_str(cfg, "database.historical.url"), "");
    tc_config_free(cfg);

    cfg = new_cfg();
    load_file(cfg, 1, "forms.yaml", "");
    assert_int_equal(tc_config_source_of(cfg, "log.level"), TC_CONFIG_DEFAULT);
    load_file(cfg, 1, "forms.yaml", "# only comments\n");
    tc_config_free(cfg);
}

/* ---- production ---- */

struct prod_case {
    const char *url;
    const char *msg;   /* NULL: accepted */
};

static const struct prod_case prod_cases[] = {
    {"sqlite:var/runtime.db", NULL},
    {"sqlite::memory:", NULL},
    {"postgresql://trader:Str0ng-pw@db.example.com:5432/rt?sslmode=require", NULL},
    {"postgresql://trader:Str0ng-pw@db.example.com/rt?sslmode=verify-ca", NULL},
    {"postgres://trader:Str0ng-pw@db.example.com/rt?connect_timeout=5&sslmode=verify-full", NULL},
    {"postgresql://trader:Str0ng-pw@localhost/rt", NULL},
    {"postgresql://trader:Str0ng-pw@127.0.0.1:5432/rt", NULL},
    {"postgresql://trader:Str0ng-pw@[::1]:5432/rt", NULL},
    {"postgresql://trader@/rt?host=/var/run/postgresql", NULL},
    {"postgresql://trader:Str0ng-pw@%2Fvar%2Frun%2Fpostgresql/rt", NULL},
    {"postgresql:///rt", NULL},
    {"postgresql://trader@db.example.com/rt?sslmode=require", NULL},
    {"postgresql://trader:postgres@localhost/rt", "default password"},
    {"postgresql://trader:password@localhost/rt", "default password"},
    {"postgresql://trader:changeme@localhost/rt", "default password"},
    {"postgresql://trader:secret@localhost/rt", "default password"},
    {"postgresql://trader:SeCrEt@localhost/rt", "default password"},
    {"postgresql://trader:chan%67eme@localhost/rt", "default password"},
    {"postgresql://trader:@localhost/rt", "empty or default password"},
    {"postgresql://trader@localhost/rt?password=postgres", "default password"},
    {"postgresql://trader:Str0ng-pw@db.example.com/rt", "sslmode=require"},
    {"postgresql://trader:Str0ng-pw@db.example.com/rt?sslmode=prefer", "sslmode is \"prefer\""},
    {"postgresql://trader:Str0ng-pw@db.example.com/rt?sslmode=disable", "sslmode is \"disable\""},
    {"postgresql://trader:Str0ng-pw@10.0.0.5/rt?sslmode=allow", "remote PostgreSQL host"},
    {"postgresql://trader:Str0ng-pw@localhost,db2.example.com/rt", "remote PostgreSQL host"},
    {"postgresql://trader:Str0ng-pw@localhost/rt?host=db.example.com", "remote PostgreSQL host"},
    {"", "empty in production"},
};

static void test_production(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(prod_cases) / sizeof(prod_cases[0]); i++) {
        const struct prod_case *c = &prod_cases[i];
        char set[512];
        const char *sets[2] = {"environment=production", set};
        struct tc_config_sources src = {.sets = sets, .n_sets = 2};
        struct tc_config *cfg = new_cfg();
        struct tc_error err = {0};
        int rc;

        snprintf(set, sizeof(set), "database.runtime.url=%s", c->url);
        rc = tc_config_load(cfg, &src, &err);
        if (!c->msg) {
            if (rc != 0)
                fail_msg("case %zu (%s): %s", i, c->url, err.msg);
            assert_string_equal(tc_config_str(cfg, "environment"), "production");
        } else {
            if (rc != TC_ECONFIG)
                fail_msg("case %zu (%s): accepted", i, c->url);
            assert_contains(err.msg, "database.runtime.url");
            assert_contains(err.msg, c->msg);
            assert_contains(err.msg, "--set");
            assert_string_equal(tc_config_str(cfg, "environment"), "development");
            assert_string_equal(tc_config_str(cfg, "database.runtime.url"),
                                "sqlite:var/runtime.db");
        }
        tc_config_free(cfg);
        /* development accepts every URL */
        cfg = new_cfg();
        sets[0] = "environment=development";
        tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
        tc_config_free(cfg);
    }
}

static void test_production_tokens(void **state)
{
    struct tc_config *cfg = new_cfg();
    struct tc_error err = {0};
    const char *sets[] = {"environment=production", "server.tokens="};
    struct tc_config_sources src = {.sets = sets, .n_sets = 2};
    char *out = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    assert_int_equal(tc_config_load(cfg, &src, &err), TC_ECONFIG);
    assert_contains(err.msg, "server.tokens: secret is empty in production");
    assert_string_equal(tc_config_str(cfg, "environment"), "development");
    assert_string_equal(tc_config_str(cfg, "server.tokens"), "");
    sets[1] = "server.tokens=s3cret-one,s3cret-two";
    tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
    assert_string_equal(tc_config_str(cfg, "server.tokens"), "s3cret-one,s3cret-two");
    /* the tokens are a secret: never shown */
    f = open_memstream(&out, &len);
    assert_non_null(f);
    tc_assert_ok(tc_config_show(cfg, f, 0, 0, &err), &err);
    fclose(f);
    assert_contains(out, "server.tokens = ***");
    assert_null(strstr(out, "s3cret"));
    free(out);
    tc_config_free(cfg);
}

static void test_production_secret(void **state)
{
    struct tc_config *cfg = new_cfg();
    struct tc_error err = {0};
    const char *sets[] = {"environment=production", "server.webhook_token="};
    struct tc_config_sources src = {.sets = sets, .n_sets = 2};

    (void)state;
    assert_int_equal(tc_config_load(cfg, &src, &err), TC_ECONFIG);
    assert_contains(err.msg, "server.webhook_token");
    assert_contains(err.msg, "secret is empty in production");
    assert_string_equal(tc_config_str(cfg, "environment"), "development");
    /* unset (default) is fine; set is fine; empty in development is fine */
    src.n_sets = 1;
    tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
    tc_config_free(cfg);
    cfg = new_cfg();
    sets[0] = "environment=development";
    src.n_sets = 2;
    tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
    /* switching to production later through tc_config_set is checked too */
    assert_int_equal(tc_config_set(cfg, "environment", "production", TC_CONFIG_CLI, &err),
                     TC_ECONFIG);
    assert_contains(err.msg, "server.webhook_token");
    assert_string_equal(tc_config_str(cfg, "environment"), "development");
    tc_config_free(cfg);
}

/* ---- tc_config_set ---- */

static void test_set(void **state)
{
    struct tc_config *cfg = new_cfg();
    struct tc_error err = {0};
    char *before;

    (void)state;
    tc_assert_ok(tc_config_set(cfg, "database.pool_size", "12", TC_CONFIG_ENV, &err), &err);
    assert_int_equal(tc_config_int(cfg, "database.pool_size"), 12);
    assert_int_equal(tc_config_source_of(cfg, "database.pool_size"), TC_CONFIG_ENV);
    before = dump(cfg);
    assert_int_equal(tc_config_set(cfg, "database.pool_size", "x", TC_CONFIG_CLI, &err),
                     TC_ECONFIG);
    assert_contains(err.msg, "database.pool_size: \"x\" is not an integer (--set)");
    assert_int_equal(tc_config_set(cfg, "no.such", "1", TC_CONFIG_CLI, &err), TC_ECONFIG);
    assert_contains(err.msg, "unknown key \"no.such\"");
    assert_int_equal(tc_config_set(cfg, "log.level", NULL, TC_CONFIG_CLI, &err), TC_EINVAL);
    assert_int_equal(tc_config_set(cfg, "log.level", "info", (enum tc_config_source)9, &err),
                     TC_EINVAL);
    {
        char *after = dump(cfg);
        assert_string_equal(before, after);
        free(after);
    }
    free(before);
    tc_config_free(cfg);
}

/* ---- the sample file ---- */

static void test_sample_round_trip(void **state)
{
    char ypath[640], *text = NULL;
    size_t len = 0;
    FILE *f;
    struct tc_error err = {0};
    struct tc_config *cfg = new_cfg(), *def = new_cfg();
    struct tc_config_sources src = {.yaml_path = ypath};

    (void)state;
    path_in(ypath, sizeof(ypath), "sample.yaml");
    f = fopen(ypath, "w");
    assert_non_null(f);
    tc_assert_ok(tc_config_write_sample(f, &err), &err);
    assert_int_equal(fclose(f), 0);
    tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
    for (size_t i = 0; i < tc_config_option_count(); i++) {
        const struct tc_config_option_info *o = tc_config_option_at(i);
        if (tc_config_source_of(cfg, o->key) != TC_CONFIG_FILE)
            fail_msg("%s: not in the sample", o->key);
    }
    /* same values as the defaults */
    {
        char *a, *b;
        json_t *ja, *jb;
        const char *k;
        json_t *v;
        a = dump(cfg);
        b = dump(def);
        ja = json_loads(a, 0, NULL);
        jb = json_loads(b, 0, NULL);
        assert_non_null(ja);
        assert_non_null(jb);
        json_object_foreach(ja, k, v) {
            assert_true(json_equal(json_object_get(v, "value"),
                                   json_object_get(json_object_get(jb, k), "value")));
            assert_string_equal(json_string_value(json_object_get(v, "source")), "file");
        }
        json_decref(ja);
        json_decref(jb);
        free(a);
        free(b);
    }
    /* every option's help is in it */
    f = open_memstream(&text, &len);
    tc_assert_ok(tc_config_write_sample(f, &err), &err);
    fclose(f);
    for (size_t i = 0; i < tc_config_option_count(); i++)
        assert_contains(text, tc_config_option_at(i)->help);
    assert_contains(text, "database:\n  historical:\n");
    free(text);
    tc_config_free(cfg);
    tc_config_free(def);
}

/* ---- show ---- */

static void test_show(void **state)
{
    struct tc_config *cfg = new_cfg();
    struct tc_error err = {0};
    char ypath[640], dpath[640];
    char *env[] = {(char *)"TC_DATABASE__HISTORICAL__URL=postgresql://ro:hist-pw@db.example.com/h?sslmode=require",
                   NULL};
    const char *sets[] = {"backtest.risk_free_rate=0.25", "log.stderr=off"};
    struct tc_config_sources src = {.yaml_path = ypath, .dotenv_path = dpath, .environ = env,
                                    .sets = sets, .n_sets = 2};
    char *out = NULL;
    size_t len = 0;
    FILE *f;
    json_t *root, *e;
    json_error_t jerr;

    (void)state;
    path_in(ypath, sizeof(ypath), "show.yaml");
    path_in(dpath, sizeof(dpath), "show.env");
    write_file("show.yaml", "database:\n  runtime:\n    url: postgresql://trader:s3cr3t-pw@localhost/rt\n"
                            "  pool_size: 6\n");
    write_file("show.env", "TC_SERVER__WEBHOOK_TOKEN=tok-123\n");
    tc_assert_ok(tc_config_load(cfg, &src, &err), &err);
    out = dump(cfg);
    assert_null(strstr(out, "s3cr3t-pw"));
    assert_null(strstr(out, "hist-pw"));
    assert_null(strstr(out, "tok-123"));
    root = json_loads(out, 0, &jerr);
    if (!root)
        fail_msg("show json: %s", jerr.text);
    assert_int_equal(json_object_size(root), tc_config_option_count());
    e = json_object_get(root, "database.runtime.url");
    assert_string_equal(json_string_value(json_object_get(e, "value")),
                        "postgresql://trader:***@localhost/rt");
    assert_string_equal(json_string_value(json_object_get(e, "source")), "file");
    e = json_object_get(root, "database.historical.url");
    assert_string_equal(json_string_value(json_object_get(e, "value")),
                        "postgresql://ro:***@db.example.com/h?sslmode=require");
    assert_string_equal(json_string_value(json_object_get(e, "source")), "env");
    e = json_object_get(root, "server.webhook_token");
    assert_string_equal(json_string_value(json_object_get(e, "value")), "***");
    assert_string_equal(json_string_value(json_object_get(e, "source")), "dotenv");
    e = json_object_get(root, "database.pool_size");
    assert_true(json_is_integer(json_object_get(e, "value")));
    assert_int_equal(json_integer_value(json_object_get(e, "value")), 6);
    assert_string_equal(json_string_value(json_object_get(e, "source")), "file");
    e = json_object_get(root, "backtest.risk_free_rate");
    assert_true(json_is_real(json_object_get(e, "value")));
    assert_true(json_real_value(json_object_get(e, "value")) == 0.25);
    assert_string_equal(json_string_value(json_object_get(e, "source")), "cli");
    e = json_object_get(root, "log.stderr");
    assert_true(json_is_false(json_object_get(e, "value")));
    e = json_object_get(root, "log.level");
    assert_string_equal(json_string_value(json_object_get(e, "value")), "info");
    assert_string_equal(json_string_value(json_object_get(e, "source")), "default");
    e = json_object_get(root, "log.keep");
    assert_int_equal(json_integer_value(json_object_get(e, "value")), 5);
    json_decref(root);
    free(out);

    /* text, with and without sources */
    out = NULL;
    f = open_memstream(&out, &len);
    tc_assert_ok(tc_config_show(cfg, f, 0, 1, &err), &err);
    fclose(f);
    assert_contains(out, "database.pool_size = 6  # file (");
    assert_contains(out, "show.yaml:4)\n");
    assert_contains(out, "database.runtime.url = postgresql://trader:***@localhost/rt  # file");
    assert_contains(out, "server.webhook_token = ***  # dotenv (");
    assert_contains(out, "log.level = info  # default\n");
    assert_contains(out, "log.file = \"\"  # default\n");
    assert_null(strstr(out, "s3cr3t-pw"));
    free(out);
    out = NULL;
    f = open_memstream(&out, &len);
    tc_assert_ok(tc_config_show(cfg, f, 0, 0, &err), &err);
    fclose(f);
    assert_contains(out, "environment = development\nlog.level = info\n");
    assert_null(strstr(out, "#"));
    free(out);
    assert_int_equal(tc_config_show(NULL, stdout, 0, 0, &err), TC_EINVAL);
    tc_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_missing_files),
        cmocka_unit_test(test_interpolation),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_values_accepted),
        cmocka_unit_test(test_huge_values),
        cmocka_unit_test(test_dotenv_syntax),
        cmocka_unit_test(test_yaml_forms),
        cmocka_unit_test(test_production),
        cmocka_unit_test(test_production_secret),
        cmocka_unit_test(test_production_tokens),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_sample_round_trip),
        cmocka_unit_test(test_show),
    };

    if (tc_test_tmpdir("config", dir, sizeof(dir)) != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
