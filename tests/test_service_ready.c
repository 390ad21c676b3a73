/*
 * The service's /ready and /health in-process, over real stores: /ready is
 * 503 with its reasons while the stores' migrations are pending or the role
 * is not settled, and 200 once both hold; /health names a store that has
 * become unreachable (its PostgreSQL database dropped) with 503, and /ready
 * follows within a few heartbeats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "tc_test.h"
#include "tradecore/migrate.h"
#include "tradecore/service.h"
#include "tradecore/store.h"

struct reply {
    long status;
    char body[16384];
    size_t len;
    char retry_after[32];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct reply *r = ud;
    size_t k = sz * n;

    if (r->len + k >= sizeof(r->body))
        k = sizeof(r->body) - 1 - r->len;
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = '\0';
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct reply *r = ud;
    size_t len = sz * n;

    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        size_t a = 12, b = len;
        while (a < b && p[a] == ' ')
            a++;
        while (b > a && (p[b - 1] == '\r' || p[b - 1] == '\n'))
            b--;
        snprintf(r->retry_after, sizeof(r->retry_after), "%.*s", (int)(b - a), p + a);
    }
    return len;
}

static struct reply get(struct tc_service *svc, const char *path)
{
    struct reply r = {0};
    CURL *h = curl_easy_init();
    char url[256];

    assert_non_null(h);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", tc_http_server_port(tc_service_http(svc)),
             path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(h);
    return r;
}

/* The reply's JSON (caller decrefs); fails the test when it is not JSON. */
static json_t *body_json(const struct reply *r)
{
    json_error_t je;
    json_t *j = json_loads(r->body, 0, &je);

    if (!j)
        fail_msg("not JSON (%s): %s", je.text, r->body);
    return j;
}

/* The reasons of a 503 /ready as one "a|b|c" string. */
static void reasons(const struct reply *r, char *buf, size_t cap)
{
    json_t *j = body_json(r), *why = json_object_get(j, "reasons"), *v;
    size_t i, len = 0;

    buf[0] = '\0';
    assert_true(json_is_array(why));
    assert_true(json_is_false(json_object_get(j, "ready")));
    json_array_foreach(why, i, v) {
        assert_true(json_is_string(v));
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? "|" : "", json_string_value(v));
        assert_true(len < cap);
    }
    json_decref(j);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls /ready until its reasons are WANT ("" = 200 ready), at most ~10 s;
 * returns the last reply. */
static struct reply ready_until(struct tc_service *svc, const char *want)
{
    struct reply r;
    char got[1024] = "";

    for (int i = 0; i < 500; i++) {
        r = get(svc, "/ready");
        if (r.status == 200) {
            got[0] = '\0';
        } else {
            assert_int_equal(r.status, 503);
            reasons(&r, got, sizeof(got));
        }
        if (strcmp(got, want) == 0)
            return r;
        sleep_ms(20);
    }
    fail_msg("/ready: reasons \"%s\", want \"%s\" (%ld %s)", got, want, r.status, r.body);
    return r;
}

static void opts(struct tc_service_options *so)
{
    memset(so, 0, sizeof(*so));
    tc_http_options_default(&so->http);
    so->http.listen = "127.0.0.1:0";
    so->http.threads = 2;
    so->http.tokens = "tok";
    so->http.stop_timeout_ms = 2000;
    so->mode = "paper";
    so->heartbeat_ms = 20;
}

static void migrate(struct tc_store *s, const char *store)
{
    struct tc_migration_set *set = NULL;
    struct tc_error err = {0};

    tc_assert_ok(tc_migration_set_load_embedded(tc_store_backend_name(s), store, &set, &err), &err);
    tc_assert_ok(tc_migrate_up(s, set, -1, 0, NULL, NULL, &err), &err);
    tc_migration_set_free(set);
}

