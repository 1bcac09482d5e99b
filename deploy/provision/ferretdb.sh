#!/usr/bin/env bash
# Build, start and stop FerretDB (MongoDB wire protocol, SQLite backend) on
# 127.0.0.1 for tests and local development.
#
# The server is our own small main (ferretdb/main.go) around FerretDB's
# embeddable package, built with the Go toolchain from the Go module proxy.
# The binary is cached and rebuilt only when main.go, go.mod, go.sum or the Go
# version change.
#
# Usage: ferretdb.sh {build|start [--clean]|stop|kill|status|restart [--clean]}
#
# Environment:
#   ALLIANCE_CACHE_DIR        Go caches and the binary   (default: <project>/.cache)
#   ALLIANCE_RUN_DIR          data, logs, pid files      (default: <project>/.cache/run)
#   FERRETDB_PORT             listen port                (default: 27018)
#   FERRETDB_LOG_LEVEL        debug, info, warn, error   (default: info)
#   FERRETDB_START_TIMEOUT    seconds to wait for ping   (default: 60)
#   FERRETDB_STOP_TIMEOUT     seconds before SIGKILL     (default: 30)
#   ALLIANCE_PYTHON           python used for the readiness check
#                             (default: $VIRTUAL_ENV, <project>/.venv, python3)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${ALLIANCE_CACHE_DIR:-$PROJECT_ROOT/.cache}"
RUN_DIR="${ALLIANCE_RUN_DIR:-$PROJECT_ROOT/.cache/run}"

FERRETDB_PORT="${FERRETDB_PORT:-27018}"
FERRETDB_LOG_LEVEL="${FERRETDB_LOG_LEVEL:-info}"
FERRETDB_START_TIMEOUT="${FERRETDB_START_TIMEOUT:-60}"
FERRETDB_STOP_TIMEOUT="${FERRETDB_STOP_TIMEOUT:-30}"

SRC_DIR="$SCRIPT_DIR/ferretdb"
# Fixes applied to the FerretDB module before building (see each patch's header).
PATCH_DIR="$SRC_DIR/patches"
FERRETDB_MODULE="github.com/FerretDB/FerretDB"
BIN_DIR="$CACHE_DIR/ferretdb/bin"
BIN="$BIN_DIR/ferretdb-sqlite"
BIN_STAMP="$BIN_DIR/.source-hash"
# Only the SQLite backend is used; leaving PostgreSQL out shortens the build.
GO_TAGS="ferretdb_no_postgresql"

STATE_DIR="$RUN_DIR/ferretdb"
DATA_DIR="$STATE_DIR/data"
LOG_FILE="$STATE_DIR/ferretdb.log"
BUILD_LOG="$STATE_DIR/build.log"
PID_FILE="$STATE_DIR/ferretdb.pid"
ADDR_FILE="$STATE_DIR/listen.addr"
LOCK_FILE="$RUN_DIR/ferretdb.lock"
ADDR="127.0.0.1:$FERRETDB_PORT"
URI="mongodb://$ADDR/"

# log, die, usage, need and the process helpers.
# shellcheck source=deploy/provision/lib.sh
source "$SCRIPT_DIR/lib.sh"

go_bin() {
    if command -v go >/dev/null 2>&1; then
        command -v go
    elif [[ -x /usr/local/go/bin/go ]]; then
        echo /usr/local/go/bin/go
    else
        die "'go' not found on PATH (needed to build FerretDB)"
    fi
}

# Serialise build/start/stop across concurrent callers (e.g. parallel test workers).
take_lock() {
    mkdir -p "$STATE_DIR"
    exec 9>"$LOCK_FILE"
    flock -w 900 9 || die "timed out waiting for $LOCK_FILE"
}

go_env() {
    export GOMODCACHE="$CACHE_DIR/go/mod"
    export GOCACHE="$CACHE_DIR/go/build"
    # Module cache files are read-only by default, which makes `rm -rf .cache` fail.
    export GOFLAGS="-modcacherw -buildvcs=false"
    export CGO_ENABLED=0
}

