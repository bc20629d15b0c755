#!/usr/bin/env bash
# `npm run cluster`: a local trial of several processes behind a load balancer. Starts Redis
# if none answers at REDIS_URL, three `kubedrill serve` processes (ports PORT+1..PORT+3)
# sharing DATABASE_URL and REDIS_URL, and HAProxy on PORT (default 3000). The rooms' Kubernetes
# API is balanced on KUBE_API_PORT (default 6443; the processes on KUBE_API_PORT+1..+3) with one
# certificate made here for all of them. A process that exits (try `kill -9` on one: its rooms
# fail over to the others) is started again a second later. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/../.."

export PORT_LB="${PORT:-3000}"
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/kubedrill}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
KUBE_LB="${KUBE_API_PORT:-6443}"

command -v haproxy >/dev/null || { echo "cluster: haproxy is not installed (apt-get install -y haproxy)" >&2; exit 1; }
if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null || { echo "cluster: no Redis at $REDIS_URL and no redis-server (apt-get install -y redis-server)" >&2; exit 1; }
  echo "cluster: starting redis-server on 127.0.0.1:6379"
  redis-server --bind 127.0.0.1 --port 6379 --save '' --daemonize yes >/dev/null
  for _ in $(seq 1 50); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
[ -f dist/client/index.html ] || npm run build:client

# One certificate for every process's kube API (kubeconfigs trust it whichever process answers).
certs=.kubedrill/cluster
if [ ! -f "$certs/kube-api.key" ]; then
  mkdir -p "$certs"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=kube-apiserver \
    -addext "subjectAltName=DNS:kubedrill-apiserver,DNS:localhost,IP:127.0.0.1" \
    -keyout "$certs/kube-api.key" -out "$certs/kube-api.crt" 2>/dev/null
fi
export KUBEDRILL_KUBE_API_CERT="$certs/kube-api.crt" KUBEDRILL_KUBE_API_KEY="$certs/kube-api.key"
export KUBEDRILL_KUBE_API_URL="https://${HOST:-127.0.0.1}:$KUBE_LB"

pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop EXIT INT TERM

# Keeps process $1 running on its ports: after a crash or a kill -9 it comes back, as a
# supervisor would bring it back in production. TERM (Ctrl-C, stop) ends it for good.
supervise() {
  local child
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
  while true; do
    PORT=$2 HOST=127.0.0.1 KUBEDRILL_TRUST_PROXY=1 KUBEDRILL_KUBE_API_PORT=$3 node --max-semi-space-size=128 bin/kubedrill.js serve &
    child=$!
    wait "$child" || true
    echo "cluster: process $1 exited; starting it again" >&2
    sleep 1
  done
}

for i in 1 2 3; do
  port=$((PORT_LB + i))
  kube_port=$((KUBE_LB + i))
  export "KUBEDRILL_P$i=127.0.0.1:$port" "KUBEDRILL_P${i}_PORT=$port" "KUBEDRILL_K$i=127.0.0.1:$kube_port"
  supervise "$i" "$port" "$kube_port" &
  pids+=($!)
done
export KUBEDRILL_LB_BIND="${HOST:-127.0.0.1}:$PORT_LB" KUBEDRILL_LB_KUBE_BIND="${HOST:-127.0.0.1}:$KUBE_LB"
haproxy -W -db -f scripts/cluster/haproxy.cfg &
balancer=$!
pids+=("$balancer")
echo "cluster: http://$KUBEDRILL_LB_BIND → 3 processes on ports $((PORT_LB + 1))-$((PORT_LB + 3)) (DATABASE_URL, REDIS_URL shared); kube API $KUBEDRILL_KUBE_API_URL → ports $((KUBE_LB + 1))-$((KUBE_LB + 3))"
wait "$balancer"
