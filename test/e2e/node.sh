#!/usr/bin/env bash
# One Kubernetes node beside the e2e control plane (test/e2e/control-plane.sh up-node):
# containerd + runc + the CNI plugins from Debian, kube-controller-manager, kube-scheduler
# and a kubelet from the cached k8s.io/kubernetes build, a locally built pause image, and a
# pod network on a bridge this script creates. Nothing is pulled from a registry.
#
#   test/e2e/node.sh up   DIR   (DIR is the control plane's directory; it must be up)
#   test/e2e/node.sh down DIR
#
# Network: pods get their own network namespaces on the bridge mezzo-e2e0 (10.244.0.0/24,
# the bridge CNI plugin with host-local IPAM); the host end is 10.244.0.1. There is no
# kube-proxy: support/node-net.ts answers cluster DNS on 10.244.0.1:53 with a Service's
# ready endpoint addresses and forwards 10.96.0.1:443 (the `kubernetes` Service, an
# address on the bridge) to the loopback apiserver. No iptables rule and no sysctl of the
# host is changed; the bridge has no uplink, so nothing leaves the machine.
#
# Cgroups (v1 or v2, cgroupfs driver): the kubelet's pods live under /mezzo-e2e-node in
# every hierarchy. /run/mezzo-e2e-node holds containerd's and the kubelet's state and the
# logs (DIR/node links there); `down` stops every
# process, unmounts what the kubelet and containerd mounted there, removes the cgroups,
# the bridge and the files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cmd="${1:-}"
cp_dir="${2:-$repo/.tmp/control-plane}"
# State, sockets and logs live at a short fixed path (unix socket paths are limited to
# 107 bytes, and the kubelet's go deep); DIR/node links to it. One node per machine.
dir=/run/mezzo-e2e-node

NODE_NAME=mezzo-e2e-node
BRIDGE=mezzo-e2e0
GATEWAY=10.244.0.1
POD_CIDR=10.244.0.0/24
KUBERNETES_SERVICE_IP=10.96.0.1
CGROUP_ROOT=mezzo-e2e-node
PAUSE_IMAGE=mezzo.local/pause:1
# The chart's agent keeps sandboxes and checkpoints here (a hostPath).
AGENT_WORK_DIR=/var/lib/mezzo

