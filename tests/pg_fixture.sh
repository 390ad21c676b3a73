#!/bin/sh
# Starts (or stops) a throwaway PostgreSQL server for the tests: initdb and pg_ctl
# from Debian's postgresql package, run as the unprivileged `postgres` user when
# we are root (initdb refuses root), listening only on a Unix socket in a fresh
# temporary folder. Writes the server's URL to STATE/url.
#   pg_fixture.sh start STATE | stop STATE
set -eu
cmd=$1
state=$2
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "pg_fixture: initdb not found (install postgresql)" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
    if [ -f "$state/dir" ] && [ -d "$(cat "$state/dir")" ]; then
        as_pg "$pgbin/pg_ctl" -D "$(cat "$state/dir")/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$(cat "$state/dir")"
    fi
    mkdir -p "$state"
    dir=$(mktemp -d /tmp/tcpg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    echo "$dir" > "$state/dir"
    as_pg "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c port=5432 -c fsync=on -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@/postgres?host=$dir&port=5432" > "$state/url"
    echo "pg_fixture: server up at $dir"
    ;;
stop)
    [ -f "$state/dir" ] || exit 0
    dir=$(cat "$state/dir")
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$state/dir" "$state/url"
    echo "pg_fixture: server stopped"
    ;;
*) echo "usage: pg_fixture.sh start|stop STATE" >&2; exit 2 ;;
esac
