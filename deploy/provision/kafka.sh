#!/usr/bin/env bash
# Fetch, start and stop a single-node Apache Kafka broker (KRaft, combined
# broker+controller) on 127.0.0.1 for tests and local development.
#
# The broker runs from Maven Central jars resolved by kafka/pom.xml; nothing is
# downloaded or written outside the cache and run directories.
#
# Usage: kafka.sh {fetch|start [--clean]|stop|kill|status|restart [--clean]}
#
# Environment:
#   ALLIANCE_CACHE_DIR      jars and Maven repository  (default: <project>/.cache)
#   ALLIANCE_RUN_DIR        data, logs, pid files       (default: <project>/.cache/run)
#   KAFKA_PORT              PLAINTEXT listener port     (default: 19092)
#   KAFKA_CONTROLLER_PORT   KRaft controller port       (default: 19093)
#   KAFKA_VERSION           Kafka version to fetch      (default: 4.4.0)
#   KAFKA_HEAP_OPTS         JVM heap options            (default: -Xms256m -Xmx512m)
#   KAFKA_START_TIMEOUT     seconds to wait for broker  (default: 90)
#   KAFKA_STOP_TIMEOUT      seconds before SIGKILL      (default: 30)
#   ALLIANCE_PYTHON         python used for the readiness check
#                           (default: $VIRTUAL_ENV, <project>/.venv, python3)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${ALLIANCE_CACHE_DIR:-$PROJECT_ROOT/.cache}"
RUN_DIR="${ALLIANCE_RUN_DIR:-$PROJECT_ROOT/.cache/run}"

KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

POM="$SCRIPT_DIR/kafka/pom.xml"
MAVEN_REPO="$CACHE_DIR/m2"
LIB_DIR="$CACHE_DIR/kafka/$KAFKA_VERSION/libs"
LIB_STAMP="$CACHE_DIR/kafka/$KAFKA_VERSION/.fetched"

STATE_DIR="$RUN_DIR/kafka"
DATA_DIR="$STATE_DIR/data"
PROPS="$STATE_DIR/server.properties"
LOG4J_CONF="$STATE_DIR/log4j2.properties"
LOG_FILE="$STATE_DIR/kafka.log"
PID_FILE="$STATE_DIR/kafka.pid"
ADDR_FILE="$STATE_DIR/listen.addr"
LOCK_FILE="$RUN_DIR/kafka.lock"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

# log, die, usage, need and the process helpers.
# shellcheck source=deploy/provision/lib.sh
source "$SCRIPT_DIR/lib.sh"

java_bin() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        echo "$JAVA_HOME/bin/java"
    else
        need java "run Kafka"
        command -v java
    fi
}

# Serialise start/stop/fetch across concurrent callers (e.g. parallel test workers).
take_lock() {
    mkdir -p "$RUN_DIR"
    exec 9>"$LOCK_FILE"
    flock -w 900 9 || die "timed out waiting for $LOCK_FILE"
}

pom_hash() {
    { cat "$POM"; echo "$KAFKA_VERSION"; } | sha256sum | cut -d' ' -f1
}

fetched() {
    [[ -f "$LIB_STAMP" && "$(cat "$LIB_STAMP")" == "$(pom_hash)" ]] \
        && compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null
}

cmd_fetch() {
    if fetched; then
        log "Kafka $KAFKA_VERSION jars already in $LIB_DIR"
        return 0
    fi
    need mvn "fetch the Kafka jars"
    log "resolving Kafka $KAFKA_VERSION jars from Maven Central into $LIB_DIR ..."
    local tmp="$LIB_DIR.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp" "$MAVEN_REPO"
    if ! mvn -B -q -f "$POM" \
        -Dmaven.repo.local="$MAVEN_REPO" \
        -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies \
        -DincludeScope=runtime \
        -DoutputDirectory="$tmp" >"$STATE_DIR.fetch.log" 2>&1; then
        tail -n 40 "$STATE_DIR.fetch.log" >&2 || true
        rm -rf "$tmp"
        die "mvn could not resolve Kafka $KAFKA_VERSION (try KAFKA_VERSION=4.3.1)"
    fi
    rm -rf "$LIB_DIR"
    mv "$tmp" "$LIB_DIR"
    pom_hash >"$LIB_STAMP"
    rm -f "$STATE_DIR.fetch.log"
    log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars"
}

# --- process helpers ---------------------------------------------------------

PROCESS_PATTERN='kafka\.Kafka'

# Ask the broker for cluster metadata; exit 0 when a broker is registered.
answers() {
    timeout 20 "$(python_bin "check that the broker answers")" - "$BOOTSTRAP" <<'PY' >/dev/null 2>&1
import socket
import struct
import sys

bootstrap = sys.argv[1]
try:
    import logging

    logging.disable(logging.CRITICAL)
    from kafka import KafkaAdminClient
except ImportError:
    KafkaAdminClient = None

if KafkaAdminClient is not None:
    # Option names differ between kafka-python 2.x and 3.x: pass only known ones.
    known = getattr(KafkaAdminClient, "DEFAULT_CONFIG", {})
    options = {"request_timeout_ms": 5000}
    for name in ("bootstrap_timeout_ms", "api_version_auto_timeout_ms"):
        if name in known:
            options[name] = 3000
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="provision-readiness", **options
    )
    try:
        cluster = admin.describe_cluster()
        sys.exit(0 if cluster.get("brokers") else 1)
    finally:
        admin.close()

