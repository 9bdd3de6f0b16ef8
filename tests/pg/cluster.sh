#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests, run as an unprivileged user.
#
#   eval "$(tests/pg/cluster.sh start DIR)"   # exports HOCTAP_TEST_PG_URL
#   tests/pg/cluster.sh stop DIR
#
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root); it
# listens only on a unix socket inside DIR, with durability off (the data is thrown away).
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
action=${1:?start|stop}
dir=${2:?directory}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$PGBIN/initdb" -D "$dir/data" -U hoctap -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    # the test processes (maybe root) reach the socket through DIR
    chmod 711 "$dir"
    as_owner "$PGBIN/createdb" -h "$dir" -p "$port" -U hoctap hoctap_test
    echo "export HOCTAP_TEST_PG_URL='postgresql+psycopg://hoctap@/hoctap_test?host=$dir&port=$port'"
    ;;
stop)
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
