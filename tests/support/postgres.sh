#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite.
#
# Source it and call the functions:
#
#     source tests/support/postgres.sh
#     lectern_pg_start            # exports LECTERN_TEST_POSTGRES_URL
#     trap lectern_pg_stop EXIT   # stops the server and deletes its files
#
# or run it and eval what it prints:
#
#     eval "$(bash tests/support/postgres.sh start)"
#     ...
#     bash tests/support/postgres.sh stop "$LECTERN_PG_DIR"
#
# The cluster lives in a new temporary directory, listens on 127.0.0.1 at a
# free port and puts its Unix socket in that directory, so it never touches a
# system cluster. It has a SUPERUSER role `lectern` with password `lectern`,
# so tests can CREATE DATABASE. The data directory is set up for speed, not
# durability (fsync off), because it is deleted when the tests end.
#
# Environment:
#   LECTERN_PG_BINDIR  directory with initdb, pg_ctl and psql; by default the
#                      one on PATH, else the newest /usr/lib/postgresql/*/bin
#   TMPDIR             parent of the cluster directory (default /tmp)

# Finds the directory holding initdb, pg_ctl and psql, and prints it.
lectern_pg_find_bindir() {
    if [[ -n "${LECTERN_PG_BINDIR:-}" ]]; then
        if [[ ! -x "$LECTERN_PG_BINDIR/initdb" || ! -x "$LECTERN_PG_BINDIR/pg_ctl" || ! -x "$LECTERN_PG_BINDIR/psql" ]]; then
            echo "postgres.sh: LECTERN_PG_BINDIR=$LECTERN_PG_BINDIR lacks initdb, pg_ctl or psql" >&2
            return 1
        fi
        printf '%s\n' "$LECTERN_PG_BINDIR"
        return 0
    fi

    local initdb_path
    if initdb_path=$(command -v initdb 2>/dev/null); then
        # Resolve symlinks such as /usr/local/bin/initdb, so that pg_ctl and
        # psql come from the same installation.
        initdb_path=$(readlink -f "$initdb_path")
        if [[ -x "$(dirname "$initdb_path")/pg_ctl" && -x "$(dirname "$initdb_path")/psql" ]]; then
            dirname "$initdb_path"
            return 0
        fi
    fi

    # Debian and Ubuntu keep the server binaries off PATH, one directory per
    # major version.
    local candidate newest=""
    for candidate in /usr/lib/postgresql/*/bin; do
        if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" && -x "$candidate/psql" ]]; then
            newest=$(printf '%s\n%s\n' "$newest" "$candidate" | sed '/^$/d' | sort -V | tail -n 1)
        fi
    done
    if [[ -z "$newest" ]]; then
        echo "postgres.sh: no directory with initdb, pg_ctl and psql found on PATH or in /usr/lib/postgresql/*/bin;" \
            "install the server (apt-get install postgresql) or set LECTERN_PG_BINDIR" >&2
        return 1
    fi
    printf '%s\n' "$newest"
}

