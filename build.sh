#!/usr/bin/env bash
# Builds the timeseries module for Valkey; see README.md.
#   ./build.sh        build target/libvalkeyts.so and target/valkeyts.jar
#   ./build.sh run    build, then run valkey-server on 127.0.0.1:6379 with the module (data in ./data)
#   ./build.sh test   build and run every unit and end-to-end test
#   ./build.sh cluster  build, then run a local Valkey Cluster (3 primaries, 3 replicas) on
#                     127.0.0.1 ports $PORT..$PORT+5 (PORT=7000 by default), data in
#                     ./data/cluster/<port>; Ctrl-C stops it. Extra arguments go to every server.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

log() { echo "build.sh: $*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root to run: $*"; exit 1; fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null || { log "please install: $*"; exit 1; }
    if [ $APT_UPDATED = 0 ]; then as_root apt-get update -qq >&2; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

java_major() { # prints the feature version of the java binary $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1 || echo 0
}

find_jdk() {
    local c
    for c in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
        [ -n "$c" ] && [ -x "$c/bin/javac" ] && [ -f "$c/lib/server/libjvm.so" ] || continue
        if [ "$(java_major "$c/bin/java")" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
    done
    return 1
}

ensure_tools() {
    local missing=()
    command -v gcc >/dev/null || missing+=(gcc libc6-dev)
    command -v mvn >/dev/null || missing+=(maven)
    [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
    if ! JDK=$(find_jdk); then
        log "no JDK 25 or newer found (looked at JAVA_HOME and /usr/lib/jvm)."
        log "install one (for example Eclipse Temurin 25 or openjdk-25-jdk) and set JAVA_HOME to it."
        exit 1
    fi
    export JAVA_HOME="$JDK"
    export PATH="$JAVA_HOME/bin:$PATH"
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

valkey_ok() {
    command -v valkey-server >/dev/null || return 1
    local v; v=$(valkey-server --version | sed -n 's/.*v=\([0-9]*\)\..*/\1/p')
    [ "${v:-0}" -ge 8 ]
}

ensure_valkey() {
    valkey_ok && return 0
    log "installing valkey-server >= 8.0 from Debian bookworm-backports"
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deb http://deb.debian.org/debian bookworm-backports main" | as_root tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
        APT_UPDATED=0
    fi
    if [ $APT_UPDATED = 0 ]; then as_root apt-get update -qq >&2; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports valkey-server valkey-tools >&2
    # the package starts a system service on 6379; this project runs its own servers
    if command -v systemctl >/dev/null && systemctl is-active --quiet valkey-server 2>/dev/null; then
        as_root systemctl stop valkey-server || true
        as_root systemctl disable valkey-server >/dev/null 2>&1 || true
    fi
    valkey_ok || { log "valkey-server >= 8.0 is still missing"; exit 1; }
}

ensure_test_locale() { # JvmStartupIT checks the server under a German locale (DESIGN rule 6)
    locale -a 2>/dev/null | grep -qi '^de_DE\.utf' && return 0
    [ -f /usr/share/i18n/locales/de_DE ] || apt_install locales
    as_root localedef -i de_DE -f UTF-8 de_DE.UTF-8 || log "could not generate de_DE.UTF-8; the locale test will be skipped"
}

# --- client-library tests (tests/clients, run by NodeRedisIT and RedisPyIT) ---
# redis-py from Debian (python3-redis, for /usr/bin/python3) and node-redis from npm, pinned
# by tests/clients/node/package-lock.json. node-redis 6.4 declares node >= 20 but runs on
# Debian bookworm's node 18 as well (checked with 18.20.4 and npm 9.2.0).
ensure_client_test_deps() {
    local missing=()
    /usr/bin/python3 -c 'import redis' 2>/dev/null || missing+=(python3-redis)
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
    (cd tests/clients/node && npm ci --no-audit --no-fund --loglevel=error >&2)
}

build_native() {
    mkdir -p target
    gcc -O2 -g -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden \
        -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" \
        -DVTS_JAVA_HOME="\"$JAVA_HOME\"" \
        -o target/libvalkeyts.so native/*.c -ldl -lm
}

MVN=(mvn -B -q -Dstyle.color=never)

# ---- ./build.sh cluster: a local 3-primary, 3-replica cluster, stopped by Ctrl-C -------------
CLUSTER_PIDS=()

stop_cluster() {
    trap - INT TERM EXIT
    [ ${#CLUSTER_PIDS[@]} = 0 ] && return 0
    log "stopping the cluster (PIDs ${CLUSTER_PIDS[*]})"
    kill -TERM "${CLUSTER_PIDS[@]}" 2>/dev/null || true
    local pid
    for pid in "${CLUSTER_PIDS[@]}"; do
        # bounded wait: a node still running after 30 s is killed
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    CLUSTER_PIDS=()
}

cluster_state() { # prints cluster_state of the node on port $1
    valkey-cli -h 127.0.0.1 -p "$1" CLUSTER INFO 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p'
}

run_cluster() {
    local base=${PORT:-7000} n=6 i port dir formed=0 fresh=0
    local ports=()
    for ((i = 0; i < n; i++)); do ports+=($((base + i))); done
    for port in "${ports[@]}"; do
        if valkey-cli -h 127.0.0.1 -p "$port" PING >/dev/null 2>&1; then
            log "port $port is in use (set PORT=... to choose other ports)"; exit 1
        fi
        [ -f "$ROOT/data/cluster/$port/nodes.conf" ] && formed=$((formed + 1)) || fresh=$((fresh + 1))
    done
    if [ $formed != 0 ] && [ $fresh != 0 ]; then
        log "data/cluster holds only part of a cluster for ports ${ports[*]}; remove $ROOT/data/cluster to start afresh"
        exit 1
    fi
    trap stop_cluster EXIT
    trap 'exit 130' INT TERM
    for port in "${ports[@]}"; do
        dir="$ROOT/data/cluster/$port"
        mkdir -p "$dir"
        valkey-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize no \
            --logfile "$dir/valkey.log" --cluster-enabled yes --cluster-config-file nodes.conf \
            --cluster-node-timeout 5000 --loadmodule "$ROOT/target/libvalkeyts.so" "$@" &
        CLUSTER_PIDS+=($!)
    done
    for port in "${ports[@]}"; do
        for _ in $(seq 600); do
            valkey-cli -h 127.0.0.1 -p "$port" PING >/dev/null 2>&1 && continue 2
            sleep 0.1
        done
        log "the node on port $port did not start; see $ROOT/data/cluster/$port/valkey.log"; exit 1
    done
    if [ $formed = 0 ]; then
        local addrs=()
        for port in "${ports[@]}"; do addrs+=("127.0.0.1:$port"); done
        log "creating the cluster (valkey-cli --cluster create; output in $ROOT/data/cluster/create.log)"
        valkey-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes \
            >"$ROOT/data/cluster/create.log" 2>&1 || { log "cluster create failed:"; cat "$ROOT/data/cluster/create.log" >&2; exit 1; }
    fi
    for port in "${ports[@]}"; do
        for _ in $(seq 600); do
            [ "$(cluster_state "$port")" = ok ] && continue 2
            sleep 0.1
        done
        log "the cluster did not reach cluster_state:ok on port $port; see $ROOT/data/cluster/$port/valkey.log"; exit 1
    done
    echo
    echo "Valkey Cluster with the timeseries module is running (Ctrl-C stops it):"
    valkey-cli -h 127.0.0.1 -p "$base" CLUSTER NODES | sort -k2 | awk '{
        split($2, a, "@"); split(a[1], hp, ":"); role = ($3 ~ /master/) ? "primary" : "replica";
        printf "  127.0.0.1:%s  %-7s  slots %-12s  data %s/data/cluster/%s\n", hp[2], role, ($9 == "" ? "-" : $9), root, hp[2] }' root="$ROOT"
    echo "Try: valkey-cli -c -p $base TS.ADD temp:1 '*' 21.5 LABELS room kitchen"
    echo "     valkey-cli -c -p $base TS.MGET FILTER room=kitchen"
    wait
}

cmd=${1:-build}
case "$cmd" in
build)
    ensure_tools
    build_native
    "${MVN[@]}" -DskipTests package
    log "built target/libvalkeyts.so and target/valkeyts.jar (JDK: $JAVA_HOME)"
    ;;
run)
    ensure_tools
    ensure_valkey
    build_native
    "${MVN[@]}" -DskipTests package
    mkdir -p data
    log "starting valkey-server on 127.0.0.1:6379 with the timeseries module (data in $ROOT/data)"
    exec valkey-server --bind 127.0.0.1 --port 6379 --dir "$ROOT/data" --daemonize no \
        --loadmodule "$ROOT/target/libvalkeyts.so" "${@:2}"
    ;;
test)
    ensure_tools
    ensure_valkey
    ensure_test_locale
    ensure_client_test_deps
    build_native
    mvn -B -Dstyle.color=never verify
    ;;
cluster)
    ensure_tools
    ensure_valkey
    build_native
    "${MVN[@]}" -DskipTests package
    run_cluster "${@:2}"
    ;;
*)
    echo "usage: $0 [build|run|test|cluster]" >&2
    exit 2
    ;;
esac
