#!/usr/bin/env bash
# The headline example: the perceptron (docs/models.md section 2) under curriculum, anti-curriculum and shuffled order,
# plus elastic consolidation; theory and simulation (N = 2000, 30 seeds) compared by `tilt validate`, then a figure.
# A verdict other than CONSISTENT (exit 1 or 3) is reported and the figure still drawn; bad input (exit 2) stops.
# Writes out/perceptron/<protocol>_{theory,sim}.csv, <protocol>_validate.json and out/perceptron/protocols.{pdf,png}.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out/perceptron
start=$(date +%s.%N)
verdicts=""
validate() {  # name, then tilt's arguments
  local name="$1" status=0
  shift
  build/tilt validate "$@" --out "out/perceptron/$name" --force > "out/perceptron/$name.txt" || status=$?
  cat "out/perceptron/$name.txt"
  case "$status" in
    0) verdicts="$verdicts $name:CONSISTENT" ;;
    1) verdicts="$verdicts $name:INCONSISTENT" ;;
    3) verdicts="$verdicts $name:INCONCLUSIVE" ;;
    *) echo "headline: tilt validate failed for $name (exit $status)" >&2; exit "$status" ;;
  esac
}
for protocol in curriculum anti shuffled; do
  validate "$protocol" examples/perceptron_curriculum.toml --set curriculum.protocol="$protocol"
done
validate consolidation examples/perceptron_consolidation.toml
echo "headline verdicts:$verdicts"
/usr/bin/python3 plots/perceptron_protocols.py out/perceptron
end=$(date +%s.%N)
echo "headline example: $(echo "$end - $start" | bc 2>/dev/null || echo "?") s; figure: out/perceptron/protocols.png"
