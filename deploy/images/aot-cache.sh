#!/usr/bin/env bash
# The trained AOT cache of JDK 25 (JEP 483/514) in the functions' images: start-up in 0.5-0.9 s instead of
# 1.3-2 s (docs/benchmarks.md). Jib cannot make it: the cache comes from a training run of the very image, with
# its JDK, its jars and its JVM flags, against a real database. So, after `mvn -Pimages package` into a local
# Docker daemon:
#   1. a throw-away PostgreSQL container, migrated by the migrate image;
#   2. per function: its image runs once with -XX:AOTCacheOutput (JDK_JAVA_OPTIONS), becomes ready, serves a few
#      requests (health, an unauthenticated API call, its API description, and its routes with a token that a
#      throw-away issuer made here signs), and is stopped with SIGTERM: the JVM writes the cache as it exits;
#   3. the image is rebuilt FROM itself with the cache and JDK_JAVA_OPTIONS=-XX:AOTCache=<it>, under the same tag;
#   4. smoke check: the new image must start with -XX:AOTMode=on, where the JVM refuses to start if it cannot use
#      the cache (made by another JDK build, damaged): a cache that would silently not be used fails the build.
#
#   aot-cache.sh docker <registry> <version> <function>...   the images <registry>/nexodus/<function>:<version>
#   aot-cache.sh local <quarkus-app dir> <cache file>         steps 2 and 4 with this machine's JDK 25 ($JAVA) on a
#                                                             built function, against PG_URL/PG_USER/PG_PASSWORD
#                                                             (a migrated database): what the suite runs
#                                                             (tests/…/AotCacheTest), having no container runtime
# Without Docker (Jib pushing straight to a registry) there is no training run: images work, without the cache, and
# kind-up.sh / deploy/README.md step 1 say so loudly.
set -euo pipefail

# the images' JVM flags (functions/pom.xml quarkus.jib.jvm-additional-arguments): training and use must agree
JVM_FLAGS=(-XX:+UseSerialGC -XX:MaxRAMPercentage=60)
READY_TIMEOUT_S="${READY_TIMEOUT_S:-120}"

die() { printf 'aot-cache: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'aot-cache: %s\n' "$*"; }

# the settings a function needs to start; none of them reaches anything but the database. $1: where the training
# issuer's public key is, as the function sees it (a file: URI)
function_env() {
  printf '%s\n' "NEXODUS_DEVICE_TOKEN_KEY=$(head -c 32 /dev/urandom | base64)" \
    "OIDC_ISSUER=$TRAINING_ISSUER" "OIDC_JWKS=$1" \
    "IPAM_HOST=ipam.invalid" "IPAM_PORT=80"
}

# A throw-away identity provider for the training run: an RSA key made here, its public half where the function
# reads its issuer's keys (OIDC_JWKS may be a file: URI), and one token it signs. A scale-from-zero's first request
# carries a token: training with one puts its verification, the caller's provisioning and a database read into
# the cache, which unauthenticated requests never reach (+130 ms on the first answer without: docs/benchmarks.md).
TRAINING_ISSUER="http://aot-training.invalid/realms/nexodus"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
make_issuer() {
  local dir="$1" now header payload signature
  command -v openssl >/dev/null || die "openssl is required (the training run's token)"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/issuer.key" 2>/dev/null
  openssl pkey -in "$dir/issuer.key" -pubout -out "$dir/issuer.pem"
  now="$(date +%s)"
  header="$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)"
  payload="$(printf '{"iss":"%s","sub":"aot-training","aud":"account","iat":%d,"exp":%d,"preferred_username":"aot-training","scope":"openid profile email read:organizations write:organizations read:users write:users read:devices write:devices"}' \
    "$TRAINING_ISSUER" "$now" $((now + 3600)) | b64url)"
  signature="$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$dir/issuer.key" | b64url)"
  printf '%s.%s.%s' "$header" "$payload" "$signature" > "$dir/token"
  chmod a+r "$dir/issuer.pem"
}

