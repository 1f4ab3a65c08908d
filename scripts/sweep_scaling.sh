#!/bin/sh
# Speed of tilt sweep (issue 13, point 6): wall time, points per second and CPU time (user + system) of the
# 10^4-point perceptron theory sweep bench/sweep_10k.toml on 1 and 2 threads, and on 1 and 2 MPI ranks (one thread
# each; needs a build with -DTILT_MPI=ON), checking that every table is byte-identical, then the parallel
# efficiencies (wall on 1 / (2 x wall on 2)). Prints the load average, which the wall times depend on; CPU time
# does not (much), so on a shared machine compare CPU times, and take efficiencies only from free cores.
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
  python3 - "$name" "$points" "$OUT/$name.time" "$@" --quiet --force --out "$OUT/$name" <<'PY'
import os, resource, subprocess, sys, time
name, points, record, command = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
start = time.monotonic()
subprocess.run(command, check=True)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
user, system = r.ru_utime, r.ru_stime
print("%-10s wall %7.2f s  %7.1f points/s  cpu %7.2f s (user %.2f + system %.2f; %.3f ms cpu/point)"
      % (name, wall, points / wall, user + system, user, system, 1e3 * (user + system) / points))
with open(record, "w") as f:
    f.write("%.6f\n" % wall)
PY
}
efficiency() {  # label, one-worker run, two-worker run: wall(1) / (2 wall(2))
  python3 -c "import sys; a, b = (float(open(p).read()) for p in sys.argv[2:4]); \
print('parallel efficiency %s: %.2f (speed-up %.2f)' % (sys.argv[1], a / (2 * b), a / b))" "$1" "$OUT/$2.time" "$OUT/$3.time"
}
run threads1 "$BUILD/tilt" sweep "$FILE" --threads 1
run threads2 "$BUILD/tilt" sweep "$FILE" --threads 2
cmp "$OUT/threads1.csv" "$OUT/threads2.csv" && echo "tables identical (1 and 2 threads)"
if command -v mpirun >/dev/null 2>&1; then
  run ranks1 mpirun --oversubscribe -np 1 "$BUILD/tilt" sweep "$FILE" --threads 1
  run ranks2 mpirun --oversubscribe -np 2 "$BUILD/tilt" sweep "$FILE" --threads 1
  cmp "$OUT/threads1.csv" "$OUT/ranks1.csv" && cmp "$OUT/threads1.csv" "$OUT/ranks2.csv" &&
    echo "tables identical (1 thread, 1 rank and 2 ranks)"
fi
efficiency "1 -> 2 threads" threads1 threads2
if [ -f "$OUT/ranks2.time" ]; then efficiency "1 -> 2 ranks" ranks1 ranks2; fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
