#!/usr/bin/env bash
# Second command of the quick start: build (configuring build/ if needed) and run the whole test suite with CTest.
# --sanitize: the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ (slower;
# the few long accuracy studies, labelled `slow`, are left to the optimised run; so are the Python module and the
# package-consumer tests, which cannot load or link the sanitizer runtime).
# TILT_WERROR=ON in the environment (re)configures with -Werror (CI: .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
dir=build
configure=(-DCMAKE_BUILD_TYPE=Release)
exclude=()
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  configure=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTILT_SANITIZE=ON -DTILT_BENCH=OFF)
  exclude=(-LE slow)
elif [ $# -gt 0 ]; then
  echo "test.sh: unknown option $1 (allowed: --sanitize)" >&2
  exit 2
fi
if [ -n "${TILT_WERROR:-}" ]; then configure+=(-DTILT_WERROR="$TILT_WERROR"); fi
if [ ! -f "$dir/CMakeCache.txt" ] || [ -n "${TILT_WERROR:-}" ]; then cmake -S . -B "$dir" "${configure[@]}"; fi
cmake --build "$dir" -j "$jobs"
ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${exclude[@]}"
