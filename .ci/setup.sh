#!/usr/bin/env bash
# Installs what mesaflow needs on a fresh Debian machine: Debian packages (with sudo when not
# root) and the npm packages of package-lock.json. Does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make g++ g++-aarch64-linux-gnu qemu-user-static clang libclang-rt-14-dev libeigen3-dev nlohmann-json3-dev parallel googletest libgtest-dev libbenchmark-dev emscripten binaryen chromium nodejs npm pybind11-dev python3-dev python3-numpy python3-pytest python3-distributed python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from elsewhere than Debian (they do on the CI image): accept them on PATH.
filtered=()
for p in "${missing[@]}"; do
  case "$p" in
    nodejs) command -v node >/dev/null || filtered+=("$p") ;;
    npm) command -v npm >/dev/null || filtered+=("$p") ;;
    *) filtered+=("$p") ;;
  esac
done
if ((${#filtered[@]})); then
  echo "setup: installing Debian packages: ${filtered[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${filtered[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
