#!/usr/bin/env bash
# Cadre's one entry point for developers and CI.
#
#   ./cadre.sh start [APP OPTIONS]   build, then start the reference app (e.g. --port 8080 --workers 4)
#   ./cadre.sh test  [MAVEN ARGS]    build and run every test (unit and integration)
#   ./cadre.sh build [MAVEN ARGS]    build the jars without running tests
#   ./cadre.sh bench NAME [ARGS]     run a benchmark script from jmh/scripts (see docs/benchmarks.md)
#   ./cadre.sh java [ARGS]           run the JDK this script found
#
# It finds a JDK 21 or newer by itself: $JAVA_HOME first, then the usual JVM folders
# (/usr/lib/jvm, /usr/local/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks), newest first.
set -euo pipefail
cd "$(dirname "$0")"

jdk_feature() { # prints the feature version of the JDK at $1, or nothing
    local home=$1 v
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    if [ -f "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release")
    else
        v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
    fi
    [ "$v" = "1" ] && v=8
    echo "${v:-}"
}

find_jdk() {
    local best="" best_v=0 home v
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(jdk_feature "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$JAVA_HOME"; return 0; fi
        echo "cadre.sh: JAVA_HOME=$JAVA_HOME is not a JDK 21+ (feature version '${v:-none}'); looking elsewhere" >&2
    fi
    for home in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
        [ -d "$home" ] || continue
        v=$(jdk_feature "$home")
        if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$home; best_v=$v; fi
    done
    if [ -n "$best" ]; then echo "$best"; return 0; fi
    return 1
}

if ! JAVA_HOME=$(find_jdk); then
    echo "cadre.sh: Cadre needs a JDK 21 or newer and found none (looked at \$JAVA_HOME and /usr/lib/jvm, /usr/local/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks)." >&2
    echo "cadre.sh: install one (for example: apt install openjdk-21-jdk, or a Temurin 25 build) or set JAVA_HOME to it." >&2
    exit 2
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
if [ "$(jdk_feature "$JAVA_HOME")" -ge 24 ]; then
    # Maven 3.8/3.9 still touch sun.misc.Unsafe; keep JDK 24+ from warning about it on every build.
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

mvn_cmd() {
    if ! command -v mvn >/dev/null 2>&1; then
        echo "cadre.sh: Maven (mvn) is not on PATH; install Apache Maven 3.8 or newer (for example: apt install maven)." >&2
        exit 2
    fi
    mvn -B "$@"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    start)
        mvn_cmd -q -DskipTests -pl samples -am package
        exec "$JAVA" -jar samples/target/cadre-samples.jar "$@"
        ;;
    test)
        mvn_cmd verify "$@"
        ;;
    build)
        mvn_cmd -DskipTests package "$@"
        ;;
    bench)
        name=${1:?usage: ./cadre.sh bench NAME [ARGS] (see jmh/scripts)}
        shift
        script="jmh/scripts/$name.sh"
        [ -f "$script" ] || { echo "cadre.sh: no benchmark script $script" >&2; exit 2; }
        JAVA="$JAVA" exec bash "$script" "$@"
        ;;
    java)
        exec "$JAVA" "$@"
        ;;
    *)
        sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
        [ -z "$cmd" ] && exit 0 || exit 2
        ;;
esac
