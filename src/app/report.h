/* Internals of the report writer (src/app/report.c), for its tests and
 * the backtest command. */
#ifndef TC_APP_REPORT_H
#define TC_APP_REPORT_H

/* 2 (default): tc_report_write writes its files on the calling thread and
 * one worker thread; 1: all of them on the calling thread, one after the
 * other (as when the worker cannot be started). The files, the error
 * returned and the files left behind are the same either way. For tests
 * that compare both; set it before a report starts, never while one is
 * being written. */
extern int tc__report_threads;

/* For tests: the name of one of the five files (e.g. "trades.csv") whose
 * file is written to /dev/full instead of its NAME.tmp, so that every write
 * of it fails as on a full disk (its .tmp is never made); NULL (the
 * default) for none. Set it only while no report is being written. */
extern const char *tc__report_full;

struct tc_error;

/* The checks tc_report_write makes before it writes anything, for a caller
 * that wants them before a run whose report would be refused (a backtest
 * kept in a store): 0 when DIR is missing (it will be made) or is a folder
 * that can be written into where each of the five files and its .tmp is
 * missing or a regular file; else TC_EIO naming the first path in the way
 * (TC_EINVAL for an empty DIR). Nothing is written. */
int tc__report_check(const char *dir, struct tc_error *err);

#endif