log() { printf '[node] %s\n' "$*" >&2; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

ensure_packages() {
  local missing=()
  command -v containerd >/dev/null 2>&1 || missing+=(containerd)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "missing: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "installing ${missing[*]} from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

cgroup_dirs() {
  # Every hierarchy's copy of the node's cgroup root (v1: one per controller; v2: one).
  if [[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]]; then
    echo "/sys/fs/cgroup/$CGROUP_ROOT"
  else
    local d
    for d in /sys/fs/cgroup/*/; do
      [[ -L "${d%/}" ]] && continue
      echo "${d%/}/$CGROUP_ROOT"
    done
  fi
}

# The pause container: a static binary that sleeps until TERM and reaps orphans.
build_pause() {
  local work="$dir/pause"
  mkdir -p "$work"
  cat >"$work/pause.c" <<'C'
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void quit(int s) { (void)s; _exit(0); }
static void reap(int s) { (void)s; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGINT, quit);
  signal(SIGTERM, quit);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
C
  gcc -static -Os -s -o "$work/pause" "$work/pause.c"
  local b=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
  local c
  c=$("${b[@]}" from scratch)
  "${b[@]}" copy "$c" "$work/pause" /pause >/dev/null
  "${b[@]}" config --entrypoint '["/pause"]' --cmd '[]' "$c"
  "${b[@]}" commit -q "$c" "oci-archive:$work/pause.tar:$PAUSE_IMAGE" >/dev/null
  "${b[@]}" rm "$c" >/dev/null
  rm -rf "$work/storage" "$work/run"
}

write_containerd_config() {
  mkdir -p "$dir/cni/net.d" "$dir/containerd"
  cat >"$dir/containerd/config.toml" <<TOML
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # Pods may not lower oom_score_adj below containerd's: this machine withholds
  # CAP_SYS_RESOURCE even from root, and runc fails the sandbox at -998 otherwise.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
TOML
  # host-local keeps its leases under dataDir; the default route points at the bridge's
  # address, which this script sets (isGateway would also turn on the host's ip_forward).
  cat >"$dir/cni/net.d/10-mezzo-e2e.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "mezzo-e2e",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$dir/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0", "gw": "$GATEWAY"}]
      }
    },
    {"type": "loopback"}
  ]
}
JSON
}

write_kubelet_config() {
  local kubelet_port="$1" healthz_port="$2" pki="$cp_dir/pki"
  mkdir -p "$dir/kubelet" "$dir/pod-logs"
  printf '' >"$dir/resolv.conf"
  cat >"$dir/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# On the bridge (not loopback) because the apiserver reaches the kubelet at the node's
# InternalIP for logs and exec; x509 client certificates only.
address: $GATEWAY
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz_port
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
cgroupsPerQOS: true
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$dir/containerd.sock
clusterDNS: [$GATEWAY]
clusterDomain: cluster.local
resolvConf: $dir/resolv.conf
podCIDR: $POD_CIDR
podLogsDir: $dir/pod-logs
maxPods: 30
serializeImagePulls: false
# A test machine's disk and memory are shared: never evict for pressure, never GC images.
evictionHard: {memory.available: "0%", nodefs.available: "0%", imagefs.available: "0%", nodefs.inodesFree: "0%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusReportFrequency: 10s
syncFrequency: 10s
YAML
}

wait_node_ready() {
  local kubectl="$1" deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    if [[ "$("$kubectl" --kubeconfig "$cp_dir/admin.kubeconfig" get node "$NODE_NAME" \
      -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]; then
      return 0
    fi
    for name in containerd kubelet; do
      if ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
        log "$name exited; last log lines:"
        tail -n 30 "$dir/logs/$name.log" >&2
        return 1
      fi
    done
    sleep 1
  done
  log "node not Ready after 120 s; last kubelet log lines:"
  tail -n 30 "$dir/logs/kubelet.log" >&2
  return 1
}

start() {
  local name="$1"
  shift
  # setsid: the daemons outlive this script; `down` stops them through their pids.
  setsid "$@" >"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

up() {
  local start_s=$SECONDS
  [[ -f "$cp_dir/env" ]] || { log "the control plane in $cp_dir is not up"; exit 1; }
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    log "bridge $BRIDGE exists: another node is up on this machine (stop it with its down)"
    exit 1
  fi
  ensure_packages
  [[ -f "$repo/dist/test/e2e/support/node-net.js" ]] || { log "run npm run build first"; exit 1; }
  local bins k8s_bin
  bins=$(bash "$repo/scripts/k8s-tools.sh" print-dir)
  k8s_bin=$(sed -n 1p <<<"$bins")
  local kubectl="$k8s_bin/kubectl" kubeconfig="$cp_dir/admin.kubeconfig" pki="$cp_dir/pki"
  rm -rf "$dir"
  mkdir -p "$dir/logs"
  echo "$cp_dir" >"$dir/owner"
  ln -sfn "$dir" "$cp_dir/node"
  [[ -e "$AGENT_WORK_DIR" ]] || touch "$dir/created-agent-work-dir"
  ls -d /var/run/netns/cni-* >"$dir/netns-before" 2>/dev/null || true
  [[ -e /var/run/netns ]] || touch "$dir/created-netns-dir"
  # The shims keep runc's state and their sockets under /run/containerd whatever the config.
  [[ -e /run/containerd ]] || touch "$dir/created-run-containerd"

  ip link add "$BRIDGE" type bridge
  ip addr add "$GATEWAY/24" dev "$BRIDGE"
  ip addr add "$KUBERNETES_SERVICE_IP/32" dev "$BRIDGE"
  ip link set "$BRIDGE" up

  build_pause
  write_containerd_config
  start containerd containerd --config "$dir/containerd/config.toml"
  local deadline=$((SECONDS + 30))
  until ctr --address "$dir/containerd.sock" version >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "containerd did not start"; tail -n 30 "$dir/logs/containerd.log" >&2; exit 1; }
    sleep 0.2
  done
  ctr --address "$dir/containerd.sock" -n k8s.io images import "$dir/pause/pause.tar" >/dev/null

  start node-net node "$repo/dist/test/e2e/support/node-net.js" \
    --kubeconfig "$kubeconfig" --dns "$GATEWAY:53" \
    --forward "$KUBERNETES_SERVICE_IP:443" --to "$(sed -n 's/^MEZZO_APISERVER=https:\/\///p' "$cp_dir/env")"

  start controller-manager "$k8s_bin/kube-controller-manager" \
    --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(free_port)" --leader-elect=false \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials=false --controllers '*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle' \
    --cluster-cidr "$POD_CIDR" --allocate-node-cidrs=false
  start scheduler "$k8s_bin/kube-scheduler" \
    --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(free_port)" --leader-elect=false

  # The kubelet wants its cgroup root in every hierarchy before it starts.
  local cg
  while IFS= read -r cg; do mkdir -p "$cg"; done < <(cgroup_dirs)
  write_kubelet_config "$(free_port)" "$(free_port)"
  start kubelet "$k8s_bin/kubelet" --config "$dir/kubelet.yaml" --kubeconfig "$kubeconfig" \
    --hostname-override "$NODE_NAME" --node-ip "$GATEWAY" --root-dir "$dir/kubelet" \
    --cert-dir "$dir/kubelet/pki" --node-labels "mezzo.dev/e2e-node=true"
  wait_node_ready "$kubectl"
  cat >>"$cp_dir/env" <<ENV
MEZZO_NODE=$NODE_NAME
MEZZO_CONTAINERD_SOCK=$dir/containerd.sock
MEZZO_AGENT_WORK_DIR=$AGENT_WORK_DIR
ENV
  log "node $NODE_NAME Ready in $((SECONDS - start_s)) s (pods on $BRIDGE $POD_CIDR, cgroups under /$CGROUP_ROOT)"
}

stop_pid() {
  local pidfile="$1" pid
  [[ -f "$pidfile" ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# Kills every process in a cgroup tree (the pods' containers and their shims' children)
# and removes the tree, deepest first.
kill_cgroup_tree() {
  local root="$1"
  [[ -d "$root" ]] || return 0
  local f
  for _ in 1 2 3 4 5; do
    local any=0
    while IFS= read -r f; do
      while IFS= read -r pid; do
        [[ -n "$pid" ]] || continue
        any=1
        kill -9 "$pid" 2>/dev/null || true
      done <"$f"
    done < <(find "$root" -name cgroup.procs 2>/dev/null)
    ((any == 0)) && break
    sleep 0.2
  done
  find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null || true
}

down() {
  # Only the node that this control plane's `up` made is ours to remove.
  if [[ "$(cat "$dir/owner" 2>/dev/null)" != "$cp_dir" ]]; then
    rm -f "$cp_dir/node"
    return 0
  fi
  # Best effort from here on: one step that fails must not leave the others undone.
  set +e
  # The kubelet first, so that it restarts nothing; then the pods' processes; then the
  # shims (they reparent to init when containerd stops) and containerd.
  for name in kubelet scheduler controller-manager node-net; do stop_pid "$dir/$name.pid"; done
  local cg
  while IFS= read -r cg; do kill_cgroup_tree "$cg"; done < <(cgroup_dirs)
  local shim
  for shim in $(pgrep -f "containerd-shim-runc-v2 .*-address $dir/containerd.sock" || true); do
    kill -9 "$shim" 2>/dev/null || true
  done
  stop_pid "$dir/containerd.pid"
  while IFS= read -r cg; do kill_cgroup_tree "$cg"; done < <(cgroup_dirs)
  # Mounts under the state dirs (pod volumes, sandbox /dev/shm, overlay rootfs, netns
  # bind mounts), deepest first.
  local m
  for m in $(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  # Network namespaces containerd made for the pods (bind-mounted files named cni-<uuid>):
  # the ones that were not there when the node came up.
  local ns
  for ns in /var/run/netns/cni-*; do
    [[ -e "$ns" ]] || continue
    grep -qxF "$ns" "$dir/netns-before" 2>/dev/null && continue
    umount "$ns" 2>/dev/null || true
    rm -f "$ns"
  done
  [[ -f "$dir/created-netns-dir" ]] && rmdir /var/run/netns 2>/dev/null
  [[ -f "$dir/created-run-containerd" ]] && rm -rf /run/containerd
  ip link del "$BRIDGE" 2>/dev/null || true
  # The legacy /var/log/containers links the kubelet made point into our pod-logs dir.
  local l
  for l in /var/log/containers/*.log; do
    [[ -L "$l" ]] || continue
    [[ "$(readlink "$l")" == "$dir/pod-logs/"* ]] && rm -f "$l"
  done
  [[ -f "$dir/created-agent-work-dir" ]] && rm -rf "$AGENT_WORK_DIR"
  rm -rf "$dir"
  rm -f "$cp_dir/node"
  set -e
  log "down"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
