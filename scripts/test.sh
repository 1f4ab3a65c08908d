#!/usr/bin/env bash
# Second command of the quick start: build (configuring build/ if needed) and run the test suite with CTest.
#   scripts/test.sh             every layer in minutes: all tests except those labelled `slow` (the long accuracy
#                               and finite-size studies, and the consumer that rebuilds tilt as a subproject)
#   scripts/test.sh --all       everything, `slow` included (CI: .ci/run)
#   scripts/test.sh --sanitize  the default set built with AddressSanitizer + UndefinedBehaviorSanitizer in
#                               build-asan/ (slower; without the Python module and the package-consumer tests,
#                               which cannot load or link the sanitizer runtime)
# TILT_WERROR=ON in the environment (re)configures with -Werror (CI: .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
dir=build
configure=(-DCMAKE_BUILD_TYPE=Release)
exclude=(-LE slow)
case "${1:-}" in
  "") ;;
  --all) exclude=() ;;
  --sanitize)
    dir=build-asan
    configure=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTILT_SANITIZE=ON -DTILT_BENCH=OFF) ;;
  *) echo "test.sh: unknown option $1 (allowed: --all, --sanitize)" >&2; exit 2 ;;
esac
if [ $# -gt 1 ]; then echo "test.sh: one option at most (allowed: --all, --sanitize)" >&2; exit 2; fi
if [ -n "${TILT_WERROR:-}" ]; then configure+=(-DTILT_WERROR="$TILT_WERROR"); fi
if [ ! -f "$dir/CMakeCache.txt" ] || [ -n "${TILT_WERROR:-}" ]; then cmake -S . -B "$dir" "${configure[@]}"; fi
cmake --build "$dir" -j "$jobs"
ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${exclude[@]}"