# wait_ready <base URL> <description> <pid or container, to notice an early exit> <alive command...>
wait_ready() {
  local base="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until curl -fsS -o /dev/null "$base/q/health/ready" 2>/dev/null; do
    "$@" || die "$what exited before it was ready"
    ((SECONDS < deadline)) || die "$what not ready within ${READY_TIMEOUT_S} s"
    sleep 0.5
  done
}

# the training workload: what every start and the first calls load. Unauthenticated: health, a 401, the API
# description. Authenticated (the token of make_issuer): each function's first routes (every function gets the same
# list and answers its own; another's route is a 404 after the token is verified). A 401 there means the token was
# refused and the cache would miss the path a real first request takes: that fails the training.
TRAINING_ROUTES=("GET /api/users/me" "GET /api/organizations" "GET /api/vpcs" "GET /api/devices" "GET /api/reg-keys"
  "GET /api/security-groups" "GET /api/invitations" "GET /api/fflags"
  "GET /api/vpcs/00000000-0000-4000-8000-000000000000/devices" "POST /api/devices"
  "PATCH /api/devices/00000000-0000-4000-8000-000000000000")
train_requests() {
  local base="$1" function="$2" token="$3" route method path status answers=()
  for _ in 1 2 3 4 5; do
    curl -sS -o /dev/null "$base/q/health/ready"
    curl -sS -o /dev/null "$base/q/health/live"
    curl -sS -o /dev/null "$base/api/users/me"
    curl -sS -o /dev/null -H 'Authorization: Bearer not-a-token' "$base/api/organizations"
    curl -sS -o /dev/null "$base/openapi/${function}.json"
    answers=()
    for route in "${TRAINING_ROUTES[@]}"; do
      method="${route%% *}" path="${route#* }"
      status="$(curl -sS -o /dev/null -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data-binary '{}' "$base$path")"
      [ "$status" != 401 ] || die "the training token was refused ($route: 401): the cache would miss a first request's path"
      answers+=("$route $status")
    done
  done
  say "trained with a token: $(printf '%s, ' "${answers[@]}" | sed 's/, $//')"
}

local_mode() {
  local app="$1" cache="$2" java="${JAVA:-java}" port pid env_args=() issuer
  [ -f "$app/quarkus-run.jar" ] || die "$app has no quarkus-run.jar"
  "$java" -XX:AOTMode=off -version 2>&1 | grep -q 'version "2[5-9]' || die "$java is not a JDK 25 or later"
  issuer="$(mktemp -d)"
  make_issuer "$issuer"
  mapfile -t env_args < <(function_env "file://$issuer/issuer.pem")
  port="${PORT:-18181}"
  rm -f "$cache"
  say "training $app with $java"
  env "${env_args[@]}" "$java" "${JVM_FLAGS[@]}" "-XX:AOTCacheOutput=$cache" -Dquarkus.http.port="$port" \
    -jar "$app/quarkus-run.jar" > "$cache.training.log" 2>&1 &
  pid=$!
  wait_ready "http://127.0.0.1:$port" "the training run" kill -0 "$pid"
  train_requests "http://127.0.0.1:$port" "${FUNCTION:-users}" "$(cat "$issuer/token")"
  kill -TERM "$pid"
  wait "$pid" || true
  [ -s "$cache" ] || die "the training run wrote no cache (see $cache.training.log)"
  say "checking that the JVM uses it (-XX:AOTMode=on)"
  env "${env_args[@]}" "$java" "${JVM_FLAGS[@]}" "-XX:AOTCache=$cache" -XX:AOTMode=on -Dquarkus.http.port="$port" \
    -jar "$app/quarkus-run.jar" > "$cache.check.log" 2>&1 &
  pid=$!
  wait_ready "http://127.0.0.1:$port" "the check run (the JVM refuses a cache it cannot use: $cache.check.log)" kill -0 "$pid"
  kill -TERM "$pid"
  wait "$pid" || true
  rm -rf "$issuer"
  say "ok: $cache ($(du -h "$cache" | cut -f1))"
}

