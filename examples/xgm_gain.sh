#!/bin/sh
# The scientific answer (issue point 6): curriculum gain versus width K. For each K and protocol, a theory
# ensemble over initial conditions (theory.ensemble members, each from the exact initial overlaps of seed + m at
# d = sim.d) and the twin SGD ensemble (the same seeds, the same initial weights, d = sim.d); the JSON of each run
# holds the lottery metrics (success probability, t* quantiles, per-unit diagnostics). Then plots/xgm_gain.py
# draws the figure and prints the table. Runs that already exist are kept (delete them to recompute).
# Usage: sh examples/xgm_gain.sh [BUILD_DIR] [OUT_DIR] [K list] [members] [protocols] [extra --set arguments...]
set -e
BUILD=${1:-build}
OUT=${2:-out/xgm_gain}
KS=${3:-"4 8 16 32 64"}
S=${4:-12}
PROTOCOLS=${5:-"curriculum anti shuffled"}
[ $# -gt 5 ] && shift 5 || set --
mkdir -p "$OUT"
for K in $KS; do
  for P in $PROTOCOLS; do
    if [ ! -f "$OUT/K${K}_${P}.json" ]; then
      "$BUILD/tilt" ode examples/xgm_lottery.toml --set xgm.K=$K --set curriculum.protocol=$P \
        --set theory.ensemble=$S "$@" --out "$OUT/K${K}_${P}"
    fi
    if [ ! -f "$OUT/sim_K${K}_${P}.json" ]; then
      "$BUILD/tilt" sim examples/xgm_lottery.toml --set xgm.K=$K --set curriculum.protocol=$P \
        --set sim.seeds=$S --set sim.same_init=false "$@" --out "$OUT/sim_K${K}_${P}"
    fi
  done
done
/usr/bin/python3 plots/xgm_gain.py "$OUT"
