#!/usr/bin/env bash
# Nexodus Functions on a local KIND cluster, from nothing to a smoke-tested install:
#   1. create the cluster (cluster.yaml)             5. apply deploy/overlays/kind, run the migration Job
#   2. install Knative Serving + Kourier (pinned)    6. wait for every Knative Service (nexodus-ops wait)
#   3. install Knative Eventing (pinned)             7. a Keycloak realm and user for the smoke test
#   4. build the images (Jib) and `kind load` them   8. smoke test through the front door (localhost:8080)
# Needs: docker, kind >= 0.30, kubectl, a JDK 17+, Maven, curl. Re-runnable: each step skips what exists.
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
VERSION="$(cd "$ROOT" && mvn -q -B help:evaluate -Dexpression=project.version -DforceStdout)"
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
  (cd "$ROOT" && mvn -B -ntp -Pimages package -DskipTests -Dimages.registry=kind.local)
  local image
  for image in "${IMAGES[@]}"; do
    kind load docker-image --name "$CLUSTER" "kind.local/nexodus/${image}:${VERSION}"
  done
}

apply_overlay() {
  step "5/8 deploy/overlays/kind"
  kubectl apply -k "$ROOT/deploy/overlays/kind"
  kubectl -n "$NAMESPACE" rollout status statefulset/postgres --timeout=5m
  local job
  job="migrate-$(echo "$VERSION" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9\n' '-')"
  echo "waiting for the migration Job ${job}"
  kubectl -n "$NAMESPACE" wait --for=condition=complete "job/${job}" --timeout=10m
  kubectl -n "$NAMESPACE" rollout status deployment/front-door --timeout=5m
}

wait_services() {
  step "6/8 Knative Services"
  java -jar "$ROOT/deploy/ops/target/nexodus-ops.jar" wait --timeout 10m
  java -jar "$ROOT/deploy/ops/target/nexodus-ops.jar" status || true
}

keycloak_token() {
  step "7/8 a Keycloak realm for the smoke test (the identity issue brings the real one)"
  kubectl -n "$NAMESPACE" rollout status deployment/keycloak --timeout=10m
  kubectl -n "$NAMESPACE" port-forward svc/keycloak 18080:8080 >/dev/null 2>&1 &
  PORT_FORWARD=$!
  trap 'kill "$PORT_FORWARD" 2>/dev/null || true' EXIT
  until curl -fsS http://localhost:18080/realms/master >/dev/null 2>&1; do sleep 1; done
  local admin
  admin="$(curl -fsS http://localhost:18080/realms/master/protocol/openid-connect/token \
    -d grant_type=password -d client_id=admin-cli -d username=admin -d password=admin | jq -r .access_token)"
  # realm nexodus, public client nexodus-cli with password grants, user smoke/smoke (ignored if present)
  curl -sS -o /dev/null -H "Authorization: Bearer ${admin}" -H 'Content-Type: application/json' \
    http://localhost:18080/admin/realms -d '{"realm":"nexodus","enabled":true}'
  curl -sS -o /dev/null -H "Authorization: Bearer ${admin}" -H 'Content-Type: application/json' \
    http://localhost:18080/admin/realms/nexodus/clients \
    -d '{"clientId":"nexodus-cli","publicClient":true,"directAccessGrantsEnabled":true}'
  curl -sS -o /dev/null -H "Authorization: Bearer ${admin}" -H 'Content-Type: application/json' \
    http://localhost:18080/admin/realms/nexodus/users \
    -d '{"username":"smoke","enabled":true,"email":"smoke@example.com","firstName":"S","lastName":"Moke","emailVerified":true,"credentials":[{"type":"password","value":"smoke","temporary":false}]}'
  # tokens must carry the issuer the functions trust (OIDC_ISSUER in nexodus-config): Keycloak's
  # in-cluster name, so ask through it
  TOKEN="$(curl -fsS http://localhost:18080/realms/nexodus/protocol/openid-connect/token \
    -H "Host: keycloak.${NAMESPACE}.svc.cluster.local:8080" \
    -d grant_type=password -d client_id=nexodus-cli -d username=smoke -d password=smoke | jq -r .access_token)"
  if [ -z "$TOKEN" ] || [ "$TOKEN" = null ]; then
    die "no token from Keycloak"
  fi
}

smoke_test() {
  step "8/8 smoke test through the front door ${FRONT_DOOR}"
  local vpc key device watch
  vpc="$(curl -fsS -H "Authorization: Bearer ${TOKEN}" "${FRONT_DOOR}/api/users/me" | jq -r .id)"
  echo "user and default VPC ${vpc}"
  key="$(curl -fsS -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' \
    "${FRONT_DOOR}/api/reg-keys" -d "{\"vpc_id\":\"${vpc}\"}" | jq -r .bearer_token)"
  echo "registration key created"
  device="$(curl -fsS -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' "${FRONT_DOOR}/api/devices" \
    -d "{\"vpc_id\":\"${vpc}\",\"public_key\":\"$(head -c 32 /dev/urandom | base64)\",\"hostname\":\"smoke\",\"os\":\"linux\",\"endpoints\":[{\"source\":\"local\",\"address\":\"172.18.0.9:51820\"}]}" \
    | jq -r .id)"
  echo "device ${device} registered with the key"
  curl -fsS -H "Authorization: Bearer ${TOKEN}" "${FRONT_DOOR}/api/vpcs/${vpc}/devices" | jq -e --arg d "$device" 'map(.id) | index($d) != null' >/dev/null \
    || die "the peer list lacks the device"
  echo "peer list has it"
  watch="$(curl -sS -N --max-time 10 -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' \
    "${FRONT_DOOR}/api/vpcs/${vpc}/events" -d "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"${vpc}\"}}]" || true)"
  echo "$watch" | grep -q "$device" || die "the watch stream did not deliver the device"
  echo "watch stream delivered it"
  printf '\nNexodus Functions is up: %s\n' "$FRONT_DOOR"
}

main() {
  need docker "the KIND nodes and the image builds"
  need kind "https://kind.sigs.k8s.io, >= 0.30"
  need kubectl "Debian: apt-get install kubectl where packaged, else the upstream binary"
  need mvn "the build"
  need java "the build and nexodus-ops"
  need curl "the installs and the smoke test"
  need jq "the smoke test"
  create_cluster
  install_serving
  install_eventing
  build_images
  apply_overlay
  wait_services
  keycloak_token
  smoke_test
}

main "$@"