/* A component of /health: its "status" and "reachable" (-1 when absent). */
static void component(const struct reply *r, const char *name, char *status, size_t cap,
                      int *reachable)
{
    json_t *j = body_json(r), *c = json_object_get(json_object_get(j, "components"), name);

    assert_non_null(c);
    snprintf(status, cap, "%s", json_string_value(json_object_get(c, "status")));
    *reachable = json_is_boolean(json_object_get(c, "reachable"))
                     ? json_is_true(json_object_get(c, "reachable"))
                     : -1;
    json_decref(j);
}

/* sqlite stores: pending migrations, then an unsettled role, then ready. */
static void test_ready_follows_migrations_and_role(void **state)
{
    char dir[512], url[600];
    struct tc_store *rt = NULL, *hi = NULL;
    struct tc_service *svc = NULL;
    struct tc_service_options so;
    struct tc_error err = {0};
    struct reply r;
    char st[32];
    int reach;
    json_t *j;

    (void)state;
    assert_int_equal(tc_test_tmpdir("service_ready", dir, sizeof(dir)), 0);
    snprintf(url, sizeof(url), "sqlite:%s/runtime.db", dir);
    tc_assert_ok(tc_store_open(url, NULL, &rt, &err), &err);
    snprintf(url, sizeof(url), "sqlite:%s/historical.db", dir);
    tc_assert_ok(tc_store_open(url, NULL, &hi, &err), &err);
    opts(&so);
    tc_assert_ok(tc_service_new(&so, rt, hi, &svc, &err), &err);
    assert_int_equal(tc_service_role(svc), TC_ROLE_UNKNOWN);

    /* nothing migrated: the service says so and refuses to call itself ready */
    assert_int_equal(tc_service_check_migrations(svc, &err), TC_ESTATE);
    assert_non_null(strstr(tc_error_msg(&err), "runtime store:"));
    assert_non_null(strstr(tc_error_msg(&err), "tradecore db migrate"));
    tc_assert_ok(tc_service_start(svc, &err), &err);
    r = ready_until(svc, "runtime store migrations not current|historical store migrations not "
                         "current|role not settled");
    assert_string_equal(r.retry_after, "1");
    r = get(svc, "/health");
    assert_int_equal(r.status, 503);
    component(&r, "runtime", st, sizeof(st), &reach);
    assert_string_equal(st, "fail");
    assert_int_equal(reach, 1);
    component(&r, "role", st, sizeof(st), &reach);
    assert_string_equal(st, "fail");
    r = get(svc, "/ping"); /* liveness does not depend on readiness */
    assert_int_equal(r.status, 200);

    /* the runtime store migrated: only the historical one and the role remain */
    migrate(tc_service_runtime(svc), "runtime");
    ready_until(svc, "historical store migrations not current|role not settled");
    migrate(tc_service_historical(svc), "historical");
    tc_assert_ok(tc_service_check_migrations(svc, &err), &err);
    r = ready_until(svc, "role not settled");
    assert_int_equal(r.status, 503);
    r = get(svc, "/health");
    assert_int_equal(r.status, 503);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "fail");
    json_decref(j);
    component(&r, "runtime", st, sizeof(st), &reach);
    assert_string_equal(st, "ok");
    component(&r, "historical", st, sizeof(st), &reach);
    assert_string_equal(st, "ok");
    component(&r, "role", st, sizeof(st), &reach);
    assert_string_equal(st, "fail");
    assert_non_null(strstr(r.body, "\"role\":\"unknown\""));

    /* the role settles: ready and healthy */
    tc_service_set_role(svc, TC_ROLE_FOLLOWER);
    r = ready_until(svc, "");
    assert_string_equal(r.body, "{\"ready\":true}");
    assert_string_equal(r.retry_after, "");
    r = get(svc, "/health");
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    json_decref(j);
    assert_non_null(strstr(r.body, "\"role\":\"follower\""));
    tc_service_set_role(svc, TC_ROLE_LEADER);
    r = get(svc, "/ready");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(get(svc, "/health").body, "\"role\":\"leader\""));

    /* back to unknown (a lost election): not ready again */
    tc_service_set_role(svc, TC_ROLE_UNKNOWN);
    r = get(svc, "/ready");
    assert_int_equal(r.status, 503);
    reasons(&r, st, sizeof(st));
    assert_string_equal(st, "role not settled");
    assert_int_equal(get(svc, "/health").status, 503);

    tc_assert_ok(tc_service_stop(svc, &err), &err);
    tc_service_free(svc);
}

