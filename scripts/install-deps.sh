#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12 packages, by name.
# Idempotent: packages already installed are skipped, so a second run is fast.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libboost-dev libboost-system-dev
  libzmq3-dev cppzmq-dev
  prometheus-cpp-dev
  libspdlog-dev libfmt-dev
  libyaml-cpp-dev
  libsimdjson-dev
  libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 tzdata
  # promtool and amtool for the deploy/ tests; the integration test runs the prometheus binary
  # on its own ports (a packaged service the install may start is not used).
  prometheus prometheus-alertmanager
  # tests/deploy/scale_out.sh publishes with pyzmq; check_manifests.py and it parse YAML.
  python3-zmq python3-yaml
  # scripts/ci-hardening.sh: ASan+UBSan and TSan builds and the libFuzzer targets use clang 14 and
  # its sanitizer / libFuzzer runtimes.
  clang-14 libclang-rt-14-dev
  # Wallboard, auth and TLS (issue #8): OpenSSL (TLS, SHA-256; the openssl CLI makes the TLS
  # tests' certificates), libxcrypt (bcrypt), and headless chromium driven over the DevTools
  # protocol with python3-websocket for the browser test.
  libssl-dev openssl libcrypt-dev chromium python3-websocket
  # bench/mtail_compare.sh: the peer counted side by side with ccpulse (issue #10).
  mtail
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
