#!/bin/sh
# tilt validate for every width K and protocol, each at d = 1000, 2000, 4000 with the member-wise tracking test
# (docs/validation.md); then plots/xgm_validation.py prints the table and draws discrepancy against d.
# Runs that already exist are kept (delete them to recompute).
# Usage: sh examples/xgm_validate.sh [BUILD_DIR] [OUT_DIR] [K list] [protocols] [d list]
set -e
BUILD=${1:-build}
OUT=${2:-out/xgm_validate}
KS=${3:-"4 8 16"}
PROTOCOLS=${4:-"curriculum anti shuffled"}
DIMS=${5:-"1000,2000,4000"}
mkdir -p "$OUT"
for K in $KS; do
  for P in $PROTOCOLS; do
    [ -f "$OUT/K${K}_${P}_validate.json" ] && continue
    # exit code 1 or 3 (inconsistent, inconclusive) is a result to report, not a reason to stop the sweep
    "$BUILD/tilt" validate examples/xgm_validation.toml --set xgm.K=$K --set curriculum.protocol=$P \
      --scaling "$DIMS" --out "$OUT/K${K}_${P}" > "$OUT/K${K}_${P}.txt" || true
  done
done
/usr/bin/python3 plots/xgm_validation.py "$OUT"
