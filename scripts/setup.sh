#!/usr/bin/env bash
# First command of the quick start: install the missing Debian packages, build tilt in build/ (Release), and run
# the headline example (perceptron under curriculum, anti-curriculum and shuffled order) into out/.
# Idempotent and non-interactive; works as root or through sudo. Options: --no-example, --jobs N.
set -euo pipefail
cd "$(dirname "$0")/.."

example=1
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --no-example) example=0 ;;
    --jobs) jobs="$2"; shift ;;
    *) echo "setup.sh: unknown option $1 (allowed: --no-example, --jobs N)" >&2; exit 2 ;;
  esac
  shift
done

packages=(g++ make cmake git libeigen3-dev libgsl-dev libboost-math-dev libgtest-dev libbenchmark-dev
          libcli11-dev libtoml11-dev nlohmann-json3-dev python3-matplotlib python3-numpy libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo -n); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTILT_MPI=ON   # tilt sweep across ranks under mpirun
cmake --build build -j "$jobs"

if [ "$example" -eq 1 ]; then
  scripts/headline.sh
fi
