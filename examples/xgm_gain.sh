#!/bin/sh
# The scientific answer (issue point 6): curriculum gain versus width K. Theory ensembles over initial
# conditions (theory.ensemble members, each from the exact initial overlaps of seed + m at d = sim.d) for the
# protocols curriculum, anti and shuffled; the JSON of each run holds the lottery metrics (success probability,
# t* quantiles, per-unit diagnostics). Then plots/xgm_gain.py draws the figure.
# Usage: sh examples/xgm_gain.sh [BUILD_DIR] [OUT_DIR] [K list] [members]
set -e
BUILD=${1:-build}
OUT=${2:-out/xgm_gain}
KS=${3:-"4 8 16 32 64"}
S=${4:-12}
mkdir -p "$OUT"
for K in $KS; do
  for P in curriculum anti shuffled; do
    [ -f "$OUT/K${K}_${P}.json" ] && continue
    "$BUILD/tilt" ode examples/xgm_lottery.toml --set xgm.K=$K --set curriculum.protocol=$P \
      --set theory.ensemble=$S --out "$OUT/K${K}_${P}"
  done
done
/usr/bin/python3 plots/xgm_gain.py "$OUT"
