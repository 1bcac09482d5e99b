# shellcheck shell=bash
# Helpers shared by the provisioning scripts (sourced, not run).
# The sourcing script sets PID_FILE, LOG_FILE and PROCESS_PATTERN (a grep pattern that
# identifies its server in /proc/PID/cmdline) before calling the process helpers.

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The script's header comment is its usage text.
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH (needed to $2)"
}

read_pid() {
    if [[ -f "$PID_FILE" ]]; then cat "$PID_FILE" 2>/dev/null || true; fi
}

# True when the pid file names a live process of ours (guards against pid reuse).
is_running() {
    local pid
    pid="$(read_pid)"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    # No pipe into grep -q here: under pipefail an early grep exit can fail the check.
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" =~ $PROCESS_PATTERN ]] || return 1
    # A zombie is not running.
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]]
}

# True when the server has gone: two looks apart, because its cmdline reads empty for
# an instant while the launching shell execs into it.
has_exited() {
    is_running && return 1
    sleep 0.3
    ! is_running
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Wait (up to 15 s) until nothing accepts connections on the given ports: a
# killed JVM can hold its sockets for a moment after its main thread is gone.
wait_ports_free() {
    local deadline=$((SECONDS + 15)) port busy
    while :; do
        busy=""
        for port in "$@"; do
            if port_in_use "$port"; then busy="$port"; fi
        done
        [[ -z "$busy" ]] && return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# The pid of the running server; otherwise forget the pid file, say so and fail.
running_pid() {
    if is_running; then
        read_pid
        return 0
    fi
    rm -f "$PID_FILE"
    log "$1 is not running"
    return 1
}

# Stop the server named by PID_FILE: SIGTERM, then SIGKILL after TIMEOUT seconds; then wait
# until its PORTS are free. Usage: stop_server NAME TIMEOUT PORT...
stop_server() {
    local name="$1" timeout="$2" pid
    shift 2
    pid="$(running_pid "$name")" || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while is_running && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if is_running; then
        log "$name did not stop within ${timeout}s; sending SIGKILL"
        kill_server "$name" "$@"
        return 0
    fi
    wait_ports_free "$@" || true
    rm -f "$PID_FILE"
    log "$name stopped"
}

# SIGKILL the server named by PID_FILE (as a crash would), then wait until its PORTS are
# free. Usage: kill_server NAME PORT...
kill_server() {
    local name="$1" pid
    shift
    pid="$(running_pid "$name")" || return 0
    log "killing $name (pid $pid) with SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while is_running; do sleep 0.2; done
    wait_ports_free "$@" || true
    rm -f "$PID_FILE"
}

# The Python that checks a server answers: ALLIANCE_PYTHON, the active or the project's
# virtual environment, else python3 (needed WHY). Usage: python_bin WHY
python_bin() {
    if [[ -n "${ALLIANCE_PYTHON:-}" ]]; then
        echo "$ALLIANCE_PYTHON"
    elif [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then
        echo "$VIRTUAL_ENV/bin/python"
    elif [[ -x "$PROJECT_ROOT/.venv/bin/python" ]]; then
        echo "$PROJECT_ROOT/.venv/bin/python"
    else
        need python3 "$1"
        command -v python3
    fi
}
