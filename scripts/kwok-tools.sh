#!/usr/bin/env bash
# Builds KWOK (sigs.k8s.io/kwok, simulated nodes and pod lifecycle for Kubernetes) from
# the Go module proxy and caches it by version beside the Kubernetes tools of
# scripts/k8s-tools.sh, with the "fast" node and pod stages its module ships (nodes Ready
# at once, pods Running once bound), gathered into one config file. Only
# `npm run bench -- side-by-side` needs it; nothing in `npm test` does.
# Usage: scripts/kwok-tools.sh [print-dir]   (print-dir: prints the directory holding
# bin/kwok and stages.yaml)
set -euo pipefail

KWOK_VERSION="${MEZZO_KWOK_VERSION:-v0.8.0}"
CACHE_ROOT="${MEZZO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mezzo}"
KWOK_DIR="$CACHE_ROOT/kwok-$KWOK_VERSION"
# Bump when the build recipe changes so a cached build is redone.
RECIPE=1

log() { printf '[kwok-tools] %s\n' "$*" >&2; }

build_kwok() {
  if [[ -x "$KWOK_DIR/bin/kwok" && -s "$KWOK_DIR/stages.yaml" && "$(cat "$KWOK_DIR/recipe" 2>/dev/null)" == "$RECIPE" ]]; then
    return 0
  fi
  command -v go >/dev/null || { log "go is required: apt-get install -y golang (or install Go >= 1.24)"; exit 1; }
  mkdir -p "$KWOK_DIR/bin"
  log "building kwok $KWOK_VERSION; the first build takes minutes"
  local start=$SECONDS
  # Built beside the target and renamed, so a running copy is never overwritten in place.
  local tmp="$KWOK_DIR/.build"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  GOFLAGS=-mod=mod CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags="-s -w" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv -f "$tmp/kwok" "$KWOK_DIR/bin/kwok"
  rm -rf "$tmp"
  # The stages come from the module just built (the download cache has it).
  local moddir
  moddir=$(cd "$KWOK_DIR" && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" \
    | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [[ -d "$moddir/kustomize/stage" ]] || { log "no stages in $moddir"; exit 1; }
  local f first=1
  {
    for f in node/fast/node-initialize.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      ((first)) || echo '---'
      first=0
      cat "$moddir/kustomize/stage/$f"
    done
  } >"$KWOK_DIR/.stages.yaml"
  mv -f "$KWOK_DIR/.stages.yaml" "$KWOK_DIR/stages.yaml"
  echo "$RECIPE" >"$KWOK_DIR/recipe"
  log "kwok $KWOK_VERSION built in $((SECONDS - start)) s"
}

build_kwok
if [[ "${1:-}" == "print-dir" ]]; then
  printf '%s\n' "$KWOK_DIR"
fi
