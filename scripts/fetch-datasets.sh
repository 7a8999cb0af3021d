#!/usr/bin/env bash
# Download the official full datasets into static/data/ (for a deployment with internet access)
# and add them to static/data/manifest.json. The offline MNIST subset needs none of this.
#
#   bash scripts/fetch-datasets.sh            # both
#   bash scripts/fetch-datasets.sh --mnist    # MNIST only   -> static/data/mnist/*-ubyte.gz
#   bash scripts/fetch-datasets.sh --cifar10  # CIFAR-10 only -> static/data/cifar10/cifar-10-binary.tar.gz
#
# Files already present with the right checksum are not downloaded again. Every download is
# checked (size where known, MD5) before it replaces anything. Needs curl (or wget) and node.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$SELF")/.."

DATA=static/data
MNIST_MIRRORS=(
  https://ossci-datasets.s3.amazonaws.com/mnist/
  https://storage.googleapis.com/cvdf-datasets/mnist/
)
# name size md5
MNIST_FILES=(
  "train-images-idx3-ubyte.gz 9912422 f68b3c2dcbeaaa9fbdd348bbdeb94873"
  "train-labels-idx1-ubyte.gz 28881 d53e105ee54ea40749a09fcbcd1e9432"
  "t10k-images-idx3-ubyte.gz 1648877 9fb629c4189551a2d022fa330f9573f3"
  "t10k-labels-idx1-ubyte.gz 4542 ec29112dd5afa0611ce80d1b7f02629c"
)
CIFAR_URL=https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
CIFAR_MD5=c32a1d4ab5d03f1284b67883e8d87530

log() { printf '\033[1;34m[fetch]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[fetch] error:\033[0m %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,10p' "$SELF" | sed 's/^# \{0,1\}//'; }

want_mnist=0 want_cifar=0
for arg in "$@"; do
  case "$arg" in
    --mnist) want_mnist=1 ;;
    --cifar10) want_cifar=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $arg" ;;
  esac
done
if [ $want_mnist = 0 ] && [ $want_cifar = 0 ]; then want_mnist=1 want_cifar=1; fi

command -v node >/dev/null || die "node is needed to update $DATA/manifest.json"
if command -v curl >/dev/null; then
  download() { curl -fL --retry 2 --connect-timeout 20 --progress-bar -o "$2" "$1"; }
elif command -v wget >/dev/null; then
  download() { wget -q --show-progress --tries=3 --timeout=20 -O "$2" "$1"; }
else
  die "neither curl nor wget is installed"
fi

md5_of() {
  if command -v md5sum >/dev/null; then md5sum "$1" | cut -d' ' -f1
  elif command -v md5 >/dev/null; then md5 -q "$1"
  else node -e 'process.stdout.write(require("crypto").createHash("md5").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$1"
  fi
}
size_of() { wc -c <"$1" | tr -d ' '; }

# verify FILE SIZE MD5 (SIZE may be "-" when unknown): prints the reason and fails on mismatch
verify() {
  local file=$1 size=$2 md5=$3 got
  [ -f "$file" ] || { echo "missing"; return 1; }
  if [ "$size" != - ]; then
    got=$(size_of "$file")
    [ "$got" = "$size" ] || { echo "size $got, expected $size"; return 1; }
  fi
  got=$(md5_of "$file")
  [ "$got" = "$md5" ] || { echo "md5 $got, expected $md5"; return 1; }
}

# fetch DEST SIZE MD5 URL...: tries each URL until one gives a file that verifies
fetch() {
  local dest=$1 size=$2 md5=$3 url why tmp
  shift 3
  if why=$(verify "$dest" "$size" "$md5"); then log "$dest: present, checksum OK"; return 0; fi
  mkdir -p "$(dirname "$dest")"
  tmp="$dest.part"
  for url in "$@"; do
    log "downloading $url"
    if ! download "$url" "$tmp"; then
      log "  failed to download $url"
      rm -f "$tmp"
      continue
    fi
    if why=$(verify "$tmp" "$size" "$md5"); then
      mv -f "$tmp" "$dest"
      log "  $dest: OK"
      return 0
    fi
    log "  $url: bad download ($why)"
    rm -f "$tmp"
  done
  die "could not get a valid $(basename "$dest") from any of: $* (see the messages above)"
}

# Fail early and clearly when offline instead of timing out file by file: only a failure to
# reach the server counts here (any HTTP answer, even an error, means the network is there).
check_online() {
  local url=$1 rc=0
  if command -v curl >/dev/null; then
    curl -sS -o /dev/null -r 0-0 --connect-timeout 15 --max-time 30 "$url" || rc=$?
  else
    wget -q -O /dev/null --timeout=15 --tries=1 "$url" || rc=$?
    [ $rc = 4 ] || rc=0 # wget: 4 = network failure; others are HTTP/server problems
  fi
  return $rc
}

ids=()
if [ $want_mnist = 1 ]; then
  online=0
  for m in "${MNIST_MIRRORS[@]}"; do
    if check_online "${m}t10k-labels-idx1-ubyte.gz"; then online=1; break; fi
  done
  [ $online = 1 ] || die "cannot reach any MNIST mirror (${MNIST_MIRRORS[*]}): no internet access? \
This script needs the network; the app still works offline with the bundled MNIST subset."
  for entry in "${MNIST_FILES[@]}"; do
    read -r name size md5 <<<"$entry"
    urls=()
    for m in "${MNIST_MIRRORS[@]}"; do urls+=("$m$name"); done
    fetch "$DATA/mnist/$name" "$size" "$md5" "${urls[@]}"
  done
  ids+=(mnist)
fi
if [ $want_cifar = 1 ]; then
  check_online "$CIFAR_URL" || die "cannot reach $CIFAR_URL: no internet access? \
This script needs the network; the app still works offline with the bundled MNIST subset."
  fetch "$DATA/cifar10/cifar-10-binary.tar.gz" - "$CIFAR_MD5" "$CIFAR_URL"
  ids+=(cifar10)
fi

node scripts/update-manifest.mjs --data-dir "$DATA" "${ids[@]}"
log "done: $DATA/manifest.json lists ${ids[*]}"
