#!/usr/bin/env bash
# Builds Mezzo's OCI image from this checkout without a registry or a container engine,
# for machines (the e2e node, air-gapped hosts) where the Dockerfile's base image cannot be
# pulled. The Dockerfile stays the recipe for users with an engine; this script produces the
# same /opt/mezzo layout, entrypoint, environment, working directory and user, on a
# smaller root: the machine's Node runtime and its shared libraries, util-linux's setsid,
# unshare and setpriv, BusyBox (sh and the tools tasks and the fetcher use: tar, gzip,
# unzip, ps) instead of Debian's userland, Python 3 (the interpreter and its standard
# library, without tests, IDLE, tkinter, ensurepip or caches: the demo's `web` task and
# the dashboard's New Application example run `python3 -m http.server`),
# CA certificates, and passwd/group entries for root, nobody and 65532.
#
#   scripts/build-image.sh [--import SOCKET] [--out FILE] [IMAGE]
#     IMAGE     defaults to ghcr.io/mezzo-dev/mezzo:<package.json version>
#     --out     the OCI archive (default .tmp/image/mezzo.oci.tar)
#     --import  also import it into containerd's k8s.io namespace at SOCKET
#
# Tools: buildah, busybox-static and python3 from Debian (installed when missing), node, npm.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/.tmp/image/mezzo.oci.tar"
socket=""
image=""
while (($#)); do
  case "$1" in
    --import) socket="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -*) echo "unknown flag $1" >&2; exit 2 ;;
    *) image="$1"; shift ;;
  esac
done
version=$(node -p "require('$repo/package.json').version")
image="${image:-ghcr.io/mezzo-dev/mezzo:$version}"

log() { printf '[build-image] %s\n' "$*" >&2; }

missing=()
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
[[ -x /bin/busybox ]] && /bin/busybox --list 2>/dev/null | grep -qx unzip || missing+=(busybox-static)
# Debian's interpreter (not a pyenv or venv one on PATH): its stdlib is under /usr/lib.
[[ -x /usr/bin/python3 ]] || missing+=(python3)
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || { log "missing: sudo apt-get install -y ${missing[*]}"; exit 1; }
  log "installing ${missing[*]} from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[[ -f "$repo/dist/src/index.js" ]] || { log "dist/src is missing: npm run build"; exit 1; }

start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/mezzo-image-XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
app="$root/opt/mezzo"
mkdir -p "$app/dist" "$root/usr/local/bin" "$root/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/root"
chmod 1777 "$root/tmp"

# /opt/mezzo, as the Dockerfile's final stage copies it: package.json, production
# node_modules, dist/src, bin, proto, crds.
cp "$repo/package.json" "$repo/package-lock.json" "$work/"
cp -a "$repo/node_modules" "$work/node_modules"
(cd "$work" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
cp "$repo/package.json" "$app/"
mv "$work/node_modules" "$app/node_modules"
cp -a "$repo/dist/src" "$app/dist/src"
cp -a "$repo/bin" "$repo/proto" "$repo/crds" "$app/"

# The runtime: the machine's node at the official image's path; dash as /bin/sh (as in
# Debian; BusyBox's static sh runs its own applets before PATH); util-linux's setsid,
# unshare and setpriv, which the agent's task supervisor calls with options BusyBox's
# applets lack (--kill-child, --reuid/--regid/--clear-groups); and their libraries.
node_bin=$(readlink -f "$(command -v node)")
cp "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/bin"
host_tools=()
for tool in dash:/bin/sh setsid:/usr/bin/setsid unshare:/usr/bin/unshare setpriv:/usr/bin/setpriv perl:/usr/bin/perl; do
  host_tools+=("$(readlink -f "$(command -v "${tool%%:*}")")")
  cp "${host_tools[-1]}" "$root${tool#*:}"
done
# The task launcher is a Perl script using perl-base's modules only (POSIX, Fcntl, strict,
# warnings): perl-base's library directory, at the path the interpreter looks in.
perl_base=$(perl -e 'print grep { m{/perl-base$} } @INC')
[[ -d "$perl_base" ]] || { log "perl-base's library directory not found"; exit 1; }
mkdir -p "$root$(dirname "$perl_base")"
cp -a "$perl_base" "$root$perl_base"
for lib in $(ldd "$node_bin" "${host_tools[@]}" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# BusyBox for the commands tasks run (coreutils, tar, gzip, unzip, ps).
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [[ -e "$root/bin/$applet" || -e "$root/usr/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"
done
ln -s /bin/env "$root/usr/bin/env"
# Python: Debian's interpreter and standard library (with its compiled modules), minus
# what no task needs at run time.
py_bin=$(readlink -f /usr/bin/python3)
py_ver=$(basename "$py_bin")
cp "$py_bin" "$root/usr/bin/$py_ver"
ln -s "$py_ver" "$root/usr/bin/python3"
mkdir -p "$root/usr/lib"
tar -C /usr/lib -cf - --exclude="$py_ver/test" --exclude="$py_ver/idlelib" \
  --exclude="$py_ver/tkinter" --exclude="$py_ver/ensurepip" --exclude="$py_ver/lib2to3" \
  --exclude="$py_ver/site-packages" --exclude="$py_ver/dist-packages" \
  --exclude='__pycache__' --exclude="$py_ver/config-*" "$py_ver" | tar -C "$root/usr/lib" -xf -
for lib in $(ldd "$py_bin" "$root/usr/lib/$py_ver"/lib-dynload/*.so 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u); do
  [[ -e "$root$lib" ]] && continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cat >"$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
nonroot:x:65532:65532:nonroot:/home/nonroot:/bin/false
PW
cat >"$root/etc/group" <<'GR'
root:x:0:
nogroup:x:65534:
nonroot:x:65532:
GR
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

b=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
c=$("${b[@]}" from scratch)
"${b[@]}" copy "$c" "$root/" / >/dev/null
"${b[@]}" config --workingdir /opt/mezzo --user 65532:65532 \
  --env NODE_ENV=production --env MEZZO_LOG_FORMAT=json \
  --entrypoint '["node", "/opt/mezzo/bin/mezzo.js"]' --cmd '--help' \
  --env PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
  --label org.opencontainers.image.source=scripts/build-image.sh "$c"
mkdir -p "$(dirname "$out")"
rm -f "$out"
"${b[@]}" commit -q "$c" "oci-archive:$out:$image" >/dev/null
"${b[@]}" rm "$c" >/dev/null
size=$(du -sb "$root" | cut -f1)
log "$image: $(du -h "$out" | cut -f1) archive, $((size / 1024 / 1024)) MiB unpacked, built in $((SECONDS - start)) s -> $out"
if [[ -n "$socket" ]]; then
  ctr --address "$socket" -n k8s.io images import "$out" >/dev/null
  log "imported into containerd at $socket (namespace k8s.io)"
fi
