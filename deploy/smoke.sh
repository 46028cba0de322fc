#!/usr/bin/env bash
# Smoke test of an installed Nexodus Functions, through its front door, as nexd and nexctl use it:
#   1. POST /device/login/start (public): the provider's issuer and the CLI client, as nexd asks first
#   2. the issuer's discovery document, then a password grant on that client asking for the scopes nexd
#      and nexctl ask for (openid profile email offline_access read:/write: organizations users devices):
#      the realm makes those scopes optional, so a token request that names none gets none
#   3. GET /api/users/me (the user and their default VPC), POST /api/reg-keys
#   4. POST /api/devices with the key; again with the same public key (409) and PATCH: nexd's restart
#   5. GET /api/vpcs/{id}/devices has the device; a watch stream (POST /api/vpcs/{id}/events) delivers it
#
# Usage: deploy/smoke.sh <front-door URL>            e.g. deploy/smoke.sh http://localhost:8080
# Environment: SMOKE_USERNAME / SMOKE_PASSWORD (a user of the realm; default smoke/smoke),
#   SMOKE_CURL_OPTS (extra curl options for every call, e.g. "--cacert ca.pem").
# Needs: bash, curl, jq. Exit status 0 only if every step worked. Used by deploy/kind/kind-up.sh, and run in
# the test suite against the functions behind the real HAProxy and a real Keycloak (tests/…/KeycloakTest).
set -euo pipefail

FRONT_DOOR="${1:?usage: deploy/smoke.sh <front-door URL>}"
FRONT_DOOR="${FRONT_DOOR%/}"
USERNAME="${SMOKE_USERNAME:-smoke}"
PASSWORD="${SMOKE_PASSWORD:-smoke}"
read -r -a CURL_OPTS <<< "${SMOKE_CURL_OPTS:-}"
# what nexd and nexctl request (Nexodus's internal/nexodus and cmd/nexctl)
SCOPES="openid profile email offline_access read:organizations write:organizations read:users write:users read:devices write:devices"

die() { printf 'smoke: FAILED: %s\n' "$*" >&2; exit 1; }
ok() { printf 'smoke: ok: %s\n' "$*"; }
for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

# curl that fails on any HTTP error and prints the body of the refusal
call() {
  local out status
  out="$(mktemp)"
  status="$(curl -sS "${CURL_OPTS[@]}" -o "$out" -w '%{http_code}' "$@")" || { rm -f "$out"; die "curl failed: $*"; }
  if [ "$status" -ge 400 ]; then
    printf 'smoke: HTTP %s from %s\n' "$status" "$*" >&2
    cat "$out" >&2; echo >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

start="$(call -X POST "${FRONT_DOOR}/device/login/start")" || die "POST /device/login/start"
issuer="$(jq -er .issuer <<< "$start")" || die "no issuer in the login start answer"
client="$(jq -er .client_id <<< "$start")" || die "no client_id in the login start answer"
ok "login start: issuer ${issuer}, client ${client}"

token_endpoint="$(call "${issuer}/.well-known/openid-configuration" | jq -er .token_endpoint)" \
  || die "the issuer's discovery document (is ${issuer} reachable from here?)"
token="$(call "$token_endpoint" --data-urlencode grant_type=password --data-urlencode "client_id=${client}" \
  --data-urlencode "username=${USERNAME}" --data-urlencode "password=${PASSWORD}" --data-urlencode "scope=${SCOPES}" \
  | jq -er .access_token)" || die "no access token for ${USERNAME} from ${token_endpoint}"
granted="$(jq -Rr 'split(".")[1] | gsub("-";"+") | gsub("_";"/") | @base64d | fromjson | .scope' <<< "$token" 2>/dev/null || true)"
for scope in read:users write:devices read:organizations write:organizations; do
  case " ${granted} " in *" ${scope} "*) ;; *) die "the token lacks ${scope} (granted: ${granted})";; esac
done
ok "token for ${USERNAME} with the scopes nexd asks for"

AUTH=(-H "Authorization: Bearer ${token}")
JSON=(-H 'Content-Type: application/json')
vpc="$(call "${AUTH[@]}" "${FRONT_DOOR}/api/users/me" | jq -er .id)" || die "GET /api/users/me"
ok "user ${USERNAME}, default VPC ${vpc}"
key="$(call "${AUTH[@]}" "${JSON[@]}" "${FRONT_DOOR}/api/reg-keys" -d "{\"vpc_id\":\"${vpc}\",\"description\":\"smoke\"}" \
  | jq -er .bearer_token)" || die "POST /api/reg-keys"
ok "registration key created"

public_key="$(head -c 32 /dev/urandom | base64)"
device_body="{\"vpc_id\":\"${vpc}\",\"public_key\":\"${public_key}\",\"hostname\":\"smoke\",\"os\":\"linux\",\"endpoints\":[{\"source\":\"local\",\"address\":\"172.18.0.9:51820\"}]}"
registered="$(call -H "Authorization: Bearer ${key}" "${JSON[@]}" "${FRONT_DOOR}/api/devices" -d "$device_body")" \
  || die "POST /api/devices with the key"
device="$(jq -er .id <<< "$registered")"
jq -e '.bearer_token | startswith("djE=:")' <<< "$registered" >/dev/null || die "no v1-sealed device token in the answer"
ok "device ${device} registered with the key, its token sealed"

again="$(curl -sS "${CURL_OPTS[@]}" -o /dev/stdout -w '\n%{http_code}' -H "Authorization: Bearer ${key}" "${JSON[@]}" \
  "${FRONT_DOOR}/api/devices" -d "$device_body")"
[ "$(tail -n1 <<< "$again")" = 409 ] || die "registering the same key again: $(tail -n1 <<< "$again"), expected 409"
[ "$(sed '$d' <<< "$again" | jq -r .id)" = "$device" ] || die "the 409 does not name the device"
call -H "Authorization: Bearer ${key}" "${JSON[@]}" -X PATCH "${FRONT_DOOR}/api/devices/${device}" -d '{"hostname":"smoke"}' \
  | jq -e '.bearer_token | startswith("djE=:")' >/dev/null || die "PATCH on the restart path: no sealed token"
ok "restart path: 409 names the device, PATCH hands its token again"

call "${AUTH[@]}" "${FRONT_DOOR}/api/vpcs/${vpc}/devices" | jq -e --arg d "$device" 'map(.id) | index($d) != null' >/dev/null \
  || die "the peer list lacks the device"
ok "peer list has it"
watch="$(curl -sS -N "${CURL_OPTS[@]}" --max-time 5 "${AUTH[@]}" "${JSON[@]}" "${FRONT_DOOR}/api/vpcs/${vpc}/events" \
  -d "[{\"kind\":\"device\",\"gt_revision\":0,\"at_tail\":false,\"options\":{\"vpc-id\":\"${vpc}\"}}]" || true)"
grep -q "\"${device}\"" <<< "$watch" || die "the watch stream did not deliver the device: ${watch:0:300}"
ok "watch stream delivered it"

printf '\nsmoke: Nexodus Functions answers as nexd expects at %s\n' "$FRONT_DOOR"