# Runs a command as the cluster's owner: the `postgres` OS user when we are
# root, because initdb and postgres refuse to run as root, else ourselves.
# The working directory is the cluster directory, since initdb fails when
# its owner cannot read the current directory.
lectern_pg_as_owner() {
    local dir=$1
    shift
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
lectern_pg_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Creates, starts and configures the cluster, then exports
# LECTERN_TEST_POSTGRES_URL, LECTERN_PG_DIR and LECTERN_PG_PORT.
lectern_pg_start() {
    local bindir
    bindir=$(lectern_pg_find_bindir) || return 1

    local parent=${TMPDIR:-/tmp}
    local dir
    dir=$(mktemp -d "$parent/lectern-pg.XXXXXX") || {
        echo "postgres.sh: failed to create a directory under $parent" >&2
        return 1
    }
    printf '%s\n' "$bindir" >"$dir/bindir"
    mkdir "$dir/data" "$dir/socket"

    if [[ $(id -u) -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "postgres.sh: running as root but there is no 'postgres' OS user to own the cluster;" \
                "install the postgresql package or run as another user" >&2
            rm -rf "$dir"
            return 1
        fi
        chown -R postgres: "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            echo "postgres.sh: the postgres OS user cannot write to $dir;" \
                "set TMPDIR to a directory it can reach (such as /tmp)" >&2
            rm -rf "$dir"
            return 1
        fi
    fi

    if ! lectern_pg_as_owner "$dir" "$bindir/initdb" --pgdata="$dir/data" --username=postgres \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-sync \
        >"$dir/initdb.log" 2>&1; then
        echo "postgres.sh: initdb failed; its output follows" >&2
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        return 1
    fi

    # Pick a random port that nothing listens on, and try the next one when
    # another process takes it between the check and the bind.
    local port="" attempt candidate
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        candidate=$((20000 + RANDOM % 40000))
        if lectern_pg_port_in_use "$candidate"; then
            continue
        fi
        # -w makes pg_ctl wait until the server accepts connections.
        if lectern_pg_as_owner "$dir" "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" \
            --wait --timeout=60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$candidate -c unix_socket_directories='$dir/socket' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >"$dir/pg_ctl.log" 2>&1; then
            port=$candidate
            break
        fi
        if ! grep -q 'Address already in use' "$dir/server.log" 2>/dev/null; then
            break
        fi
        echo "postgres.sh: port $candidate was taken, trying another (attempt $attempt)" >&2
    done
    if [[ -z "$port" ]]; then
        echo "postgres.sh: failed to start the server; pg_ctl and server logs follow" >&2
        cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null
        lectern_pg_as_owner "$dir" "$bindir/pg_ctl" --pgdata="$dir/data" --mode=immediate stop >/dev/null 2>&1
        rm -rf "$dir"
        return 1
    fi

    export LECTERN_PG_DIR=$dir
    export LECTERN_PG_PORT=$port

    if ! "$bindir/psql" --no-psqlrc --quiet --host="$dir/socket" --port="$port" --username=postgres \
        --dbname=postgres --set=ON_ERROR_STOP=1 \
        --command="CREATE ROLE lectern LOGIN SUPERUSER PASSWORD 'lectern'" >"$dir/psql.log" 2>&1; then
        echo "postgres.sh: failed to create role lectern; psql output follows" >&2
        cat "$dir/psql.log" >&2
        lectern_pg_stop
        return 1
    fi

    # Check the URL the tests will use: TCP with a password, not the socket.
    if ! PGPASSWORD=lectern "$bindir/psql" --no-psqlrc --quiet --host=127.0.0.1 --port="$port" \
        --username=lectern --dbname=postgres --set=ON_ERROR_STOP=1 --command='SELECT 1' \
        >"$dir/psql.log" 2>&1; then
        echo "postgres.sh: role lectern cannot log in over TCP; psql output follows" >&2
        cat "$dir/psql.log" >&2
        lectern_pg_stop
        return 1
    fi

    export LECTERN_TEST_POSTGRES_URL="postgres://lectern:lectern@127.0.0.1:$port/postgres"
}

# Stops the cluster in $LECTERN_PG_DIR (or $1) and deletes its directory.
# Safe to call twice, and when nothing was started.
lectern_pg_stop() {
    local dir=${1:-${LECTERN_PG_DIR:-}}
    if [[ -z "$dir" || ! -d "$dir" ]]; then
        return 0
    fi
    if [[ ! -f "$dir/bindir" ]]; then
        echo "postgres.sh: $dir is not a cluster made by this script; leaving it alone" >&2
        return 1
    fi

    local bindir
    bindir=$(cat "$dir/bindir")
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        # The data is thrown away, so an immediate shutdown loses nothing.
        if ! lectern_pg_as_owner "$dir" "$bindir/pg_ctl" --pgdata="$dir/data" --mode=immediate \
            --wait --timeout=60 stop >"$dir/stop.log" 2>&1; then
            echo "postgres.sh: pg_ctl stop failed; its output follows, and $dir is kept" >&2
            cat "$dir/stop.log" >&2
            return 1
        fi
    fi
    rm -rf "$dir"
    if [[ "${LECTERN_PG_DIR:-}" == "$dir" ]]; then
        unset LECTERN_PG_DIR LECTERN_PG_PORT LECTERN_TEST_POSTGRES_URL
    fi
}

# Run as a script: `start` prints shell code for eval, `stop DIR` stops.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
    start)
        lectern_pg_start
        printf 'export LECTERN_TEST_POSTGRES_URL=%s\n' "$LECTERN_TEST_POSTGRES_URL"
        printf 'export LECTERN_PG_DIR=%s\n' "$LECTERN_PG_DIR"
        printf '# Stop it with: bash %q stop %q\n' "$(realpath "$0")" "$LECTERN_PG_DIR"
        ;;
    stop)
        lectern_pg_stop "${2:?usage: postgres.sh stop DIR}"
        ;;
    *)
        echo "usage: postgres.sh start | postgres.sh stop DIR (or source it)" >&2
        exit 2
        ;;
    esac
fi
