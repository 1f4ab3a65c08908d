#!/bin/sh
# The stochastic theory's noise against SGD at K = 64 and K = 4 (docs/theory/escape.md, "The noise at K = 64"):
# 64 SGD runs from one shared initial draw, then 64 SDE paths from exactly that draw's overlaps (the SGD table's
# t = 0 row). About 6 CPU-min. Usage: sh examples/study/sde_noise.sh [OUT_DIR]   (default out/sde_noise)
set -e
cd "$(dirname "$0")/../.."
OUT=${1:-out/sde_noise}
mkdir -p "$OUT"
for K in 4 64; do
  build/tilt sim examples/xgm_escape.toml --set xgm.K=$K --set t_max=2 --set output.every=0.25 \
    --set sim.same_init=true --set sim.seeds=64 --out "$OUT/noise_K${K}_sgd"
  build/tilt ode examples/xgm_escape.toml --set xgm.K=$K --set t_max=2 --set output.every=0.25 \
    --set theory.init=file --set theory.init_file="$OUT/noise_K${K}_sgd.csv" --set theory.ensemble=64 \
    --out "$OUT/noise_K${K}_sde"
  /usr/bin/python3 plots/sde_noise.py "$OUT/noise_K${K}_sde.csv" "$OUT/noise_K${K}_sgd.csv"
done
