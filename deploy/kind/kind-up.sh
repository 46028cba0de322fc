#!/usr/bin/env bash
# Nexodus Functions on a local KIND cluster, from nothing to a smoke-tested install:
#   1. create the cluster (cluster.yaml)             5. apply deploy/overlays/kind, run the migration Job
#   2. install Knative Serving + Kourier (pinned)    6. wait for every Knative Service (nexodus-ops wait)
#   3. install Knative Eventing (pinned)             7. a user for the smoke test in the shipped realm
#   4. build the images (Jib) and `kind load` them   8. deploy/smoke.sh through the front door (localhost:8080)
# Needs: docker, kind >= 0.30, kubectl, a JDK 17+, Maven, curl, jq, openssl. Re-runnable: each step skips what exists.
# LEAN=1 builds the functions without Micrometer and OpenTelemetry (README "Lean build"): faster starts, no metrics
# and no traces.
# NEVER RUN on the machines this was written on (no container runtime there): see deploy/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER="${CLUSTER:-nexodus}"
NAMESPACE=nexodus
# Pinned to the releases whose CRDs the offline tests validate against (deploy/ops test resources).
SERVING_VERSION=knative-v1.23.0
KOURIER_VERSION=knative-v1.23.0
EVENTING_VERSION=knative-v1.22.2
SERVING_URL="https://github.com/knative/serving/releases/download/${SERVING_VERSION}"
KOURIER_URL="https://github.com/knative-extensions/net-kourier/releases/download/${KOURIER_VERSION}"
EVENTING_URL="https://github.com/knative/eventing/releases/download/${EVENTING_VERSION}"
FRONT_DOOR="http://localhost:8080"
# published by kind/cluster.yaml; the kind overlay fixes Keycloak's hostname to it, so tokens from the host
# carry the issuer the functions trust (OIDC_ISSUER)
KEYCLOAK="http://localhost:8081"
VERSION="$(cd "$ROOT" && mvn -q -B help:evaluate -Dexpression=project.version -DforceStdout)"
# the tag this run's images are loaded under (build_images)
BUILD="build-$(date +%Y%m%d%H%M%S)"
IMAGES=(auth devices fetch-peers gc join-organization organizations reg-keys register-device security-groups
  update-device users vpcs ipam migrate)

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"
}

wait_deployments() {
  local ns="$1"
  echo "waiting for the deployments in ${ns}"
  kubectl -n "$ns" wait --for=condition=Available deployment --all --timeout=10m
}

create_cluster() {
  step "1/8 KIND cluster ${CLUSTER}"
  if kind get clusters | grep -qx "$CLUSTER"; then
    echo "exists"
  else
    kind create cluster --name "$CLUSTER" --config "$ROOT/deploy/kind/cluster.yaml" --wait 5m
  fi
  kubectl config use-context "kind-${CLUSTER}"
}

install_serving() {
  step "2/8 Knative Serving ${SERVING_VERSION} with Kourier ${KOURIER_VERSION}"
  kubectl apply -f "${SERVING_URL}/serving-crds.yaml"
  kubectl wait --for=condition=Established crd --all --timeout=2m
  kubectl apply -f "${SERVING_URL}/serving-core.yaml"
  kubectl apply -f "${KOURIER_URL}/kourier.yaml"
  # the default ingress is Istio: without this patch no Knative Service ever becomes Ready
  kubectl -n knative-serving patch configmap/config-network --type merge \
    -p '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}'
  wait_deployments knative-serving
  wait_deployments kourier-system
  # kind.local images are loaded, never pulled: Knative skips tag resolution for that registry by default
  echo "waiting for the serving webhook's endpoints"
  until kubectl -n knative-serving get endpoints webhook -o jsonpath='{.subsets[0].addresses[0].ip}' 2>/dev/null | grep -q .; do
    sleep 2
  done
}

install_eventing() {
  step "3/8 Knative Eventing ${EVENTING_VERSION} (in-memory channel, MT channel-based Broker)"
  kubectl apply -f "${EVENTING_URL}/eventing-crds.yaml"
  kubectl wait --for=condition=Established crd --all --timeout=2m
  kubectl apply -f "${EVENTING_URL}/eventing-core.yaml"
  kubectl apply -f "${EVENTING_URL}/in-memory-channel.yaml"
  kubectl apply -f "${EVENTING_URL}/mt-channel-broker.yaml"
  wait_deployments knative-eventing
}

