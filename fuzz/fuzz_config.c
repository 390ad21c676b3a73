/*
 * Fuzz target: the YAML configuration loader (config.h, tc_config_load with
 * a --config file). Each input is written to "tradecore.yaml" in the
 * process's scratch directory and loaded over the defaults, with no .env,
 * no environment and no --set. Properties:
 *  - a failure has a message, and leaves the configuration exactly as it was
 *    (its `config show` text is unchanged);
 *  - after a success, `config show` works in text and in JSON, and the JSON
 *    is one valid object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_util.h"
#include "tradecore/config.h"

#include "internal/banned.h"

/* tc_config_show output as a malloc'd string (caller frees). */
static char *show(const struct tc_config *cfg, int json)
{
    char *buf = NULL;
    size_t len = 0;
    struct tc_error err;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        tc_fuzz_fail("open_memstream failed");
    if (tc_config_show(cfg, f, json, 1, &err) != 0)
        tc_fuzz_fail("config show (json %d) failed: %s", json, err.msg);
    if (fclose(f) != 0)
        tc_fuzz_fail("config show: stream failed");
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *defaults;
    struct tc_config *cfg = NULL;
    struct tc_config_sources src;
    struct tc_error err;
    char path[1024];
    char *text, *js;
    json_t *j;
    json_error_t jerr;

    if (tc_fuzz_write_file(tc_fuzz_tmpdir(), "tradecore.yaml", data, size, path,
                           sizeof(path)) != 0)
        tc_fuzz_fail("cannot write the input file");
    if (tc_config_new(&cfg, &err) != 0)
        tc_fuzz_fail("config new failed: %s", err.msg);
    if (!defaults)
        defaults = show(cfg, 0);  /* kept for the process */

    memset(&src, 0, sizeof(src));
    src.yaml_path = path;
    if (tc_config_load(cfg, &src, &err) != 0) {
        if (err.msg[0] == '\0')
            tc_fuzz_fail("load failed without a message");
        text = show(cfg, 0);
        if (strcmp(text, defaults) != 0)
            tc_fuzz_fail("a failed load (%s) changed the configuration", err.msg);
        free(text);
        tc_config_free(cfg);
        return 0;
    }
    text = show(cfg, 0);
    js = show(cfg, 1);
    j = json_loads(js, 0, &jerr);
    if (!j || !json_is_object(j))
        tc_fuzz_fail("config show --json is not a JSON object: %s", jerr.text);
    json_decref(j);
    free(js);
    free(text);
    tc_config_free(cfg);
    return 0;
}
