#!/bin/sh
# The perceptron findings of docs/optimize.md: the optimal schedules of the two settings (with and without
# consolidation), the fixed protocols at the same budget, and SGD on the optimal and the best fixed schedule
# (S seeds, each from its own initial weights, d = 2000). Runs that already exist are kept (delete them to redo).
# Usage: sh examples/perceptron_optimize.sh [BUILD_DIR] [OUT_DIR] [S]
set -e
BUILD=${1:-build}
OUT=${2:-out/perceptron_optimize}
S=${3:-400}
mkdir -p "$OUT"
A=examples/perceptron_optimize.toml
B="--set eta=1.0 --set perceptron.T=1.0 --set curriculum.easy=0.5 --set curriculum.hard=3.0 --set t_max=20.0"
run() {  # name, then arguments
  name=$1
  shift
  [ -f "$OUT/$name.json" ] || "$BUILD/tilt" optimize "$@" --quiet --out "$OUT/$name"
}
run A $A
run B $A $B
run A_coupling $A --set perceptron.coupling=1.0
run B_coupling $A $B --set perceptron.coupling=1.0
for P in curriculum anti shuffled; do
  [ -f "$OUT/A_$P.csv" ] || "$BUILD/tilt" ode $A --set curriculum.protocol=$P --quiet --out "$OUT/A_$P"
  [ -f "$OUT/B_$P.csv" ] || "$BUILD/tilt" ode $A $B --set curriculum.protocol=$P --quiet --out "$OUT/B_$P"
done
# SGD: the optimal schedule and the best fixed protocol (shuffled in setting A), same seeds, own initial weights.
SIM="--set sim.seeds=$S --set sim.same_init=false --set output.every=1.0 --quiet"
[ -f "$OUT/sim_A_optimal.csv" ] || "$BUILD/tilt" sim "$OUT/A_optimal.toml" $SIM --out "$OUT/sim_A_optimal"
[ -f "$OUT/sim_A_shuffled.csv" ] || "$BUILD/tilt" sim $A --set curriculum.protocol=shuffled $SIM --out "$OUT/sim_A_shuffled"
[ -f "$OUT/sim_A_curriculum.csv" ] || "$BUILD/tilt" sim $A --set curriculum.protocol=curriculum $SIM --out "$OUT/sim_A_curriculum"
/usr/bin/python3 plots/optimize_perceptron.py "$OUT"