build_images() {
  step "4/8 images ${IMAGES[*]} (version ${VERSION}) into the KIND node"
  local image lean=()
  [ "${LEAN:-0}" != 1 ] || lean=(-Dlean)
  (cd "$ROOT" && mvn -B -ntp -Pimages package -DskipTests -Dimages.registry=kind.local "${lean[@]}")
  # each function's image gets its trained JDK 25 AOT cache (start-up 0.5-0.9 s instead of 1.3-2 s): a training
  # run of the image against a throw-away PostgreSQL, checked with -XX:AOTMode=on (deploy/images/aot-cache.sh)
  local functions=()
  for image in "${IMAGES[@]}"; do
    case "$image" in ipam|migrate) ;; *) functions+=("$image") ;; esac
  done
  "$ROOT/deploy/images/aot-cache.sh" docker kind.local "$VERSION" "${functions[@]}"
  # every build of one version has the same tag: loaded under a tag of its own, a rebuilt image makes
  # a new revision of each function (and a new migration run) instead of leaving the old code running
  for image in "${IMAGES[@]}"; do
    docker tag "kind.local/nexodus/${image}:${VERSION}" "kind.local/nexodus/${image}:${BUILD}"
    kind load docker-image --name "$CLUSTER" "kind.local/nexodus/${image}:${BUILD}"
  done
}

apply_overlay() {
  step "5/8 deploy/overlays/kind"
  # Knative's and Eventing's webhooks may answer "connection refused" for a while after their Deployments
  # report Available: retry the whole apply (it is idempotent) a few times before giving up
  local attempt rendered
  rendered="$(mktemp)"
  # this build's images (build_images), in the overlay's render order
  kubectl kustomize "$ROOT/deploy/overlays/kind" \
    | sed "s#\(image: kind.local/nexodus/[a-z-]*\):${VERSION}\$#\1:${BUILD}#" > "$rendered"
  # a finished migration Job's pod template is immutable: remove it, so that this apply runs this build's
  kubectl -n "$NAMESPACE" delete job -l app.kubernetes.io/name=migrate --ignore-not-found
  for attempt in 1 2 3 4 5 6; do
    if kubectl apply -f "$rendered"; then
      break
    fi
    [ "$attempt" -lt 6 ] || die "kubectl apply of deploy/overlays/kind kept failing"
    echo "apply failed (a webhook not ready yet?); again in 10 s"
    sleep 10
  done
  rm -f "$rendered"
  kubectl -n "$NAMESPACE" rollout status statefulset/postgres --timeout=5m
  echo "waiting for the migration Job"
  kubectl -n "$NAMESPACE" wait --for=condition=complete job -l app.kubernetes.io/name=migrate --timeout=10m
  kubectl -n "$NAMESPACE" rollout status deployment/front-door --timeout=5m
}

wait_services() {
  step "6/8 Knative Services"
  java -jar "$ROOT/deploy/ops/target/nexodus-ops.jar" wait --timeout 10m
  java -jar "$ROOT/deploy/ops/target/nexodus-ops.jar" status || true
}

smoke_user() {
  step "7/8 a user for the smoke test in the shipped realm (Keycloak at ${KEYCLOAK})"
  kubectl -n "$NAMESPACE" rollout status deployment/keycloak --timeout=10m
  until curl -fsS "${KEYCLOAK}/realms/nexodus/.well-known/openid-configuration" >/dev/null 2>&1; do sleep 2; done
  local admin status
  admin="$(curl -fsS "${KEYCLOAK}/realms/master/protocol/openid-connect/token" \
    -d grant_type=password -d client_id=admin-cli -d username=admin -d password=admin | jq -r .access_token)"
  # user smoke/smoke in the realm the keycloak component imported (201 created, 409 already there)
  status="$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${admin}" -H 'Content-Type: application/json' \
    "${KEYCLOAK}/admin/realms/nexodus/users" \
    -d '{"username":"smoke","enabled":true,"email":"smoke@example.com","firstName":"S","lastName":"Moke","emailVerified":true,"credentials":[{"type":"password","value":"smoke","temporary":false}]}')"
  case "$status" in 201|409) echo "user smoke ready" ;; *) die "creating the smoke user: HTTP ${status}" ;; esac
}

smoke_test() {
  step "8/8 smoke test through the front door ${FRONT_DOOR} (deploy/smoke.sh)"
  SMOKE_USERNAME=smoke SMOKE_PASSWORD=smoke "$ROOT/deploy/smoke.sh" "$FRONT_DOOR"
  # the web console (components/console) through the same door, on its own host
  curl -fsS -H 'Host: console.localhost' "$FRONT_DOOR/" | grep -q '<div id="root">' \
    || die "the web console does not answer at http://console.localhost:8080"
  printf '\nNexodus Functions is up: %s (log in at %s)\n' "$FRONT_DOOR" "$KEYCLOAK"
  printf 'Web console: http://console.localhost:8080 (user smoke, password smoke)\n'
}

main() {
  need docker "the KIND nodes and the image builds"
  need kind "https://kind.sigs.k8s.io, >= 0.30"
  need kubectl "Debian: apt-get install kubectl where packaged, else the upstream binary"
  need mvn "the build"
  need java "the build and nexodus-ops"
  need curl "the installs and the smoke test"
  need jq "the smoke test"
  need openssl "the AOT cache training run's token (deploy/images/aot-cache.sh)"
  create_cluster
  install_serving
  install_eventing
  build_images
  apply_overlay
  wait_services
  smoke_user
  smoke_test
}

main "$@"
