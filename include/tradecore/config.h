/*
 * Configuration: one options table drives YAML, .env, environment, command-line
 * --set, `--help` text and `config show`.
 *
 * Sources, in increasing precedence: built-in defaults < YAML file (--config
 * FILE, else ./tradecore.yaml when present) < .env file < environment (TC_
 * prefix, nested keys joined with "__": TC_DATABASE__RUNTIME__URL) < --set
 * key=value. YAML values may use ${VAR} and ${VAR:-default}. Keys are dotted
 * ("database.runtime.url"). Unknown keys are errors; validation names the key,
 * the bad value and the source (file:line for YAML).
 *
 * Thread-safety: a loaded tc_config is read-only and may be shared by threads.
 */
#ifndef TRADECORE_CONFIG_H
#define TRADECORE_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "tradecore/error.h"

struct tc_config;

enum tc_config_source {
    TC_CONFIG_DEFAULT = 0,
    TC_CONFIG_FILE,
    TC_CONFIG_DOTENV,
    TC_CONFIG_ENV,
    TC_CONFIG_CLI
};

/* Where a load reads from. Every field may be NULL / 0. */
struct tc_config_sources {
    const char *yaml_path;      /* --config FILE (must exist), or NULL */
    const char *default_yaml;   /* read when present and yaml_path is NULL ("tradecore.yaml") */
    const char *dotenv_path;    /* read when present (".env") */
    char *const *environ;       /* NAME=VALUE strings, NULL-terminated; NULL = none */
    const char *const *sets;    /* "key=value" from --set */
    size_t n_sets;
};

/* Allocates a configuration holding the defaults. Free with tc_config_free. */
int tc_config_new(struct tc_config **out, struct tc_error *err);
void tc_config_free(struct tc_config *cfg);   /* NULL allowed */

/*
 * Applies SRC over CFG's defaults, then validates everything (types, ranges,
 * enumerations, and the production checks when environment=production).
 * On error CFG is left as it was before the call and ERR names key, value and
 * source: `database.pool_size: "abc" is not an integer (tradecore.yaml:7)`.
 */
int tc_config_load(struct tc_config *cfg, const struct tc_config_sources *src,
                   struct tc_error *err);

/* Sets one key from text as if given by SOURCE (validated; TC_ECONFIG on error). */
int tc_config_set(struct tc_config *cfg, const char *key, const char *value,
                  enum tc_config_source source, struct tc_error *err);

/* Typed getters. The key must be in the options table and of that type; an
 * unknown key is a programming error (asserted). Strings are owned by CFG and
 * valid until it is freed or changed; NULL when unset. */
const char *tc_config_str(const struct tc_config *cfg, const char *key);
int64_t tc_config_int(const struct tc_config *cfg, const char *key);
double tc_config_double(const struct tc_config *cfg, const char *key);
int tc_config_bool(const struct tc_config *cfg, const char *key);
enum tc_config_source tc_config_source_of(const struct tc_config *cfg, const char *key);
const char *tc_config_source_name(enum tc_config_source s); /* "default", "file", … */

/*
 * Prints the effective configuration to OUT, secrets redacted (passwords in
 * URLs, tokens). Text: "key = value" lines, with "  # source" when SOURCES.
 * JSON: one flat object {"key": {"value": …, "source": "…"}, …}.
 */
int tc_config_show(const struct tc_config *cfg, FILE *out, int json, int sources,
                   struct tc_error *err);

/* Writes the commented sample tradecore.yaml (every option with its default and
 * help) to OUT. */
int tc_config_write_sample(FILE *out, struct tc_error *err);

/* Iterates over the options table: for `--help` output. */
struct tc_config_option_info {
    const char *key;
    const char *type;   /* "string", "int", "double", "bool", "enum" */
    const char *def;    /* default as text */
    const char *help;
};
size_t tc_config_option_count(void);
const struct tc_config_option_info *tc_config_option_at(size_t i);

#endif
