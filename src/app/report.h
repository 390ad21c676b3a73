/* Internals of the report writer (src/app/report.c), for its tests. */
#ifndef TC_APP_REPORT_H
#define TC_APP_REPORT_H

/* 2 (default): tc_report_write writes its files on the calling thread and
 * one worker thread; 1: all of them on the calling thread, one after the
 * other (as when the worker cannot be started). The files, the error
 * returned and the files left behind are the same either way. For tests
 * that compare both; set it before a report starts, never while one is
 * being written. */
extern int tc__report_threads;

#endif
