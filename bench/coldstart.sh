#!/usr/bin/env bash
# Cold start and footprint benchmark (docs/benchmarks.md, "Cold start and footprint").
#
# Builds every function module (functions/*/ with a pom.xml, discovered, not listed), the bare Quarkus
# floor (bench/floor) and the two read floors (bench/floor-vertx-read, bench/floor-hibernate-read: the floor
# plus one read of ten organizations through the Vert.x client / through Hibernate Reactive Panache: docs/benchmarks.md, "Hibernate Reactive or SQL")
# three ways, each copied to its own directory under bench/target/apps/<app>/<build>:
#   j17         plain fast-jar, JDK 17
#   j17-appcds  fast-jar + AppCDS archive (app-cds.jsa), JDK 17
#   j25-aot     aot-jar + JDK 25 AOT cache (app.aot, training run at build time), JDK 25
# then runs bench/harness (io.nexodus.bench.ColdStart): one embedded PostgreSQL, migrated, one dev token
# issuer; every (app, JVM option) started RUNS times, interleaved, process spawn -> first 200 of a real
# authenticated request (the floors: their unauthenticated route), idle RSS; then, with LATENCY_S > 0, the
# per-request latency of the floors' routes under a bounded loopback load (latency.md).
# Results: bench/target/results/{table.md,latency.md,raw.csv,logs/}.
#
# Environment: APPS (space-separated apps to build and measure, default: the three floors and every function;
# e.g. APPS="floor floor-vertx-read floor-hibernate-read"), LATENCY_S (seconds of measured load per floor row
# after the rounds, 10; 0 = none), LATENCY_CLIENTS (2), RUNS (7), IDLE_MS (2000), BUDGET_S (harness time budget, 660), SKIP_BUILD=1 (re-measure the
# last builds), OPTIONS (space-separated JVM options to measure, default DEFAULT_OPTIONS below), MVN_ARGS (extra Maven arguments,
# e.g. -o), FLAGS_<name> (extra flags of an option "<option>+<name>", see option_row), JAVA17_HOME, JAVA25_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64; j25 options are skipped
# when there is no JDK 25).
# Never part of `mvn verify`: bench/ modules are only in the reactor with -Pbench.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/target
RUNS=${RUNS:-7}
IDLE_MS=${IDLE_MS:-2000}
BUDGET_S=${BUDGET_S:-660}
MVN_ARGS=${MVN_ARGS:-}
LATENCY_S=${LATENCY_S:-10}
LATENCY_CLIENTS=${LATENCY_CLIENTS:-2}

java_home_of() { dirname "$(dirname "$(readlink -f "$(command -v "$1")")")"; }
JAVA17_HOME=${JAVA17_HOME:-$( [ -d /usr/lib/jvm/java-17-openjdk-amd64 ] && echo /usr/lib/jvm/java-17-openjdk-amd64 || java_home_of java )}
JAVA25_HOME=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
HAVE25=0; [ -x "$JAVA25_HOME/bin/java" ] && HAVE25=1

