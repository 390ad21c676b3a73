/*
 * Shared by the fuzz targets (fuzz_<name>.c) and the replay driver.
 *
 * A target is one function, LLVMFuzzerTestOneInput, that feeds DATA to a
 * part of the library and checks properties that must hold for every input
 * (round trips, invariants of what was parsed). A broken property calls
 * tc_fuzz_fail, which aborts: libFuzzer then saves the input as a crash, and
 * the replay test fails on it.
 */
#ifndef TC_FUZZ_UTIL_H
#define TC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point each target defines: 0 always. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: property broken: <message>" to stderr and aborts. */
void tc_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Turns the process logger off (targets do not want a log line per input). */
void tc_fuzz_quiet(void);

/*
 * A private directory of this process, made on the first call under $TMPDIR
 * (else /tmp) and removed with everything in it at exit. The string is
 * static. Aborts when it cannot be made.
 */
const char *tc_fuzz_tmpdir(void);

/*
 * Writes SIZE bytes of DATA to DIR/NAME (created or truncated) and puts the
 * path into PATH (CAP bytes). Returns 0, or -1 (errno set) when the file
 * cannot be written.
 */
int tc_fuzz_write_file(const char *dir, const char *name, const void *data, size_t size,
                       char *path, size_t cap);

/* Removes DIR and everything below it (no symlinks followed). 0 or -1. */
int tc_fuzz_rm_tree(const char *dir);

#endif
