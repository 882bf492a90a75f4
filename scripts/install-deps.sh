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
  # tests/e2e/scorecard_test.cpp renders the HTML scorecard headless (screenshot and PDF).
  chromium
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
