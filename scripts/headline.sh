#!/usr/bin/env bash
# The headline example: the perceptron (models.md section 2) under curriculum, anti-curriculum and shuffled order,
# plus elastic consolidation; theory and simulation (N = 2000, 10 seeds) compared by `tilt validate`, then a figure.
# Writes out/perceptron/<protocol>_{theory,sim}.csv, <protocol>_validate.json and out/perceptron/protocols.{pdf,png}.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out/perceptron
start=$(date +%s.%N)
for protocol in curriculum anti shuffled; do
  build/tilt validate examples/perceptron_curriculum.toml --set curriculum.protocol="$protocol" \
    --out "out/perceptron/$protocol" --force
done
build/tilt validate examples/perceptron_consolidation.toml --out out/perceptron/consolidation --force
/usr/bin/python3 plots/perceptron_protocols.py out/perceptron
end=$(date +%s.%N)
echo "headline example: $(echo "$end - $start" | bc 2>/dev/null || echo "?") s; figure: out/perceptron/protocols.png"
