/*
 * `tradecore db backup` and `tradecore db restore` (src/cli/cmd_backup.c),
 * dispatched from `tradecore db`. ARGV[0] is the subcommand's name.
 */
#ifndef TC_CMD_BACKUP_H
#define TC_CMD_BACKUP_H

#include "cli/cli.h"

/*
 * db backup --out FILE [--keep N] [--store runtime|historical]
 *   sqlite: an online copy through the SQLite backup API (a running serve
 *   keeps writing), checked with PRAGMA quick_check, written to FILE.tmp and
 *   renamed; older copies rotate to FILE.1 … FILE.(N-1) (N = --keep, default
 *   5, 1..1000). PostgreSQL: pg_dump --format=custom into FILE when pg_dump
 *   is installed, else exit 1 saying so.
 */
int tc_cmd_db_backup(struct tc_cli *cli, int argc, char **argv);

/*
 * db restore FILE [--store runtime|historical]
 *   sqlite only: checks that FILE is a sound SQLite database, then copies
 *   it over the store through the backup API while holding the store's
 *   serve lock (PATH.lock); refuses (exit 1) while a serve holds it.
 */
int tc_cmd_db_restore(struct tc_cli *cli, int argc, char **argv);

#endif