/* A PostgreSQL database that goes away under a running service. */
static void test_health_names_an_unreachable_store(void **state)
{
    char rt_url[512], dir[512], url[600], cmd[2048], st[64];
    const char *server = tc_test_pg_server_url();
    struct tc_store *rt = NULL, *hi = NULL;
    struct tc_store_options o;
    struct tc_service *svc = NULL;
    struct tc_service_options so;
    struct tc_error err = {0};
    struct reply r;
    const char *dbname;
    json_t *j, *c;
    int reach;

    (void)state;
    assert_non_null(server);
    assert_int_equal(tc_test_pg_create_db("svcready", rt_url, sizeof(rt_url)), 0);
    assert_int_equal(tc_test_tmpdir("service_health", dir, sizeof(dir)), 0);
    tc_store_options_default(&o);
    o.connect_attempts = 1;
    o.pool_size = 2;
    tc_assert_ok(tc_store_open(rt_url, &o, &rt, &err), &err);
    snprintf(url, sizeof(url), "sqlite:%s/historical.db", dir);
    tc_assert_ok(tc_store_open(url, NULL, &hi, &err), &err);
    migrate(rt, "runtime");
    migrate(hi, "historical");
    opts(&so);
    tc_assert_ok(tc_service_new(&so, rt, hi, &svc, &err), &err);
    tc_service_set_role(svc, TC_ROLE_LEADER);
    tc_assert_ok(tc_service_start(svc, &err), &err);
    ready_until(svc, "");
    r = get(svc, "/health");
    assert_int_equal(r.status, 200);
    component(&r, "runtime", st, sizeof(st), &reach);
    assert_string_equal(st, "ok");
    assert_int_equal(reach, 1);

    /* the runtime database goes away (its sessions cut) */
    dbname = strstr(rt_url, "svcready_"); /* "<prefix>_<pid>_<n>" (tc_test.h) */
    assert_non_null(dbname);
    snprintf(cmd, sizeof(cmd), "psql -q -X '%s' -c 'DROP DATABASE %.*s WITH (FORCE)' >/dev/null",
             server, (int)strcspn(dbname, "?"), dbname);
    assert_int_equal(system(cmd), 0);

    r = get(svc, "/health");
    assert_int_equal(r.status, 503);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "fail");
    c = json_object_get(json_object_get(j, "components"), "runtime");
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "status")), "fail");
    assert_true(json_is_false(json_object_get(c, "reachable")));
    assert_string_equal(json_string_value(json_object_get(c, "backend")), "postgres");
    assert_true(json_is_null(json_object_get(c, "schema")));
    assert_true(json_is_string(json_object_get(c, "error")));
    assert_true(strlen(json_string_value(json_object_get(c, "error"))) > 0);
    /* the other components are unaffected and say so */
    c = json_object_get(json_object_get(j, "components"), "historical");
    assert_string_equal(json_string_value(json_object_get(c, "status")), "ok");
    c = json_object_get(json_object_get(j, "components"), "role");
    assert_string_equal(json_string_value(json_object_get(c, "status")), "ok");
    json_decref(j);

    r = ready_until(svc, "runtime store unreachable");
    assert_string_equal(r.retry_after, "1");
    assert_int_equal(get(svc, "/ping").status, 200);

    tc_assert_ok(tc_service_stop(svc, &err), &err);
    tc_service_free(svc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_follows_migrations_and_role),
        cmocka_unit_test(test_health_names_an_unreachable_store),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    curl_global_cleanup();
    return rc;
}
