#!/bin/sh
# The stochastic theory alone at large d (docs/theory/escape.md): for each seed, the deterministic ODE and one SDE
# noise path from the same initial weights at dimension d (no SGD: the SDE's cost does not depend on d, SGD's
# grows like d^2). plots/xgm_escape.py --theory-only DIR reads the CSVs and prints the paired escape shift.
# Usage: sh examples/xgm_escape_theory.sh [BUILD_DIR] [OUT_DIR] [d] [members] [t_max] [extra --set ...]
set -e
BUILD=${1:-build}
OUT=${2:-out/xgm_escape_theory}
D=${3:-16000}
S=${4:-60}
T=${5:-22}
[ $# -gt 5 ] && shift 5 || set --
mkdir -p "$OUT/d$D"
m=0
while [ $m -lt $S ]; do
  seed=$((1 + m))
  for noise in none sde; do
    f="$OUT/d$D/${noise}_seed$seed"
    [ -f "$f.csv" ] || "$BUILD/tilt" ode examples/xgm_escape.toml --set seed=$seed --set sim.d=$D --set t_max=$T \
      --set theory.noise=$noise --set xgm.observable_lines=1024 "$@" --out "$f" 2>/dev/null
  done
  m=$((m + 1))
done
