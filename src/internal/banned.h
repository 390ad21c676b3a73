/*
 * Functions tradecore does not use, and why. Include this header LAST in every
 * .c file under src/ (after system headers, which declare these names); a use
 * of a banned function then fails to compile. tests/test_banned.sh checks that
 * every source file includes it.
 */
#ifndef TC_INTERNAL_BANNED_H
#define TC_INTERNAL_BANNED_H

#define TC__BANNED(func) sorry_##func##_is_banned_in_tradecore

/* unbounded copies: use snprintf, memcpy with a checked length, or tc_buf */
#undef strcpy
#define strcpy(x, y) TC__BANNED(strcpy)
#undef strcat
#define strcat(x, y) TC__BANNED(strcat)
#undef sprintf
#define sprintf(...) TC__BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) TC__BANNED(vsprintf)
#undef gets
#define gets(x) TC__BANNED(gets)

/* silent failure on bad input: parse with strtol/strtoll and check, or tc_dec_parse */
#undef atoi
#define atoi(x) TC__BANNED(atoi)
#undef atol
#define atol(x) TC__BANNED(atol)
#undef atoll
#define atoll(x) TC__BANNED(atoll)
#undef atof
#define atof(x) TC__BANNED(atof)

/* the process-wide TZ and static buffers: time zones are explicit in tradecore */
#undef gmtime
#define gmtime(x) TC__BANNED(gmtime)
#undef localtime
#define localtime(x) TC__BANNED(localtime)
#undef localtime_r
#define localtime_r(x, y) TC__BANNED(localtime_r)
#undef ctime
#define ctime(x) TC__BANNED(ctime)
#undef asctime
#define asctime(x) TC__BANNED(asctime)
#undef mktime
#define mktime(x) TC__BANNED(mktime)

/* not thread-safe */
#undef strtok
#define strtok(x, y) TC__BANNED(strtok)

#endif
