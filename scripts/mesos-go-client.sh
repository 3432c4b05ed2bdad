#!/usr/bin/env bash
# Builds the Mesos framework the compatibility tests drive with mesos-go (the Go Mesos
# library, github.com/mesos/mesos-go, from the Go module proxy at the exact version of
# test/integration/compat/mesos-go-client/go.mod, checked against its go.sum), and caches
# the binary outside the repository, keyed on the hash of the program's source, go.mod
# and go.sum: a change to any of them builds a new one, an unchanged one is reused.
# Usage: scripts/mesos-go-client.sh [print-path]   (print-path: prints the binary's path)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/test/integration/compat/mesos-go-client"
CACHE_ROOT="${MEZZO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mezzo}"
# Bump when the build recipe changes so a cached build is redone.
RECIPE=1

log() { printf '[mesos-go-client] %s\n' "$*" >&2; }

hash=$( (echo "$RECIPE"; cat "$SRC/go.mod" "$SRC/go.sum" "$SRC"/*.go) | sha256sum | cut -c1-16)
DIR="$CACHE_ROOT/mesos-go-client-$hash"
BIN="$DIR/mesos-go-client"

if [[ ! -x "$BIN" ]]; then
  command -v go >/dev/null || { log "go is required: apt-get install -y golang-go (Go >= 1.22)"; exit 1; }
  mkdir -p "$DIR"
  log "building with $(go version); the first build downloads mesos-go and takes a minute"
  start=$SECONDS
  # Built beside the target and renamed, so a running copy is never overwritten in place.
  # -mod=readonly: go.sum must already hold every module's hash (nothing is resolved anew).
  (cd "$SRC" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$BIN.tmp" .)
  mv -f "$BIN.tmp" "$BIN"
  log "built in $((SECONDS - start)) s: $BIN"
fi
if [[ "${1:-}" == "print-path" ]]; then
  printf '%s\n' "$BIN"
fi
