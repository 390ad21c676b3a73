/*
 * IANA time zones: a reader for TZif files (RFC 8536, version 2 and later),
 * the POSIX TZ rule of their footer for instants after the last transition,
 * wall-time <-> UTC conversion with an explicit gap/fold policy, and a
 * process-wide cache of loaded zones (mutex-protected; zones are immutable).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/civil.h"
#include "tradecore/clock.h"
#include "tradecore/tz.h"
#include "internal/banned.h"

#define TZ_DIR "/usr/share/zoneinfo"
#define TZ_NAME_MAX 255
#define TZ_FILE_MAX (1 << 20)
#define US_PER_S INT64_C(1000000)

struct tz_type {
    int32_t off;
    int is_dst;
    char abbr[16];
};

/* A POSIX TZ date rule: Jn (julian, no Feb 29), n (zero-based day of year) or
 * Mm.w.d, and the local time of day (seconds) the change happens at. */
struct tz_rule_date {
    char kind; /* 'J', 'N' or 'M' */
    int n, m, w, d;
    int32_t time_s;
};

struct tz_rule {
    struct tz_type std, dst;
    int has_dst;
    struct tz_rule_date start, end;
};

struct tc_tz {
    char *name;
    size_t n_trans;
    int64_t *trans;     /* transition instants, UTC seconds, ascending */
    uint8_t *trans_idx; /* type index in force from each transition */
    size_t n_types;
    struct tz_type *types;
    int has_rule;
    struct tz_rule rule;
    struct tc_tz *next; /* cache list */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* 0 = Sunday */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 11) % 7);
}

/* ---- POSIX TZ rules ---------------------------------------------------- */

static const char *parse_abbr(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    if (*p == '<') {
        p++;
        while (*p && *p != '>') {
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '+' || *p == '-'))
                return NULL;
            if (n + 1 >= cap)
                return NULL;
            out[n++] = *p++;
        }
        if (*p != '>')
            return NULL;
        p++;
    } else {
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
            if (n + 1 >= cap)
                return NULL;
            out[n++] = *p++;
        }
    }
    if (n < 3)
        return NULL;
    out[n] = '\0';
    return p;
}