# Fallback without kafka-python: ApiVersions v0 request over raw TCP.
host, port = bootstrap.rsplit(":", 1)
client_id = b"provision-readiness"
body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
with socket.create_connection((host, int(port)), timeout=5) as s:
    s.sendall(struct.pack(">i", len(body)) + body)
    size = struct.unpack(">i", s.recv(4))[0]
    data = b""
    while len(data) < size:
        chunk = s.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    correlation, error = struct.unpack(">ih", data[:6])
    sys.exit(0 if correlation == 1 and error == 0 else 1)
PY
}

show_log_tail() {
    if [[ -f "$LOG_FILE" ]]; then
        log "last 40 lines of $LOG_FILE:"
        tail -n 40 "$LOG_FILE" >&2
    fi
}

wait_until_ready() {
    local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if has_exited; then
            show_log_tail
            die "Kafka exited during start-up"
        fi
        if answers; then
            return 0
        fi
        sleep 1
    done
    show_log_tail
    die "Kafka did not answer on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s (still running, pid $(read_pid))"
}

write_config() {
    cat >"$PROPS" <<EOF
# Generated by deploy/provision/kafka.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DATA_DIR

num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0

offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1

num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF

    cat >"$LOG4J_CONF" <<'EOF'
status = warn
name = provision-kafka
shutdownHook = disable
appender.out.type = Console
appender.out.name = STDOUT
appender.out.target = SYSTEM_ERR
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF
}

java_cmd() {
    local java
    java="$(java_bin)"
    # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags.
    printf '%s\0' "$java" $KAFKA_HEAP_OPTS \
        -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$LOG4J_CONF" \
        -Dkafka.logs.dir="$STATE_DIR" \
        -cp "$LIB_DIR/*"
}

format_storage() {
    if [[ -f "$DATA_DIR/meta.properties" ]]; then
        local stored
        stored="$(cat "$STATE_DIR/controller.port" 2>/dev/null || true)"
        if [[ -n "$stored" && "$stored" != "$KAFKA_CONTROLLER_PORT" ]]; then
            die "data in $DATA_DIR was formatted for controller port $stored, not $KAFKA_CONTROLLER_PORT; start with --clean"
        fi
        return 0
    fi
    local -a cmd
    mapfile -d '' cmd < <(java_cmd)
    local cluster_id
    cluster_id="$("${cmd[@]}" kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tail -n 1)"
    [[ -n "$cluster_id" ]] || { show_log_tail; die "StorageTool random-uuid gave no id"; }
    mkdir -p "$DATA_DIR"
    log "formatting $DATA_DIR (cluster id $cluster_id)"
    if ! "${cmd[@]}" kafka.tools.StorageTool format --standalone \
        -t "$cluster_id" -c "$PROPS" >>"$LOG_FILE" 2>&1; then
        show_log_tail
        die "StorageTool format failed"
    fi
    echo "$KAFKA_CONTROLLER_PORT" >"$STATE_DIR/controller.port"
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
    mkdir -p "$STATE_DIR"

    if is_running; then
        if ((clean)); then
            log "--clean given: stopping the running broker first"
            stop_locked
        else
            local running_on
            running_on="$(cat "$ADDR_FILE" 2>/dev/null || true)"
            if [[ -n "$running_on" && "$running_on" != "$BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)" ]]; then
                die "Kafka from $RUN_DIR is already running on $running_on; stop it first (or use another ALLIANCE_RUN_DIR)"
            fi
            wait_until_ready
            log "Kafka already running (pid $(read_pid))"
            echo "$BOOTSTRAP"
            return 0
        fi
    fi
    rm -f "$PID_FILE"

    if ((clean)); then
        log "--clean: deleting $DATA_DIR"
        rm -rf "$DATA_DIR" "$STATE_DIR/controller.port"
    fi

    if ! wait_ports_free "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; then
        die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT on 127.0.0.1 is in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
    fi

    cmd_fetch
    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    : >"$LOG_FILE"
    write_config
    format_storage

    local -a cmd
    mapfile -d '' cmd < <(java_cmd)
    log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT), log $LOG_FILE"
    local started=$SECONDS
    # New session so the broker outlives the caller's terminal/process group;
    # the inner shell records its own pid and then becomes java via exec.
    # shellcheck disable=SC2016 # expanded by the inner shell
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
        "${cmd[@]}" kafka.Kafka "$PROPS" </dev/null >>"$LOG_FILE" 2>&1 9>&- &
    echo "$BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)" >"$ADDR_FILE"
    local _
    for _ in $(seq 50); do
        [[ -s "$PID_FILE" ]] && break
        sleep 0.1
    done
    wait_until_ready
    log "Kafka ready after $((SECONDS - started))s (pid $(read_pid))"
    echo "$BOOTSTRAP"
}

stop_locked() {
    stop_server Kafka "$KAFKA_STOP_TIMEOUT" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
}

cmd_stop() {
    take_lock
    stop_locked
}

cmd_kill() {
    take_lock
    kill_server Kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
}

cmd_status() {
    if is_running; then
        if answers; then
            echo "running pid $(read_pid) bootstrap $BOOTSTRAP"
        else
            echo "starting pid $(read_pid) bootstrap $BOOTSTRAP (not answering yet)"
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
        fetch) mkdir -p "$STATE_DIR"; take_lock; cmd_fetch ;;
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