docker_mode() {
  local registry="$1" version="$2"
  shift 2
  command -v docker >/dev/null || die "docker is required (without it the images keep no trained cache)"
  local net="nexodus-aot-$$" pg="nexodus-aot-pg-$$" env_args=() function image work container port issuer
  issuer="$(mktemp -d)"
  make_issuer "$issuer"
  # the key is mounted into each training container at this path
  mapfile -t env_args < <(function_env "file:///tmp/aot-training-issuer.pem")
  cleanup() { docker rm -f "$pg" "${container:-none}" >/dev/null 2>&1 || true; docker network rm "$net" >/dev/null 2>&1 || true; rm -rf "$issuer"; }
  trap cleanup EXIT
  docker network create "$net" >/dev/null
  docker run -d --name "$pg" --network "$net" -e POSTGRES_PASSWORD=train -e POSTGRES_DB=nexodus postgres:15 >/dev/null
  until docker exec "$pg" pg_isready -U postgres -d nexodus >/dev/null 2>&1; do sleep 1; done
  docker run --rm --network "$net" -e PG_URL="postgresql://$pg:5432/nexodus" -e PG_USER=postgres -e PG_PASSWORD=train \
    "$registry/nexodus/migrate:$version" java -cp @/app/jib-classpath-file io.nexodus.shared.migrations.Migrate
  for function in "$@"; do
    image="$registry/nexodus/$function:$version"
    work="$(docker image inspect -f '{{.Config.WorkingDir}}' "$image")"
    [ -n "$work" ] || work=/
    local dbenv=(-e "PG_URL=postgresql://$pg:5432/nexodus" -e PG_USER=postgres -e PG_PASSWORD=train)
    local envs=() e
    for e in "${env_args[@]}"; do envs+=(-e "$e"); done
    say "training $image"
    container="$(docker run -d --network "$net" -p 127.0.0.1::8080 "${dbenv[@]}" "${envs[@]}" \
      -v "$issuer/issuer.pem:/tmp/aot-training-issuer.pem:ro" \
      -e "JDK_JAVA_OPTIONS=-XX:AOTCacheOutput=/tmp/app.aot" "$image")"
    port="$(docker port "$container" 8080/tcp | head -1 | sed 's/.*://')"
    wait_ready "http://127.0.0.1:$port" "training $image" docker exec "$container" true
    train_requests "http://127.0.0.1:$port" "$function" "$(cat "$issuer/token")"
    docker stop -t 60 "$container" >/dev/null
    local dir
    dir="$(mktemp -d)"
    docker cp "$container:/tmp/app.aot" "$dir/app.aot" || die "training $image wrote no cache: $(docker logs "$container" 2>&1 | tail -20)"
    docker rm "$container" >/dev/null
    printf 'FROM %s\nCOPY app.aot %s/app.aot\nENV JDK_JAVA_OPTIONS=-XX:AOTCache=%s/app.aot\n' "$image" "${work%/}" "${work%/}" \
      > "$dir/Dockerfile"
    docker build -q -t "$image" "$dir" >/dev/null
    rm -rf "$dir"
    say "checking $image uses its cache (-XX:AOTMode=on)"
    container="$(docker run -d --network "$net" -p 127.0.0.1::8080 "${dbenv[@]}" "${envs[@]}" \
      -e "JDK_JAVA_OPTIONS=-XX:AOTCache=${work%/}/app.aot -XX:AOTMode=on" "$image")"
    port="$(docker port "$container" 8080/tcp | head -1 | sed 's/.*://')"
    wait_ready "http://127.0.0.1:$port" "$image with -XX:AOTMode=on (the cache is not usable)" docker exec "$container" true
    docker rm -f "$container" >/dev/null
    container=
  done
  # the trap covers a failure inside this function; after it returns its locals are gone, so clean up here
  cleanup
}

case "${1:-}" in
  local) [ $# -eq 3 ] || die "usage: $0 local <quarkus-app dir> <cache file>"; local_mode "$2" "$3" ;;
  docker) [ $# -ge 4 ] || die "usage: $0 docker <registry> <version> <function>..."; shift; docker_mode "$@" ;;
  *) die "usage: $0 local <quarkus-app dir> <cache file> | docker <registry> <version> <function>..." ;;
esac
