#!/bin/sh
# The xgm surrogate of Fashion-MNIST (issue 30 point 5, docs/fmnist-theory.md): fit, theory, SGD on the surrogate,
# the self-check and the figure. What docs/fmnist-theory.md reports was run exactly like this (2 shared cores:
# the theory runs take ~1.5 min (K = 4) and ~5 min (K = 16) of CPU each; every SGD ensemble under 2 min).
#   sh examples/study/fmnist_surrogate.sh build out/fmnist_surrogate
set -e
BUILD=${1:-build}
OUT=${2:-out/fmnist_surrogate}
PY=/usr/bin/python3
TOML=docs/data/fmnist_surrogate/xgm_surrogate.toml
DATA=docs/data/fmnist_surrogate
mkdir -p "$OUT/theory" "$OUT/sgd" "$OUT/validate" "$DATA/sgd"

# 1. the fit: writes the experiment and the fitted numbers (the spectrum and the checks take a few minutes)
$PY plots/fmnist_surrogate.py --spectrum --checks --json "$DATA/fit.json"
$PY plots/fmnist_surrogate.py --toml "$TOML"

# 2. theory (tilt ode), members from the sampled initial weights of seeds 1.. at d = 784; rtol 1e-6 and
#    observable_tol 1e-3 change eps by < 4e-4 against the defaults (K = 16, t <= 5, measured)
FAST="--set theory.rtol=1e-6 --set theory.atol=1e-9 --set xgm.observable_tol=1e-3 --set sim.threads=1"
for p in curriculum shuffled easy; do
  "$BUILD/tilt" ode "$TOML" $FAST --set xgm.K=4 --set eta=1 --set curriculum.protocol=$p --set theory.ensemble=8 \
    --out "$OUT/theory/K4_eta1_$p" --force --quiet
  "$BUILD/tilt" ode "$TOML" $FAST --set xgm.K=16 --set eta=1 --set curriculum.protocol=$p --set theory.ensemble=1 \
    --out "$OUT/theory/K16_eta1_$p" --force --quiet
done

# 3. SGD on the surrogate at d = 784 (tilt sim of the same table), 10 seeds with their own initial weights, and the
#    paired gaps (20 seeds) from the sweep
for run in "4 1" "4 3" "16 1"; do set -- $run; for p in curriculum shuffled easy; do
  "$BUILD/tilt" sim "$TOML" --set sim.threads=1 --set sim.seeds=10 --set xgm.K=$1 --set eta=$2 \
    --set curriculum.protocol=$p --set xgm.diagnostics=false --set xgm.observable_tol=1e-3 \
    --out "$OUT/sgd/K${1}_eta${2}_$p" --force --quiet
done; done
"$BUILD/tilt" sweep examples/study/fmnist_surrogate_sweep.toml --threads 1 --out "$DATA/sweep" --force --quiet

# 4. the self-check: theory against SGD of the surrogate, one shared initial condition, over d
"$BUILD/tilt" validate "$TOML" $FAST --set sim.same_init=true --set sim.seeds=10 --set xgm.diagnostics=false \
  --scaling 784,1568,3136 --out "$OUT/validate/K4_curriculum" --force || true

# 5. small copies for docs/data and the figure (surrogate SGD standing in for the real-data runs)
$PY plots/fmnist_theory.py "$OUT"/theory/*.csv --collect "$DATA"
$PY plots/fmnist_theory.py "$OUT"/sgd/*.csv --collect "$DATA/sgd"
$PY plots/fmnist_theory.py "$DATA"/sgd/K4_eta1_*.csv "$DATA"/sgd/K16_eta1_*.csv --K 4,16 --eta 1 \
  --out docs/figures/fmnist_surrogate
