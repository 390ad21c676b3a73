/* `tradecore calendar sessions|show`: the sessions of an exchange in a date
 * range, and everything about one date (session or not, why, open and close
 * in local time and UTC), as text or JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "internal/banned.h"

static void calendar_usage(FILE *f)
{
    fprintf(f, "usage: tradecore calendar sessions MIC --from YYYY-MM-DD --to YYYY-MM-DD [--json]\n"
               "       tradecore calendar show MIC YYYY-MM-DD [--json]\n\n"
               "Trading calendars (XNYS, XNAS, XLON, XETR, XTKS), computed from each\n"
               "exchange's rules for the years they were verified for.\n"
               "  sessions  one session date per line (--json: an array of dates)\n"
               "  show      whether DATE is a session, why not or why it closes early,\n"
               "            and its open and close in local time and UTC\n");
}

static void fmt_utc(int64_t us, char *buf, size_t cap)
{
    int y, m, d;
    int64_t s = us / 1000000, days = s / 86400, sod = s % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    tc_civil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60));
}

static void fmt_local(const struct tc_local_time *lt, char *buf, size_t cap)
{
    int off = lt->utc_offset_s < 0 ? -lt->utc_offset_s : lt->utc_offset_s;
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", lt->wall.year, lt->wall.month,
             lt->wall.day, lt->wall.hour, lt->wall.minute, lt->wall.second,
             lt->utc_offset_s < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

static int parse_date_arg(struct tc_cli *cli, const char *what, const char *s, int64_t *out)
{
    struct tc_error err = {0};
    if (tc_date_parse(s, out, &err) != 0) {
        tc_cli_usage(cli, "%s: %s", what, tc_error_msg(&err));
        return -1;
    }
    return 0;
}

static int dump_json(struct tc_cli *cli, json_t *j)
{
    int rc = TC_EXIT_OK;
    if (!j || json_dumpf(j, cli->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        rc = tc_cli_failf(cli, "cannot write JSON");
    else
        fputc('\n', cli->out);
    json_decref(j);
    return rc;
}

static int cmd_sessions(struct tc_cli *cli, int argc, char **argv)
{
    const char *mic = NULL, *from_s = NULL, *to_s = NULL;
    const struct tc_calendar *cal;
    struct tc_error err = {0};
    int64_t from, to, *days = NULL;
    size_t n = 0;
    int json = 0, rc;

    for (int i = 2; i < argc; i++) {
        if (tc_cli_is_help(argv[i])) {
            calendar_usage(cli->out);
            return TC_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
            from_s = argv[++i];
        } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
            to_s = argv[++i];
        } else if (argv[i][0] != '-' && !mic) {
            mic = argv[i];
        } else {
            return tc_cli_usage(cli, "sessions: unknown or incomplete argument '%s'", argv[i]);
        }
    }
    if (!mic || !from_s || !to_s)
        return tc_cli_usage(cli, "sessions: need MIC, --from DATE and --to DATE");
    if (parse_date_arg(cli, "--from", from_s, &from) != 0 ||
        parse_date_arg(cli, "--to", to_s, &to) != 0)
        return TC_EXIT_USAGE;
    if (from > to)
        return tc_cli_usage(cli, "sessions: --from %s is after --to %s", from_s, to_s);
    if (tc_calendar_get(mic, &cal, &err) != 0 ||
        tc_calendar_sessions_alloc(cal, from, to, &days, &n, &err) != 0)
        return tc_cli_fail(cli, &err);
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++) {
            char buf[TC_DATE_STRLEN];
            tc_date_format(days[i], buf);
            json_array_append_new(arr, json_string(buf));
        }
        rc = dump_json(cli, arr);
    } else {
        for (size_t i = 0; i < n; i++) {
            char buf[TC_DATE_STRLEN];
            tc_date_format(days[i], buf);
            fprintf(cli->out, "%s\n", buf);
        }
        rc = TC_EXIT_OK;
    }
    free(days);
    return rc;
}

static int cmd_show(struct tc_cli *cli, int argc, char **argv)
{
    const char *mic = NULL, *date_s = NULL;
    const struct tc_calendar *cal;
    struct tc_error err = {0};
    struct tc_cal_day day;
    char ds[TC_DATE_STRLEN], ol[40], cl[40], ou[32], cu[32];
    int64_t date;
    int json = 0;

    for (int i = 2; i < argc; i++) {
        if (tc_cli_is_help(argv[i])) {
            calendar_usage(cli->out);
            return TC_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] != '-' && !mic) {
            mic = argv[i];
        } else if (argv[i][0] != '-' && !date_s) {
            date_s = argv[i];
        } else {
            return tc_cli_usage(cli, "show: unknown or extra argument '%s'", argv[i]);
        }
    }
    if (!mic || !date_s)
        return tc_cli_usage(cli, "show: need MIC and DATE");
    if (parse_date_arg(cli, "show", date_s, &date) != 0)
        return TC_EXIT_USAGE;
    if (tc_calendar_get(mic, &cal, &err) != 0 || tc_calendar_day(cal, date, &day, &err) != 0)
        return tc_cli_fail(cli, &err);
    tc_date_format(date, ds);
    if (day.is_session) {
        fmt_local(&day.open_local, ol, sizeof(ol));
        fmt_local(&day.close_local, cl, sizeof(cl));
        fmt_utc(day.open_us, ou, sizeof(ou));
        fmt_utc(day.close_us, cu, sizeof(cu));
    }
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "mic", json_string(tc_calendar_mic(cal)));
        json_object_set_new(o, "date", json_string(ds));
        json_object_set_new(o, "zone", json_string(tc_calendar_zone(cal)));
        json_object_set_new(o, "session", json_boolean(day.is_session));
        json_object_set_new(o, "early_close", json_boolean(day.is_early_close));
        json_object_set_new(o, "reason", day.reason[0] ? json_string(day.reason) : json_null());
        json_object_set_new(o, "open_local", day.is_session ? json_string(ol) : json_null());
        json_object_set_new(o, "close_local", day.is_session ? json_string(cl) : json_null());
        json_object_set_new(o, "open_utc", day.is_session ? json_string(ou) : json_null());
        json_object_set_new(o, "close_utc", day.is_session ? json_string(cu) : json_null());
        return dump_json(cli, o);
    }
    if (!day.is_session) {
        fprintf(cli->out, "%s %s: no session (%s)\n", tc_calendar_mic(cal), ds, day.reason);
        return TC_EXIT_OK;
    }
    fprintf(cli->out, "%s %s: session%s%s%s\n", tc_calendar_mic(cal), ds,
            day.reason[0] ? " (" : "", day.reason, day.reason[0] ? ")" : "");
    fprintf(cli->out, "  open   %s  %s %s\n", ol, ou, day.open_local.abbr);
    fprintf(cli->out, "  close  %s  %s %s\n", cl, cu, day.close_local.abbr);
    return TC_EXIT_OK;
}

int tc_cmd_calendar(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        calendar_usage(cli->err);
        return tc_cli_usage(cli, "missing subcommand (sessions, show)");
    }
    if (tc_cli_is_help(argv[1])) {
        calendar_usage(cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "sessions") == 0)
        return cmd_sessions(cli, argc, argv);
    if (strcmp(argv[1], "show") == 0)
        return cmd_show(cli, argc, argv);
    return tc_cli_usage(cli, "unknown subcommand '%s' (sessions, show)", argv[1]);
}
