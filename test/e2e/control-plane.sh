#!/usr/bin/env bash
# A real Kubernetes control plane for Mezzo's e2e tests: etcd (Debian's etcd-server) and
# kube-apiserver (built from k8s.io/kubernetes by scripts/k8s-tools.sh), both on loopback,
# with a generated CA, serving cert, service-account signing key, RBAC authorization and
# an admin kubeconfig.
#
#   test/e2e/control-plane.sh up   [DIR]   start (DIR defaults to .tmp/control-plane)
#   test/e2e/control-plane.sh up-node [DIR] start, plus one node that runs pods (node.sh:
#                                          containerd, kubelet, controller-manager, scheduler)
#   test/e2e/control-plane.sh env  [DIR]   print KUBECONFIG=… KUBECTL=… HELM=… lines
#   test/e2e/control-plane.sh down [DIR]   stop and remove DIR
#
# DIR/env holds the variables; DIR/logs holds etcd and apiserver logs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cmd="${1:-}"
dir="${2:-$repo/.tmp/control-plane}"

log() { printf '[control-plane] %s\n' "$*" >&2; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

ensure_etcd() {
  if command -v etcd >/dev/null 2>&1; then return 0; fi
  if [[ $(id -u) -ne 0 ]]; then
    log "etcd is missing: sudo apt-get install -y etcd-server"
    exit 1
  fi
  log "installing etcd-server from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
}

gen_certs() {
  local pki="$dir/pki"
  mkdir -p "$pki"
  openssl genrsa -out "$pki/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=mezzo-e2e-ca" -days 3 -out "$pki/ca.crt" 2>/dev/null
  cat >"$pki/server.cnf" <<CNF
[req]
distinguished_name = dn
[dn]
[ext]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, IP:10.96.0.1
CNF
  openssl genrsa -out "$pki/apiserver.key" 2048 2>/dev/null
  openssl req -new -key "$pki/apiserver.key" -subj "/CN=kube-apiserver" -out "$pki/apiserver.csr" 2>/dev/null
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3 -extfile "$pki/server.cnf" -extensions ext -out "$pki/apiserver.crt" 2>/dev/null
  # The admin identity is in system:masters, which RBAC's bootstrap policy makes cluster-admin.
  openssl genrsa -out "$pki/admin.key" 2048 2>/dev/null
  openssl req -new -key "$pki/admin.key" -subj "/O=system:masters/CN=mezzo-e2e-admin" -out "$pki/admin.csr" 2>/dev/null
  printf 'extendedKeyUsage = clientAuth\n' >"$pki/client.ext"
  openssl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3 -extfile "$pki/client.ext" -out "$pki/admin.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

write_kubeconfig() {
  local port="$1" pki="$dir/pki"
  cat >"$dir/admin.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: mezzo-e2e
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: mezzo-e2e
  context: {cluster: mezzo-e2e, user: admin, namespace: default}
current-context: mezzo-e2e
KC
}

wait_ready() {
  local port="$1" deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    if "$KUBECTL" --kubeconfig "$dir/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1; then
      # The bootstrap controller creates the default namespace shortly after readyz.
      if "$KUBECTL" --kubeconfig "$dir/admin.kubeconfig" get namespace default >/dev/null 2>&1; then
        return 0
      fi
    fi
    if ! kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null; then
      log "kube-apiserver exited; last log lines:"
      tail -n 30 "$dir/logs/apiserver.log" >&2
      return 1
    fi
    sleep 0.5
  done
  log "kube-apiserver not ready after 90 s; last log lines:"
  tail -n 30 "$dir/logs/apiserver.log" >&2
  return 1
}

up() {
  local start=$SECONDS
  if [[ -f "$dir/env" ]] && kill -0 "$(cat "$dir/apiserver.pid" 2>/dev/null || echo 0)" 2>/dev/null; then
    log "already up in $dir"
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir/logs"
  ensure_etcd
  local bins
  bins=$(bash "$repo/scripts/k8s-tools.sh" print-dir)
  local k8s_bin helm_bin
  k8s_bin=$(sed -n 1p <<<"$bins")
  helm_bin=$(sed -n 2p <<<"$bins")
  KUBECTL="$k8s_bin/kubectl"
  gen_certs

  local etcd_client etcd_peer api_port
  etcd_client=$(free_port)
  etcd_peer=$(free_port)
  api_port=$(free_port)
  # setsid: the servers outlive this script and are stopped by `down` through their pids.
  setsid etcd --name mezzo-e2e --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "mezzo-e2e=http://127.0.0.1:$etcd_peer" \
    --unsafe-no-fsync --quota-backend-bytes=1073741824 \
    >"$dir/logs/etcd.log" 2>&1 < /dev/null &
  echo $! >"$dir/etcd.pid"

  local pki="$dir/pki"
  # --watch-cache=false: Debian's etcd 3.4 sends no watch progress notifications, which the
  # 1.34 watch cache needs to serve consistent lists (a locked-on feature); without the
  # cache, lists and watches go straight to etcd and behave as they should.
  setsid "$k8s_bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_client" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --api-audiences https://kubernetes.default.svc \
    --authorization-mode RBAC --anonymous-auth=false \
    --allow-privileged=true \
    --kubelet-preferred-address-types InternalIP \
    --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
    --service-cluster-ip-range 10.96.0.0/24 \
    --enable-priority-and-fairness=false \
    --profiling=false \
    --watch-cache=false \
    >"$dir/logs/apiserver.log" 2>&1 < /dev/null &
  echo $! >"$dir/apiserver.pid"

  write_kubeconfig "$api_port"
  wait_ready "$api_port"
  cat >"$dir/env" <<ENV
KUBECONFIG=$dir/admin.kubeconfig
KUBECTL=$k8s_bin/kubectl
HELM=$helm_bin/helm
MEZZO_APISERVER=https://127.0.0.1:$api_port
MEZZO_ETCD=http://127.0.0.1:$etcd_client
MEZZO_CA_CERT=$pki/ca.crt
ENV
  log "up in $((SECONDS - start)) s: apiserver https://127.0.0.1:$api_port, etcd 127.0.0.1:$etcd_client, env in $dir/env"
}

down() {
  [[ -d "$dir/node" ]] && bash "$here/node.sh" down "$dir"
  for name in apiserver etcd; do
    local pidfile="$dir/$name.pid"
    [[ -f "$pidfile" ]] || continue
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$dir"
  log "down"
}

case "$cmd" in
  up) up ;;
  up-node)
    up
    # A node that fails to come up takes the control plane down with it.
    bash "$here/node.sh" up "$dir" || { down; exit 1; }
    ;;
  down) down ;;
  env) cat "$dir/env" ;;
  *) echo "usage: $0 up|up-node|env|down [DIR]" >&2; exit 2 ;;
esac