# JVM options measured: name, build it runs, java, flags. The "lean" rows add footprint/start-up flags.
SERIAL="-XX:+UseSerialGC"
LEAN="-XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m"
DEFAULT_OPTIONS="j17 j17-warmup j17-appcds j25-aot j25-aot-trained-serial j25-aot-trained-serial-warmup j25-aot-trained-lean"
ALL_OPTIONS="$DEFAULT_OPTIONS j25 j25-aot-trained j17-appcds-lean j25-aot-lean"
OPTIONS=${OPTIONS:-$DEFAULT_OPTIONS}
# *-trained: the AOT cache is written by a training run that serves the benchmark request (harness, before
# round 0) instead of Quarkus's build-time run that only starts and stops the app.
# A variant: "<option>+<name>" runs <option> with the extra flags of the environment variable FLAGS_<name>
# (e.g. OPTIONS="j25-aot-trained-serial j25-aot-trained-serial+otel" FLAGS_otel="-Dquarkus.otel.sdk.disabled=false"),
# trained with them too, into its own AOT cache: the same build measured with a runtime switch off and on.
option_row() { # name -> "build|javahome|flags|training flags"
  case $1 in
    *+*)
      local base=${1%%+*} variant=${1#*+} extra row
      extra=$(printenv "FLAGS_$variant") || { echo "option $1: FLAGS_$variant is not set" >&2; exit 2; }
      row=$(option_row "$base") || exit 2
      IFS='|' read -r b jh flags training <<< "$row"
      flags=${flags//.aot/-$variant.aot}; training=${training//.aot/-$variant.aot}
      echo "$b|$jh|$flags $extra|${training:+$training $extra}" ;;
    j17)             echo "j17|$JAVA17_HOME|" ;;
    j17-warmup)      echo "j17|$JAVA17_HOME|-Dnexodus.startup.warm-up=true" ;;
    j17-appcds)      echo "j17-appcds|$JAVA17_HOME|-XX:SharedArchiveFile=app-cds.jsa" ;;
    j17-appcds-lean) echo "j17-appcds|$JAVA17_HOME|-XX:SharedArchiveFile=app-cds.jsa $LEAN" ;;
    j25)             echo "j17|$JAVA25_HOME|" ;;
    j25-aot)         echo "j25-aot|$JAVA25_HOME|-XX:AOTCache=app.aot" ;;
    j25-aot-lean)    echo "j25-aot|$JAVA25_HOME|-XX:AOTCache=app.aot $LEAN" ;;
    j25-aot-trained) echo "j25-aot|$JAVA25_HOME|-XX:AOTCache=trained.aot|-XX:AOTCacheOutput=trained.aot" ;;
    j25-aot-trained-serial) echo "j25-aot|$JAVA25_HOME|-XX:AOTCache=trained-serial.aot $SERIAL|-XX:AOTCacheOutput=trained-serial.aot $SERIAL" ;;
    j25-aot-trained-serial-warmup) echo "j25-aot|$JAVA25_HOME|-XX:AOTCache=trained-serial-warmup.aot $SERIAL -Dnexodus.startup.warm-up=true|-XX:AOTCacheOutput=trained-serial-warmup.aot $SERIAL -Dnexodus.startup.warm-up=true" ;;
    j25-aot-trained-lean) echo "j25-aot|$JAVA25_HOME|-XX:AOTCache=trained-lean.aot $LEAN|-XX:AOTCacheOutput=trained-lean.aot $LEAN" ;;
    *) echo "unknown option $1 (known: $ALL_OPTIONS)" >&2; exit 2 ;;
  esac
}

