#!/usr/bin/env bash
# Second command of the quick start: build (configuring build/ if needed) and run the whole test suite with CTest.
# --sanitize: the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ (slower;
# the few long accuracy studies, labelled `slow`, are left to the optimised run).
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
[ -f "$dir/CMakeCache.txt" ] || cmake -S . -B "$dir" "${configure[@]}"
cmake --build "$dir" -j "$jobs"
ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${exclude[@]}"
