#!/usr/bin/env bash
# Builds the Kubernetes tools the e2e level needs from Go modules and caches them
# by version outside the repository:
#   kube-apiserver, kubectl, kube-controller-manager, kube-scheduler and kubelet from
#   k8s.io/kubernetes (staging modules replaced by their published v0.x twins, since the
#   monorepo's go.mod points them at ./staging),
#   helm from helm.sh/helm/v3.
# Usage: scripts/k8s-tools.sh [print-dir]
set -euo pipefail

K8S_VERSION="${MEZZO_K8S_VERSION:-v1.34.4}"
HELM_VERSION="${MEZZO_HELM_VERSION:-v3.21.4}"
CACHE_ROOT="${MEZZO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mezzo}"
K8S_DIR="$CACHE_ROOT/kubernetes-$K8S_VERSION"
HELM_DIR="$CACHE_ROOT/helm-$HELM_VERSION"
# Bump when the build recipe changes so cached binaries are rebuilt.
RECIPE=2
# Each missing binary is built on its own, so adding one to this list leaves the binaries
# already cached (and possibly running in another checkout's cluster) untouched.
K8S_COMMANDS=(kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet)

log() { printf '[k8s-tools] %s\n' "$*" >&2; }

missing_commands() {
  if [[ "$(cat "$K8S_DIR/recipe" 2>/dev/null)" != "$RECIPE" ]]; then
    printf '%s\n' "${K8S_COMMANDS[@]}"
    return 0
  fi
  local cmd
  for cmd in "${K8S_COMMANDS[@]}"; do
    [[ -x "$K8S_DIR/bin/$cmd" ]] || echo "$cmd"
  done
}

build_kubernetes() {
  local missing
  mapfile -t missing < <(missing_commands)
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  command -v go >/dev/null || { log "go is required: apt-get install -y golang (or install Go >= 1.24)"; exit 1; }
  local staging="v0.${K8S_VERSION#v1.}"
  local work="$K8S_DIR/src"
  mkdir -p "$work" "$K8S_DIR/bin"
  log "building ${missing[*]} $K8S_VERSION (staging $staging); first build takes minutes"
  local start=$SECONDS
  # The monorepo's go.mod lists every staging module as a local replace; reuse that list.
  local modinfo
  modinfo=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION")
  local gomod
  gomod=$(printf '%s' "$modinfo" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  local goversion
  goversion=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -n1)
  {
    echo "module mezzo.dev/k8s-tools"
    echo
    echo "go $goversion"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" \
      | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
  } >"$work/go.mod"
  cat >"$work/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true)
  # Stamp the real version (a module build has no git tree to take it from); helm and
  # kubectl compare it against charts' kubeVersion and their own version skew.
  local minor="${K8S_VERSION#v1.}"
  minor="${minor%%.*}"
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  local cmd
  for cmd in "${missing[@]}"; do
    # Built beside the target and renamed, so a running copy of the old binary is never
    # overwritten in place.
    (cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags="$ldflags" \
      -o "$K8S_DIR/bin/.$cmd.new" "k8s.io/kubernetes/cmd/$cmd")
    mv -f "$K8S_DIR/bin/.$cmd.new" "$K8S_DIR/bin/$cmd"
  done
  echo "$RECIPE" >"$K8S_DIR/recipe"
  log "kubernetes $K8S_VERSION built in $((SECONDS - start)) s"
}

build_helm() {
  if [[ -x "$HELM_DIR/bin/helm" ]]; then
    return 0
  fi
  mkdir -p "$HELM_DIR/bin"
  log "building helm $HELM_VERSION"
  local start=$SECONDS
  GOFLAGS=-mod=mod CGO_ENABLED=0 GOBIN="$HELM_DIR/bin" go install -trimpath -ldflags="-s -w" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  log "helm $HELM_VERSION built in $((SECONDS - start)) s"
}

build_kubernetes
build_helm
if [[ "${1:-}" == "print-dir" ]]; then
  printf '%s\n%s\n' "$K8S_DIR/bin" "$HELM_DIR/bin"
fi