source_hash() {
    local go
    go="$(go_bin)"
    {
        cat "$SRC_DIR/main.go" "$SRC_DIR/go.mod" "$SRC_DIR/go.sum" "$PATCH_DIR"/*.patch
        echo "$GO_TAGS"
        "$go" version
    } | sha256sum | cut -d' ' -f1
}

built() {
    [[ -x "$BIN" && -f "$BIN_STAMP" && "$(cat "$BIN_STAMP")" == "$(source_hash)" ]]
}

# A copy of our main package whose FerretDB module is a patched copy of the released one
# (go.mod replace), in the cache; prints its directory.
prepare_patched_source() {
    local go="$1" work="$CACHE_DIR/ferretdb/src" module patch
    rm -rf "$work" && mkdir -p "$work" || return 1
    cp "$SRC_DIR/main.go" "$SRC_DIR/go.mod" "$SRC_DIR/go.sum" "$work/" || return 1
    (cd "$work" && "$go" mod download "$FERRETDB_MODULE") >&2 || return 1
    module="$(cd "$work" && "$go" list -m -f '{{.Dir}}' "$FERRETDB_MODULE")" || return 1
    [[ -d "$module" ]] || return 1
    cp -R "$module" "$work/ferretdb-module" && chmod -R u+w "$work/ferretdb-module" || return 1
    for patch in "$PATCH_DIR"/*.patch; do
        log "applying $(basename "$patch")"
        patch --quiet --forward --batch -d "$work/ferretdb-module" -p1 <"$patch" >&2 || return 1
    done
    (cd "$work" && "$go" mod edit -replace "$FERRETDB_MODULE=./ferretdb-module") >&2 || return 1
    echo "$work"
}

cmd_build() {
    if built; then
        log "FerretDB binary up to date: $BIN"
        return 0
    fi
    local go
    go="$(go_bin)"
    go_env
    mkdir -p "$BIN_DIR"
    log "building FerretDB into $BIN (first build takes a few minutes; log $BUILD_LOG) ..."
    local started=$SECONDS
    local tmp="$BIN.tmp.$$"
    local work
    mkdir -p "$STATE_DIR" && : >"$BUILD_LOG"
    if ! work="$(prepare_patched_source "$go" 2>>"$BUILD_LOG")"; then
        tail -n 40 "$BUILD_LOG" >&2 || true
        die "could not prepare the patched FerretDB source"
    fi
    if ! (cd "$work" && "$go" build -trimpath -tags "$GO_TAGS" -o "$tmp" .) >>"$BUILD_LOG" 2>&1; then
        tail -n 40 "$BUILD_LOG" >&2 || true
        rm -f "$tmp"
        die "go build failed"
    fi
    mv -f "$tmp" "$BIN"
    source_hash >"$BIN_STAMP"
    log "built in $((SECONDS - started))s"
}

# --- process helpers ---------------------------------------------------------

PROCESS_PATTERN='ferretdb-sqlite'

# Exit 0 when FerretDB answers a MongoDB `ping`.
answers() {
    timeout 20 "$(python_bin "check that FerretDB answers")" - "$URI" <<'PY' >/dev/null 2>&1
import socket
import sys

uri = sys.argv[1]
try:
    from pymongo import MongoClient
except ImportError:
    MongoClient = None

if MongoClient is not None:
    client = MongoClient(uri, serverSelectionTimeoutMS=3000, connectTimeoutMS=3000)
    try:
        ok = client.admin.command("ping").get("ok")
        sys.exit(0 if ok == 1 else 1)
    finally:
        client.close()

# Fallback without pymongo: the TCP listener accepts connections.
host, port = uri.split("//", 1)[1].rstrip("/").rsplit(":", 1)
socket.create_connection((host, int(port)), timeout=3).close()
PY
}

show_log_tail() {
    if [[ -f "$LOG_FILE" ]]; then
        log "last 40 lines of $LOG_FILE:"
        tail -n 40 "$LOG_FILE" >&2
    fi
}

wait_until_ready() {
    local deadline=$((SECONDS + FERRETDB_START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if has_exited; then
            show_log_tail
            die "FerretDB exited during start-up"
        fi
        if answers; then
            return 0
        fi
        sleep 0.5
    done
    show_log_tail
    die "FerretDB did not answer on $ADDR within ${FERRETDB_START_TIMEOUT}s (still running, pid $(read_pid))"
}

cmd_start() {
    local clean=0
    for arg in "$@"; do
        case "$arg" in
            --clean) clean=1 ;;
            *) die "unknown option for start: $arg" ;;
        esac
    done

    take_lock

    if is_running; then
        if ((clean)); then
            log "--clean given: stopping the running server first"
            stop_locked
        else
            local running_on
            running_on="$(cat "$ADDR_FILE" 2>/dev/null || true)"
            if [[ -n "$running_on" && "$running_on" != "$ADDR" ]]; then
                die "FerretDB from $RUN_DIR is already running on $running_on; stop it first (or use another ALLIANCE_RUN_DIR)"
            fi
            wait_until_ready
            log "FerretDB already running (pid $(read_pid))"
            echo "$URI"
            return 0
        fi
    fi
    rm -f "$PID_FILE"

    if ((clean)); then
        log "--clean: deleting $DATA_DIR"
        rm -rf "$DATA_DIR"
    fi

    if ! wait_ports_free "$FERRETDB_PORT"; then
        die "port $FERRETDB_PORT on 127.0.0.1 is in use by another process (set FERRETDB_PORT)"
    fi

    cmd_build
    mkdir -p "$DATA_DIR"
    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    : >"$LOG_FILE"

    log "starting FerretDB on $ADDR (data $DATA_DIR, log $LOG_FILE)"
    local started=$SECONDS
    # New session so the server outlives the caller's terminal/process group;
    # the inner shell records its own pid and then becomes the server via exec.
    # shellcheck disable=SC2016 # expanded by the inner shell
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
        "$BIN" -listen-addr "$ADDR" -data-dir "$DATA_DIR" -log-level "$FERRETDB_LOG_LEVEL" \
        </dev/null >>"$LOG_FILE" 2>&1 9>&- &
    echo "$ADDR" >"$ADDR_FILE"
    local _
    for _ in $(seq 50); do
        [[ -s "$PID_FILE" ]] && break
        sleep 0.1
    done
    wait_until_ready
    log "FerretDB ready after $((SECONDS - started))s (pid $(read_pid))"
    echo "$URI"
}

stop_locked() {
    stop_server FerretDB "$FERRETDB_STOP_TIMEOUT" "$FERRETDB_PORT"
}

cmd_stop() {
    take_lock
    stop_locked
}

cmd_kill() {
    take_lock
    kill_server FerretDB "$FERRETDB_PORT"
}

cmd_status() {
    if is_running; then
        if answers; then
            echo "running pid $(read_pid) uri $URI"
        else
            echo "starting pid $(read_pid) uri $URI (not answering yet)"
        fi
        return 0
    fi
    echo "stopped"
    return 3
}

main() {
    local sub="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "$sub" in
        build) take_lock; cmd_build ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop ;;
        kill) cmd_kill ;;
        status) cmd_status ;;
        restart) cmd_stop; cmd_start "$@" ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