FUNCTIONS=()
for pom in functions/*/pom.xml; do FUNCTIONS+=("$(basename "$(dirname "$pom")")"); done
[ ${#FUNCTIONS[@]} -gt 0 ] || { echo "no function modules under functions/" >&2; exit 1; }
FLOORS=(floor floor-vertx-read floor-hibernate-read)
if [ -n "${APPS:-}" ]; then read -r -a APPS <<< "$APPS"; else APPS=("${FLOORS[@]}" "${FUNCTIONS[@]}"); fi
app_dir() { case $1 in floor*) echo "bench/$1" ;; *) echo "functions/$1" ;; esac; }
app_kind() { case $1 in floor) echo floor ;; floor-*) echo floor-db ;; *) echo function ;; esac; }
for a in "${APPS[@]}"; do [ -f "$(app_dir "$a")/pom.xml" ] || { echo "unknown app $a (no $(app_dir "$a")/pom.xml)" >&2; exit 2; }; done
PL=$(for a in "${APPS[@]}"; do printf '%s,' "$(app_dir "$a")"; done)bench/harness,ipam

echo "apps: ${APPS[*]}"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
START=$(date +%s)

build() { # build-name javahome extra-maven-args...
  local name=$1 jh=$2; shift 2
  echo "== build $name (JAVA_HOME=$jh) $*"
  local t0; t0=$(date +%s)
  # the read floor with Hibernate validates its mapping at start-up, which needs the database; the builds'
  # training runs have none (bench/floor-hibernate-read/src/main/resources/application.properties)
  NEXODUS_BENCH_SCHEMA_MANAGEMENT=none JAVA_HOME=$jh timeout 600 mvn -B -q -ntp $MVN_ARGS -Pbench -pl "$PL" -am package -DskipTests "$@"
  for a in "${APPS[@]}"; do
    local dst=$OUT/apps/$a/$name
    rm -rf "$dst"; mkdir -p "$(dirname "$dst")"
    cp -a "$(app_dir "$a")/target/quarkus-app" "$dst"   # -a keeps mtimes: CDS/AOT validate the jars
  done
  echo "   $name built in $(( $(date +%s) - t0 )) s"
}

needed() { # build-name -> whether an option in OPTIONS runs on it
  for o in $OPTIONS; do [ "$(option_row "$o" | cut -d'|' -f1)" = "$1" ] && return 0; done; return 1
}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # only the builds the chosen options run on; the plain build goes last (always: the IPAM server and the
  # harness come from it), so target/quarkus-app is left as a normal fast-jar
  [ $HAVE25 = 1 ] && needed j25-aot && build j25-aot "$JAVA25_HOME" -Dquarkus.package.jar.aot.enabled=true \
      -Dquarkus.package.jar.aot.type=AOT -Dquarkus.package.jar.aot.phase=BUILD
  needed j17-appcds && build j17-appcds "$JAVA17_HOME" -Dquarkus.package.jar.appcds.enabled=true
  build j17 "$JAVA17_HOME"
fi

PLAN=$OUT/plan.tsv
: > "$PLAN"
for opt in $OPTIONS; do
  IFS='|' read -r b jh flags training <<< "$(option_row "$opt")"
  case $opt in j25*) [ $HAVE25 = 1 ] || { echo "skipping $opt: no JDK 25 at $JAVA25_HOME"; continue; } ;; esac
  for a in "${APPS[@]}"; do
    kind=$(app_kind "$a")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$a" "$kind" "$opt" "$OUT/apps/$a/$b" "$jh/bin/java" "$flags" "$training" >> "$PLAN"
  done
done

rm -rf "$OUT/results"
CP="$(cat bench/harness/target/classpath.txt):bench/harness/target/bench-harness-0.1.0-SNAPSHOT.jar"
# the latency phase comes after the budgeted rounds: one start and 4/3 LATENCY_S per floor row
FLOOR_ROWS=$(awk -F'\t' '$2 != "function"' "$PLAN" | wc -l)
timeout $(( BUDGET_S + 240 + FLOOR_ROWS * (LATENCY_S * 4 / 3 + 30) )) "$JAVA17_HOME/bin/java" -cp "$CP" io.nexodus.bench.ColdStart --repo "$ROOT" \
  --plan "$PLAN" --out "$OUT/results" --runs "$RUNS" --idle-ms "$IDLE_MS" --budget-s "$BUDGET_S" \
  --latency-s "$LATENCY_S" --latency-clients "$LATENCY_CLIENTS"

{ echo "nproc: $(nproc)"; lscpu | head -15; free -m | head -2; } > "$OUT/results/machine.txt"
{
  echo; echo "machine: $(nproc) cores; $(lscpu | grep 'Model name' | sed 's/  */ /g') (full: machine.txt)"
  echo "java 17: $("$JAVA17_HOME/bin/java" -version 2>&1 | head -2 | tail -1)"
  [ $HAVE25 = 1 ] && echo "java 25: $("$JAVA25_HOME/bin/java" -version 2>&1 | head -2 | tail -1)"
  echo "JVM options: $(for o in $OPTIONS; do echo -n "$o=[$(option_row "$o" | cut -d'|' -f3)] "; done)"
  echo "total wall time (builds + runs): $(( $(date +%s) - START )) s"
} | tee -a "$OUT/results/table.md"
