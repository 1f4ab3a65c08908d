#!/usr/bin/env bash
# First command of the quick start: install the missing Debian packages, build tilt in build/ (Release), install
# the Python module `tilt` for Debian's /usr/bin/python3 (into /usr/local/lib/python3.X/dist-packages), and run
# the headline example (perceptron under curriculum, anti-curriculum and shuffled order) into out/.
# Idempotent and non-interactive; works as root or through sudo. Options: --no-example, --jobs N, --paper (also
# TeX Live for the note: paper/make.sh --pdf builds paper/tilt.pdf; the default set-up does not install it).
# TILT_WERROR=ON in the environment builds with -Werror (CI: .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

example=1
paper=0
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --no-example) example=0 ;;
    --jobs) jobs="$2"; shift ;;
    --paper) paper=1 ;;
    *) echo "setup.sh: unknown option $1 (allowed: --no-example, --jobs N, --paper)" >&2; exit 2 ;;
  esac
  shift
done

packages=(g++ make cmake git libeigen3-dev libgsl-dev libboost-math-dev libgtest-dev libbenchmark-dev
          libcli11-dev libtoml11-dev nlohmann-json3-dev python3-matplotlib python3-numpy python3-dev
          python3-pybind11 pybind11-dev python3-pytest python3-pandas clang-format libopenmpi-dev openmpi-bin
          zlib1g-dev dataset-fashion-mnist)  # zlib and the data of model fmnist (docs/fmnist.md): CI's tests use the real set
if [ "$paper" -eq 1 ]; then  # the note paper/tilt.tex (paper/make.sh --pdf)
  packages+=(texlive-latex-recommended texlive-fonts-recommended texlive-science latexmk)
fi
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo -n); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# -DTILT_MPI=ON: tilt sweep spreads points over the ranks of mpirun (docs/sweep.md).
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTILT_MPI=ON ${TILT_WERROR:+-DTILT_WERROR=$TILT_WERROR}
cmake --build build -j "$jobs"

# The Python module, where Debian's python3 looks (/usr/local/lib/python3.X/dist-packages; docs/library.md).
if [ -f build/python/tilt/__init__.py ]; then
  if "${sudo[@]}" cmake --install build --component python --prefix /usr/local > /dev/null &&
     (cd / && /usr/bin/python3 -c "import tilt") ; then
    echo "setup: Python module installed: /usr/bin/python3 -c 'import tilt'"
  else
    echo "setup: could not install the Python module (needs root or sudo); use it from the build tree with" \
         "PYTHONPATH=$PWD/build/python" >&2
  fi
fi

if [ "$example" -eq 1 ]; then
  scripts/headline.sh
fi
