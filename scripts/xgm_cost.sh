#!/usr/bin/env bash
# CPU time of one xgm theory member against its twin SGD run, K = 4 ... 64, measured in one run
# (docs/theory/xgm.md, "Cost"). Member: examples/xgm_lottery.toml (t_max = 40, output every 0.5, its accuracy),
# one ensemble member; twin: the same file through `tilt sim` with one seed at d = 1000 and d = 4000 (shorter
# t_max at d = 4000: SGD costs the same per unit t throughout). Optionally a second binary (BEFORE=path, e.g. main's
# build) is timed in the same run on the same inputs. CPU time = user + sys of the process (/usr/bin/time).
# Usage: scripts/xgm_cost.sh [OUT.csv]   (env: TILT=build/tilt, BEFORE=, BEFORE_CONFIG= (the experiment file for the
# BEFORE binary when the current one has keys it does not know), KS="4 8 16 32 64", T_SGD4000=10, DYN=1 adds rows
# <binary>_dyn: the theory member without intermediate output (the dynamics alone), ONLY_DYN=1 writes only those)
# Plot and table: /usr/bin/python3 plots/xgm_cost.py OUT.csv docs/figures/xgm_cost
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/xgm_cost.csv}
tilt=${TILT:-build/tilt}
ks=${KS:-"4 8 16 32 64"}
t4000=${T_SGD4000:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
cpu() {  # prints user+sys seconds of the command
  /usr/bin/time -f "%U %S" -o "$work/time" "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
  awk '{print $1 + $2}' "$work/time"
}
[ -s "$out" ] && [ -n "${APPEND:-}" ] || echo "binary,K,kind,d,t_max,cpu_s,cpu_per_t" > "$out"
for K in $ks; do
  for which in after before; do
    bin=$tilt
    config=examples/xgm_lottery.toml
    if [ "$which" = before ]; then
      [ -n "${BEFORE:-}" ] || continue
      bin=$BEFORE
      config=${BEFORE_CONFIG:-$config}
    fi
    common=(--set xgm.K="$K" --set output.every=0.5 --set sim.threads=1)
    if [ -n "${DYN:-}${ONLY_DYN:-}" ]; then
      s=$(cpu "$bin" ode "$config" "${common[@]}" --set output.every=40 --set theory.ensemble=1 --out "$work/dyn_${which}_$K")
      echo "${which}_dyn,$K,theory,inf,40,$s,$(awk -v s="$s" 'BEGIN{print s/40}')" | tee -a "$out"
    fi
    [ -n "${ONLY_DYN:-}" ] && continue
    s=$(cpu "$bin" ode "$config" "${common[@]}" --set theory.ensemble=1 --out "$work/ode_${which}_$K")
    echo "$which,$K,theory,inf,40,$s,$(awk -v s="$s" 'BEGIN{print s/40}')" | tee -a "$out"
    for d in 1000 4000; do
      t=40
      [ "$d" = 4000 ] && t=$t4000
      s=$(cpu "$bin" sim "$config" "${common[@]}" --set sim.seeds=1 --set sim.d="$d" --set t_max="$t" \
          --out "$work/sim_${which}_${K}_$d")
      echo "$which,$K,sgd,$d,$t,$s,$(awk -v s="$s" -v t="$t" 'BEGIN{print s/t}')" | tee -a "$out"
    done
  done
done
