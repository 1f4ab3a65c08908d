#!/bin/sh
# Speed of tilt sweep (issue 13, point 6): wall time and points per second of the 10^4-point perceptron theory
# sweep bench/sweep_10k.toml on 1 and 2 threads, and on 1 and 2 MPI ranks (one thread each; needs a build with
# -DTILT_MPI=ON), checking that every table is byte-identical. Prints the load average, which the numbers depend on.
# Usage: sh scripts/sweep_scaling.sh [BUILD_DIR] [OUT_DIR] [SWEEP_FILE]
set -e
BUILD=${1:-build}
OUT=${2:-out/sweep_scaling}
FILE=${3:-bench/sweep_10k.toml}
mkdir -p "$OUT"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
points=$("$BUILD/tilt" sweep "$FILE" --dry-run | sed -n 's/^sweep [^:]*: \([0-9]*\) points.*/\1/p')
echo "sweep $FILE: $points points; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # name, command...: wall time, points per second, and CPU seconds (user + system, children included)
  name=$1
  shift
  python3 - "$name" "$points" "$@" --quiet --force --out "$OUT/$name" <<'PY'
import os, resource, subprocess, sys, time
name, points, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
start = time.monotonic()
subprocess.run(command, check=True)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = r.ru_utime + r.ru_stime
print("%-10s wall %7.2f s  %7.1f points/s  cpu %7.2f s  (%.2f ms cpu/point)" % (name, wall, points / wall, cpu, 1e3 * cpu / points))
PY
}
run threads1 "$BUILD/tilt" sweep "$FILE" --threads 1
run threads2 "$BUILD/tilt" sweep "$FILE" --threads 2
cmp "$OUT/threads1.csv" "$OUT/threads2.csv" && echo "tables identical (1 and 2 threads)"
if command -v mpirun >/dev/null 2>&1; then
  run ranks1 mpirun --oversubscribe -np 1 "$BUILD/tilt" sweep "$FILE" --threads 1
  run ranks2 mpirun --oversubscribe -np 2 "$BUILD/tilt" sweep "$FILE" --threads 1
  cmp "$OUT/threads1.csv" "$OUT/ranks2.csv" && echo "tables identical (1 thread and 2 ranks)"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