/* [+-]hh[:mm[:ss]] with hours up to MAXH; *OUT in seconds. */
static const char *parse_hms(const char *p, int maxh, int32_t *out)
{
    int sign = 1, h = 0, m = 0, s = 0, digits = 0;
    if (*p == '+' || *p == '-')
        sign = (*p++ == '-') ? -1 : 1;
    while (*p >= '0' && *p <= '9' && digits < 3) {
        h = h * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || h > maxh)
        return NULL;
    if (*p == ':') {
        p++;
        if (!(p[0] >= '0' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9'))
            return NULL;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (*p == ':') {
            p++;
            if (!(p[0] >= '0' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9'))
                return NULL;
            s = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *parse_num(const char *p, int lo, int hi, int *out)
{
    int v = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 4) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || v < lo || v > hi)
        return NULL;
    *out = v;
    return p;
}

static const char *parse_rule_date(const char *p, struct tz_rule_date *rd)
{
    memset(rd, 0, sizeof(*rd));
    if (*p == 'M') {
        rd->kind = 'M';
        if (!(p = parse_num(p + 1, 1, 12, &rd->m)) || *p != '.' ||
            !(p = parse_num(p + 1, 1, 5, &rd->w)) || *p != '.' ||
            !(p = parse_num(p + 1, 0, 6, &rd->d)))
            return NULL;
    } else if (*p == 'J') {
        rd->kind = 'J';
        if (!(p = parse_num(p + 1, 1, 365, &rd->n)))
            return NULL;
    } else {
        rd->kind = 'N';
        if (!(p = parse_num(p, 0, 365, &rd->n)))
            return NULL;
    }
    rd->time_s = 7200;
    if (*p == '/' && !(p = parse_hms(p + 1, 167, &rd->time_s)))
        return NULL;
    return p;
}

static int parse_posix(const char *s, struct tz_rule *r)
{
    const char *p = s;
    int32_t v;

    memset(r, 0, sizeof(*r));
    if (!(p = parse_abbr(p, r->std.abbr, sizeof(r->std.abbr))))
        return -1;
    if (!(p = parse_hms(p, 24, &v)))
        return -1;
    r->std.off = -v; /* POSIX offsets are positive west of Greenwich */
    if (*p == '\0')
        return 0;
    if (!(p = parse_abbr(p, r->dst.abbr, sizeof(r->dst.abbr))))
        return -1;
    r->has_dst = 1;
    r->dst.is_dst = 1;
    r->dst.off = r->std.off + 3600;
    if (*p && *p != ',') {
        if (!(p = parse_hms(p, 24, &v)))
            return -1;
        r->dst.off = -v;
    }
    /* POSIX leaves a missing rule implementation-defined: refuse to guess. */
    if (*p != ',' || !(p = parse_rule_date(p + 1, &r->start)) || *p != ',' ||
        !(p = parse_rule_date(p + 1, &r->end)) || *p != '\0')
        return -1;
    return 0;
}

/* Days since the epoch of the rule date RD in year Y. */
static int64_t rule_day(const struct tz_rule_date *rd, int y)
{
    int64_t jan1 = tc_days_from_civil(y, 1, 1);
    if (rd->kind == 'J')
        return jan1 + rd->n - 1 + ((tc__days_in_month(y, 2) == 29 && rd->n >= 60) ? 1 : 0);
    if (rd->kind == 'N')
        return jan1 + rd->n;
    {
        int64_t first = tc_days_from_civil(y, rd->m, 1);
        int day = 1 + (rd->d - weekday(first) + 7) % 7 + (rd->w - 1) * 7;
        while (day > tc__days_in_month(y, rd->m))
            day -= 7;
        return first + day - 1;
    }
}

static const struct tz_type *rule_type(const struct tz_rule *r, int64_t t)
{
    int y, m, d;
    int64_t start, end;

    if (!r->has_dst)
        return &r->std;
    tc_civil_from_days(floor_div(t + r->std.off, 86400), &y, &m, &d);
    /* The start is given in standard time, the end in daylight time. */
    start = rule_day(&r->start, y) * 86400 + r->start.time_s - r->std.off;
    end = rule_day(&r->end, y) * 86400 + r->end.time_s - r->dst.off;
    if (start < end)
        return (t >= start && t < end) ? &r->dst : &r->std;
    return (t >= end && t < start) ? &r->std : &r->dst;
}

/* The local time type in force at UTC second T. */
static const struct tz_type *type_at(const struct tc_tz *tz, int64_t t)
{
    size_t lo, hi;

    if (tz->n_trans == 0)
        return tz->has_rule ? rule_type(&tz->rule, t) : &tz->types[0];
    if (t < tz->trans[0])
        return &tz->types[0];
    if (t >= tz->trans[tz->n_trans - 1] && tz->has_rule)
        return rule_type(&tz->rule, t);
    lo = 0;
    hi = tz->n_trans; /* invariant: trans[lo] <= t, and t < trans[hi] if hi < n */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return &tz->types[tz->trans_idx[lo]];
}

/* ---- TZif -------------------------------------------------------------- */

struct reader {
    const unsigned char *p;
    size_t left;
};

static int take(struct reader *r, size_t n, const unsigned char **out)
{
    if (r->left < n)
        return -1;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)(((uint64_t)be32(p) << 32) | be32(p + 4));
}

struct tzif_header {
    char version;
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int read_header(struct reader *r, struct tzif_header *h)
{
    const unsigned char *p;
    if (take(r, 44, &p) != 0 || memcmp(p, "TZif", 4) != 0)
        return -1;
    h->version = (char)p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return 0;
}

static void tz_free_fields(struct tc_tz *tz)
{
    free(tz->name);
    free(tz->trans);
    free(tz->trans_idx);
    free(tz->types);
}

void tc_tz_free(struct tc_tz *tz)
{
    if (!tz)
        return;
    tz_free_fields(tz);
    free(tz);
}

#define PARSE_FAIL(...)                                   \
    do {                                                  \
        rc = tc_error_set(err, TC_EPARSE, __VA_ARGS__);   \
        goto out;                                         \
    } while (0)

static int parse_tzif(const unsigned char *buf, size_t len, const char *label, struct tc_tz *tz,
                      struct tc_error *err)
{
    struct reader r = {buf, len};
    struct tzif_header h;
    const unsigned char *p, *idx, *types, *chars;
    size_t skip, i;
    int rc = 0;

    if (read_header(&r, &h) != 0)
        PARSE_FAIL("zone \"%s\": not a TZif file (bad magic or too short)", label);
    if (h.version < '2')
        PARSE_FAIL("zone \"%s\": TZif version 1 files are not supported", label);
    /* Skip the version-1 data block: its 32-bit times are superseded. */
    skip = (size_t)h.timecnt * 5 + (size_t)h.typecnt * 6 + h.charcnt + (size_t)h.leapcnt * 8 +
           h.isstdcnt + h.isutcnt;
    if (h.timecnt > 100000 || h.typecnt > 256 || h.charcnt > 4096 || h.leapcnt > 1000 ||
        take(&r, skip, &p) != 0)
        PARSE_FAIL("zone \"%s\": truncated version 1 data", label);
    if (read_header(&r, &h) != 0)
        PARSE_FAIL("zone \"%s\": missing version 2 header", label);
    if (h.typecnt == 0 || h.typecnt > 256 || h.charcnt == 0 || h.charcnt > 4096 ||
        h.timecnt > 100000)
        PARSE_FAIL("zone \"%s\": bad counts (%u types, %u abbreviation bytes, %u transitions)",
                   label, h.typecnt, h.charcnt, h.timecnt);
    if (h.leapcnt != 0)
        PARSE_FAIL("zone \"%s\": leap-second zones are not supported", label);
    if ((h.isstdcnt != 0 && h.isstdcnt != h.typecnt) ||
        (h.isutcnt != 0 && h.isutcnt != h.typecnt))
        PARSE_FAIL("zone \"%s\": bad standard/UT indicator counts", label);
    if (take(&r, (size_t)h.timecnt * 8, &p) != 0 || take(&r, h.timecnt, &idx) != 0 ||
        take(&r, (size_t)h.typecnt * 6, &types) != 0 || take(&r, h.charcnt, &chars) != 0 ||
        take(&r, (size_t)h.isstdcnt + h.isutcnt, &buf) != 0)
        PARSE_FAIL("zone \"%s\": truncated version 2 data", label);
    if (chars[h.charcnt - 1] != '\0')
        PARSE_FAIL("zone \"%s\": abbreviations are not NUL-terminated", label);

    tz->n_trans = h.timecnt;
    tz->n_types = h.typecnt;
    tz->trans = malloc(sizeof(*tz->trans) * (h.timecnt ? h.timecnt : 1));
    tz->trans_idx = malloc(h.timecnt ? h.timecnt : 1);
    tz->types = calloc(h.typecnt, sizeof(*tz->types));
    if (!tz->trans || !tz->trans_idx || !tz->types) {
        rc = tc_error_set(err, TC_ENOMEM, "zone \"%s\": out of memory", label);
        goto out;
    }
    for (i = 0; i < h.timecnt; i++) {
        tz->trans[i] = be64(p + i * 8);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
            PARSE_FAIL("zone \"%s\": transition %zu is not after the previous one", label, i);
        if (idx[i] >= h.typecnt)
            PARSE_FAIL("zone \"%s\": transition %zu names type %u of %u", label, i, idx[i],
                       h.typecnt);
        tz->trans_idx[i] = idx[i];
    }
    for (i = 0; i < h.typecnt; i++) {
        const unsigned char *t = types + i * 6;
        int32_t off = (int32_t)be32(t);
        if (off < -25 * 3600 || off > 26 * 3600)
            PARSE_FAIL("zone \"%s\": type %zu has offset %ld out of range", label, i, (long)off);
        if (t[4] > 1 || t[5] >= h.charcnt)
            PARSE_FAIL("zone \"%s\": type %zu is malformed", label, i);
        tz->types[i].off = off;
        tz->types[i].is_dst = t[4];
        snprintf(tz->types[i].abbr, sizeof(tz->types[i].abbr), "%s", (const char *)chars + t[5]);
    }
    /* Footer: "\n<POSIX TZ rule>\n"; an empty rule means none. */
    if (take(&r, 1, &p) != 0 || *p != '\n')
        PARSE_FAIL("zone \"%s\": missing footer", label);
    {
        const unsigned char *nl = memchr(r.p, '\n', r.left);
        char rule[128];
        size_t n;
        if (!nl)
            PARSE_FAIL("zone \"%s\": unterminated footer", label);
        n = (size_t)(nl - r.p);
        if (n >= sizeof(rule))
            PARSE_FAIL("zone \"%s\": footer rule too long", label);
        memcpy(rule, r.p, n);
        rule[n] = '\0';
        if (n > 0) {
            if (memchr(rule, '\0', n) || parse_posix(rule, &tz->rule) != 0)
                PARSE_FAIL("zone \"%s\": bad footer rule \"%s\"", label, rule);
            tz->has_rule = 1;
        }
    }
out:
    return rc;
}

static int load_path(const char *path, const char *label, struct tc_tz **out, struct tc_error *err)
{
    struct tc_tz *tz = NULL;
    unsigned char *buf = NULL;
    struct stat st;
    size_t got = 0;
    int fd, rc = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return tc_error_set(err, TC_ENOTFOUND, "zone \"%s\": no such time zone", label);
        return tc_error_set(err, TC_EIO, "zone \"%s\": cannot open %s: %s", label, path,
                            strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = tc_error_set(err, TC_ENOTFOUND, "zone \"%s\": no such time zone", label);
        goto out;
    }
    if (st.st_size > TZ_FILE_MAX) {
        rc = tc_error_set(err, TC_EPARSE, "zone \"%s\": file too large (%lld bytes)", label,
                          (long long)st.st_size);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    tz = calloc(1, sizeof(*tz));
    if (!buf || !tz || !(tz->name = strdup(label))) {
        rc = tc_error_set(err, TC_ENOMEM, "zone \"%s\": out of memory", label);
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = tc_error_set(err, TC_EIO, "zone \"%s\": cannot read %s", label, path);
            goto out;
        }
        got += (size_t)n;
    }
    if ((rc = parse_tzif(buf, got, label, tz, err)) != 0)
        goto out;
    *out = tz;
    tz = NULL;
out:
    close(fd);
    free(buf);
    tc_tz_free(tz);
    return rc;
}

int tc_tz_load_file(const char *path, const char *name, struct tc_tz **out, struct tc_error *err)
{
    if (!path || !out)
        return tc_error_set(err, TC_EINVAL, "zone file: no path given");
    return load_path(path, name ? name : path, out, err);
}

int tc_tz_from_posix(const char *rule, struct tc_tz **out, struct tc_error *err)
{
    struct tc_tz *tz;

    if (!rule || !out)
        return tc_error_set(err, TC_EINVAL, "posix tz rule: none given");
    tz = calloc(1, sizeof(*tz));
    if (!tz || !(tz->name = strdup(rule)) || !(tz->types = calloc(1, sizeof(*tz->types)))) {
        tc_tz_free(tz);
        return tc_error_set(err, TC_ENOMEM, "posix tz rule \"%s\": out of memory", rule);
    }
    if (strlen(rule) > 127 || parse_posix(rule, &tz->rule) != 0) {
        tc_tz_free(tz);
        return tc_error_set(err, TC_EPARSE, "posix tz rule \"%.127s\": malformed", rule);
    }
    tz->has_rule = 1;
    tz->n_types = 1;
    tz->types[0] = tz->rule.std;
    *out = tz;
    return 0;
}

/* ---- the cache --------------------------------------------------------- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tc_tz *cache_head;

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '+' || c == '-'))
            return 0;
        if (c == '/' && name[i + 1] == '/')
            return 0;
    }
    return 1;
}

int tc_tz_get(const char *name, const struct tc_tz **out, struct tc_error *err)
{
    char path[sizeof(TZ_DIR) + TZ_NAME_MAX + 2];
    struct tc_tz *tz;
    int rc = 0;

    if (!name || !out)
        return tc_error_set(err, TC_EINVAL, "time zone: no name given");
    if (!valid_name(name))
        return tc_error_set(err, TC_EINVAL, "time zone \"%.*s\": not a valid zone name", 64,
                            name);
    pthread_mutex_lock(&cache_lock);
    for (tz = cache_head; tz; tz = tz->next)
        if (strcmp(tz->name, name) == 0)
            break;
    if (!tz) {
        snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
        if ((rc = load_path(path, name, &tz, err)) == 0) {
            tz->next = cache_head;
            cache_head = tz;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (rc == 0)
        *out = tz;
    return rc;
}

const char *tc_tz_name(const struct tc_tz *tz)
{
    return tz ? tz->name : "";
}

/* ---- conversions ------------------------------------------------------- */

/* UTC seconds of 0001-01-01T00:00:00 and 10000-01-01T00:00:00. */
static int64_t min_s(void) { return tc_days_from_civil(1, 1, 1) * 86400; }
static int64_t end_s(void) { return tc_days_from_civil(10000, 1, 1) * 86400; }

int tc_tz_to_local(const struct tc_tz *tz, int64_t utc_us, struct tc_local_time *out,
                   struct tc_error *err)
{
    int64_t s = floor_div(utc_us, US_PER_S), local, days, sod;
    const struct tz_type *t;

    if (!tz || !out)
        return tc_error_set(err, TC_EINVAL, "time zone: no zone or output given");
    if (s < min_s() + 2 * 86400 || s >= end_s() - 2 * 86400)
        return tc_error_set(err, TC_ERANGE, "zone \"%s\": instant %lld us is outside years 1..9999",
                            tz->name, (long long)utc_us);
    t = type_at(tz, s);
    local = s + t->off;
    days = floor_div(local, 86400);
    sod = local - days * 86400;
    memset(out, 0, sizeof(*out));
    tc_civil_from_days(days, &out->wall.year, &out->wall.month, &out->wall.day);
    out->wall.hour = (int)(sod / 3600);
    out->wall.minute = (int)(sod / 60 % 60);
    out->wall.second = (int)(sod % 60);
    out->usec = (int32_t)(utc_us - s * US_PER_S);
    out->utc_offset_s = t->off;
    out->is_dst = t->is_dst;
    snprintf(out->abbr, sizeof(out->abbr), "%s", t->abbr);
    return 0;
}

int tc_tz_from_local(const struct tc_tz *tz, const struct tc_wall *w, enum tc_tz_policy policy,
                     int64_t *out_us, enum tc_tz_kind *kind, struct tc_error *err)
{
    int64_t wall_s, ta, tb, lo, hi, res;
    int32_t off_before, off_after;
    int ok_a, ok_b;
    enum tc_tz_kind k;

    if (!tz || !w || !out_us)
        return tc_error_set(err, TC_EINVAL, "time zone: no zone, time or output given");
    if (w->year < 1 || w->year > 9999 || w->month < 1 || w->month > 12 || w->day < 1 ||
        w->day > tc__days_in_month(w->year, w->month) || w->hour < 0 || w->hour > 23 ||
        w->minute < 0 || w->minute > 59 || w->second < 0 || w->second > 59)
        return tc_error_set(err, TC_EINVAL,
                            "zone \"%s\": invalid wall time %04d-%02d-%02d %02d:%02d:%02d",
                            tz->name, w->year, w->month, w->day, w->hour, w->minute, w->second);
    if (policy < TC_TZ_REJECT || policy > TC_TZ_LATER)
        return tc_error_set(err, TC_EINVAL, "zone \"%s\": unknown gap/fold policy %d", tz->name,
                            (int)policy);
    wall_s = tc_days_from_civil(w->year, w->month, w->day) * 86400 + w->hour * 3600 +
             w->minute * 60 + w->second;
    /* Offsets in force well before and well after the wall time (zones never
     * change twice within a few days), then check each reading. */
    off_before = type_at(tz, wall_s - 3 * 86400)->off;
    off_after = type_at(tz, wall_s + 3 * 86400)->off;
    ta = wall_s - off_before;
    tb = wall_s - off_after;
    ok_a = type_at(tz, ta)->off == off_before;
    ok_b = type_at(tz, tb)->off == off_after;
    lo = ta < tb ? ta : tb;
    hi = ta < tb ? tb : ta;
    if (ok_a && ok_b && ta != tb) {
        k = TC_TZ_FOLD;
        res = (policy == TC_TZ_LATER) ? hi : lo;
    } else if (ok_a || ok_b) {
        k = TC_TZ_UNIQUE;
        res = ok_a ? ta : tb;
    } else {
        k = TC_TZ_GAP;
        res = (policy == TC_TZ_EARLIER) ? lo : (policy == TC_TZ_LATER) ? hi : ta;
    }
    if (k != TC_TZ_UNIQUE && policy == TC_TZ_REJECT)
        return tc_error_set(err, TC_ERANGE,
                            "zone \"%s\": wall time %04d-%02d-%02d %02d:%02d:%02d %s", tz->name,
                            w->year, w->month, w->day, w->hour, w->minute, w->second,
                            k == TC_TZ_GAP ? "does not exist (clocks went forward)"
                                           : "is ambiguous (clocks went back)");
    if (kind)
        *kind = k;
    *out_us = res * US_PER_S;
    return 0;
}
