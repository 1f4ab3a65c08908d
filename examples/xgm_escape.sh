#!/bin/sh
# The escape from r = 0 at finite d (docs/theory/escape.md): for each width K, protocol and dimension d, one
# `tilt validate` of the SGD ensemble against its stochastic-theory twin (theory.noise = "sde"), which also runs
# the deterministic ODE from the same initial weights. Then plots/xgm_escape.py prints the table and draws
# docs/figures/xgm_escape*.png. Runs that already exist are kept (delete them to recompute).
# Usage: [T_MAX=T] [SEED=S] sh examples/xgm_escape.sh [BUILD_DIR] [OUT_DIR] [K list] [protocols] [d list] [members]
#        [extra --set ...]
# T_MAX sets the horizon (default: the example's 15, the easy phase) and names the rows K_P_tT_dD: the shuffled
# escape is slower and the tables of docs/theory/escape.md ran it with T_MAX=30, 60 and 150.
# SEED runs the members SEED, SEED+1, ... (sim.seeds of them) and names the row's part _seedSEED: an ensemble too
# long for one sitting runs as parts (SEED=1 and SEED=51 with 50 members each are the 100 members of SEED=1), and
# plots/xgm_escape.py joins them into one row.
set -e
BUILD=${1:-build}
OUT=${2:-out/xgm_escape}
KS=${3:-"4"}
PROTOCOLS=${4:-"easy shuffled"}
DS=${5:-"1000 4000"}
S=${6:-100}
[ $# -gt 6 ] && shift 6 || set --
TAG=""
[ -n "$T_MAX" ] && TAG="_t$T_MAX" && set -- --set t_max="$T_MAX" "$@"
PART=""
[ -n "$SEED" ] && PART="_seed$SEED" && set -- --set seed="$SEED" "$@"
mkdir -p "$OUT"
for K in $KS; do
  for P in $PROTOCOLS; do
    for D in $DS; do
      NAME="$OUT/K${K}_${P}${TAG}_d${D}${PART}"
      if [ ! -f "${NAME}_validate.json" ]; then
        # exit 1 (INCONSISTENT) and 3 (INCONCLUSIVE) are verdicts, not failures of the script
        "$BUILD/tilt" validate examples/xgm_escape.toml --set xgm.K=$K --set curriculum.protocol=$P \
          --set sim.d=$D --set sim.seeds=$S "$@" --out "$NAME" > "${NAME}.txt" || [ $? -ne 2 ]
      fi
    done
  done
done
/usr/bin/python3 plots/xgm_escape.py "$OUT"
