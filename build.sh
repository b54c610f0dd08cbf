#!/usr/bin/env bash
# Builds the timeseries module for Valkey; see README.md.
#   ./build.sh        build target/libvalkeyts.so and target/valkeyts.jar
#   ./build.sh run    build, then run valkey-server on 127.0.0.1:6379 with the module (data in ./data)
#   ./build.sh test   build and run every unit and end-to-end test
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
*)
    echo "usage: $0 [build|run|test]" >&2
    exit 2
    ;;
esac
