#!/usr/bin/env bash
# Runs bad inputs and faults through build/tilt and prints a markdown table: case, exit code, first line of the
# message. Every case runs under `timeout 20` so the script itself never hangs (exit 124 = still running after
# 20 s). Cases marked [ODE] are the ones only the integrator's step guard (theory.max_steps, theory.min_step)
# stops. Usage: scripts/fault_table.sh [path/to/tilt] > fault_table.md
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tilt=${1:-$root/build/tilt}
[ -x "$tilt" ] || { echo "no tilt binary at $tilt (build first)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tilt_faults.XXXXXX")
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 2

cat > p.toml <<'EOF'
model = "perceptron"
t_max = 1.0
[output]
every = 0.5
[sim]
d = 100
seeds = 2
threads = 1
EOF
cat > x.toml <<'EOF'
model = "xgm"
t_max = 1.0
[output]
every = 0.5
[sim]
d = 100
seeds = 2
threads = 1
[xgm]
K = 1
EOF
printf 'model = "scm"\nt_max = 1.0\n[sim]\nd = 100\nseeds = 2\nthreads = 1\n' > c.toml
printf 'model = "perceptron"\n[theory]\nrtoll = 1e-6\n' > unknown_key.toml
printf 'model = "perceptron"\n[thoery]\nrtol = 1e-6\n' > unknown_table.toml
printf 'eta = "fast"\n' > wrong_type.toml
printf 'model = "perceptron"\n[scm]\nK = 3\n' > wrong_table.toml
printf 'model = "perceptron"\nt_max = [1.0\n' > malformed.toml
printf 'seed = 99999999999999999999\n' > seed.toml
cp p.toml unreadable.toml && chmod 000 unreadable.toml
mkdir -p adir outdir
touch afile
if [ "$(id -u)" = 0 ]; then readonly_prefix=/sys/tilt_fault_table; else mkdir -p ro && chmod 555 ro && readonly_prefix=ro/run; fi

echo "| # | case | exit | message (first line) |"
echo "|---|---|---|---|"
n=0
row() {  # row LABEL EXIT MESSAGE
  n=$((n + 1))
  local msg=${3//|/\\|}
  echo "| $n | $1 | $2 | ${msg:0:400} |"
}
# case LABEL ARGS...: runs tilt ARGS in the work folder (20 s limit); the message is the first non-empty line of
# standard error (or of standard output when standard error is empty).
case_() {
  local label=$1
  shift
  local out err code
  out=$(timeout 20 "$tilt" "$@" 2>err.txt)
  code=$?
  err=$(grep -v '^\s*$' err.txt | head -2 | awk 'NR == 1 { line = $0; more = /:$/ } NR == 2 && more { line = line " " $0 } END { print line }')
  [ -z "$err" ] && err=$(printf '%s\n' "$out" | grep -m1 -v '^\s*$')
  [ "$code" = 124 ] && err="(still running after 20 s: killed) $err"
  row "$label" "$code" "$err"
}
clean() { rm -rf run* o.* v_* outdir/* 2>/dev/null; }

# Input the registry rejects (exit 2, key named).
case_ "unknown key in the file" ode unknown_key.toml
case_ "unknown table" ode unknown_table.toml
case_ "unknown key in --set" ode p.toml --set sim.dd=100
case_ "wrong type in --set" ode p.toml --set sim.seeds=ten
case_ "wrong type in the file" ode wrong_type.toml
case_ "negative difficulty" ode p.toml --set curriculum.hard=-1
case_ "negative eta" ode p.toml --set eta=-0.5
case_ "eta = nan" ode p.toml --set eta=nan
case_ "t_max = inf" ode p.toml --set t_max=inf
case_ "t_max = 0" sim p.toml --set t_max=0
case_ "sim.seeds = 0" sim p.toml --set sim.seeds=0
case_ "unknown protocol name" ode p.toml --set curriculum.protocol=backwards
case_ "unsorted custom segments" ode p.toml --set curriculum.protocol=custom --set 'curriculum.segments=[[0,0],[0.6,2],[0.3,1]]'
case_ "key of another model" ode wrong_table.toml
case_ "log spacing without points" ode p.toml --set output.spacing=log
case_ "theory.init = file without a file" ode p.toml --set theory.init=file
case_ "scm.T singular" ode c.toml --set 'scm.T=[[1,1],[1,1]]'
# Files and syntax.
case_ "missing experiment file" ode no_such_file.toml
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
  # root reads any file: run these two as nobody
  chmod 755 "$work"
  as_nobody=(runuser -u nobody --)
  timeout 20 "${as_nobody[@]}" "$tilt" ode unreadable.toml >/dev/null 2>err.txt
  row "unreadable experiment file (chmod 000, as nobody)" $? "$(head -1 err.txt)"
  mkdir -p ro && chmod 555 ro
  timeout 20 "${as_nobody[@]}" "$tilt" ode p.toml --out ro/run >/dev/null 2>err.txt
  row "read-only output folder (chmod 555, as nobody)" $? "$(head -1 err.txt)"
else
  case_ "unreadable experiment file (chmod 000)" ode unreadable.toml
fi
case_ "a directory as the experiment file" ode adir
case_ "malformed TOML" ode malformed.toml
case_ "--set without =" ode p.toml --set eta
case_ "--set value that is not TOML" ode p.toml --set 'curriculum.segments=[[0,'
case_ "unknown subcommand" frobnicate p.toml
case_ "no subcommand" 
# Integers: rejected, never clamped.
case_ "seed = 99999999999999999999 in the file" sim seed.toml
case_ "seed = 99999999999999999999 in --set" sim p.toml --set seed=99999999999999999999
case_ "seed = 99999999999999999999 in tilt config" config p.toml --set seed=99999999999999999999
case_ "seed + members - 1 overflows" sim p.toml --set seed=9223372036854775807
case_ "hexadecimal integer beyond 64 bits" ode p.toml --set sim.d=0x1ffffffffffffffff
# Hangs before (now refused up front).
case_ "xgm sigma = 0, curriculum.easy = 0 (ode)" ode x.toml --set xgm.sigma=0 --set curriculum.easy=0
case_ "xgm sigma = 0.3, curriculum.hard = 0, K = 2 (ode)" ode x.toml --set xgm.sigma=0.3 --set curriculum.easy=0.1 --set curriculum.hard=0 --set xgm.K=2
case_ "xgm sigma = 0, easy = 0 (validate)" validate x.toml --set xgm.sigma=0 --set curriculum.easy=0
case_ "weight_decay = 1e300 (ode)" ode p.toml --set weight_decay=1e300
case_ "weight_decay = 1e300 (sim)" sim p.toml --set weight_decay=1e300
case_ "weight_decay_v = 1e6, xgm (sim)" sim x.toml --set curriculum.easy=0.1 --set weight_decay_v=1e6
case_ "t_max = 1e30 with perceptron.l2 = 0.1 (ode)" ode p.toml --set t_max=1e30 --set perceptron.l2=0.1
case_ "t_max = 1e30, l2 = 0.1, output.points = 5 (ode)" ode p.toml --set t_max=1e30 --set perceptron.l2=0.1 --set output.points=5
case_ "euler with theory.dt = 1e-12, t_max = 1e6" ode p.toml --set theory.method=euler --set theory.dt=1e-12 --set t_max=1e6 --set output.points=4
case_ "[ODE] t_max = 1e30, output.points = 5, xgm (ode; integrator guard)" ode x.toml --set t_max=1e30 --set output.points=5 --set xgm.sigma=0.3 --set curriculum.easy=0.1
case_ "[ODE] t_max = 1e30, output.points = 5, perceptron (ode)" ode p.toml --set t_max=1e30 --set output.points=5
# Crashes and bad_alloc before (now refused up front).
case_ "sim t_max = 1e300 (perceptron defaults)" sim p.toml --set t_max=1e300
case_ "sim t_max = 1e300, output.points = 4" sim p.toml --set t_max=1e300 --set output.points=4
case_ "sim beyond sim.max_steps" sim p.toml --set sim.max_steps=50
case_ "huge sim.d (1e11)" sim p.toml --set sim.d=100000000000 --set sim.seeds=1
case_ "huge xgm.K (1e7)" ode x.toml --set xgm.K=10000000 --set xgm.sigma=0.3 --set curriculum.easy=0.1
case_ "huge output grid (output.every = 1e-7, max_memory_gb = 1)" ode p.toml --set output.every=1e-7 --set max_memory_gb=1
case_ "absurd output grid (1e15 rows)" ode p.toml --set t_max=1e12 --set output.every=1e-3
n_before=$n
out=$(ulimit -v 4000000; timeout 20 "$tilt" sim p.toml --set sim.d=2000000000 --set sim.seeds=1 --set max_memory_gb=1e6 2>&1 >/dev/null)
row "allocation failure anyway (ulimit -v 4 GB, max_memory_gb = 1e6, sim.d = 2e9)" $? "$(printf '%s\n' "$out" | head -1)"
# Output: checked before the run.
case_ "read-only output folder ($readonly_prefix)" ode p.toml --out "$readonly_prefix"
case_ "output folder is a file" ode p.toml --out afile/run
case_ "--out dir/ (trailing slash)" ode p.toml --out outdir/
case_ "--out an existing directory" ode p.toml --out outdir
case_ "--out name too long for the file system" ode p.toml --out "$(printf 'a%.0s' $(seq 250))"
timeout 20 "$tilt" validate p.toml --out v >/dev/null 2>&1
case_ "second validate on the same prefix" validate p.toml --set eta=1 --out v
timeout 20 "$tilt" sim p.toml --out o >/dev/null 2>&1
case_ "second sim on the same prefix" sim p.toml --out o
case_ "second sim with --force (ok)" sim p.toml --out o --force
clean
# validate's options: checked before anything runs (before: CONSISTENT printed, then exit 1 "no column").
case_ "validate --scaling with two values" validate p.toml --scaling 100,200
case_ "validate --scaling 0,100,200" validate p.toml --scaling 0,100,200
case_ "validate --scaling 100,100,200 (repeated)" validate p.toml --scaling 100,100,200
case_ "validate --scaling a,b,c" validate p.toml --scaling a,b,c
case_ "validate --scaling with d = 1e14" validate p.toml --scaling 100,200,100000000000000
case_ "validate --column nope" validate p.toml --scaling 100,200,300 --column nope
case_ "validate --column without --scaling" validate p.toml --column R
# Failures during the run (exit 1, with the time).
case_ "divergence (eta = 1e6, d = 50)" sim p.toml --set eta=1e6 --set sim.d=50
case_ "ODE leaves its domain (init_scale = 1e-300)" ode p.toml --set init_scale=1e-300
# Interrupted writes: the temporary file is removed, the process ends as the signal would.
set -m  # job control: a background job of a script otherwise starts with SIGINT ignored
for sig in TERM INT HUP; do
  rm -f run.*
  TILT_TEST_PAUSE_IN_WRITE=10 "$tilt" ode p.toml --out run --quiet 2>err.txt &
  pid=$!
  for _ in $(seq 200); do ls run.csv.tmp.* >/dev/null 2>&1 && break; sleep 0.05; done
  seen=$(ls run.csv.tmp.* 2>/dev/null | wc -l)
  kill -"$sig" "$pid"
  wait "$pid"
  code=$?
  left=$(ls ./*.tmp.* 2>/dev/null | wc -l)
  row "SIG$sig during the write (temporary file seen: $seen)" "$code" "temporary files left: $left; run.csv written: $([ -e run.csv ] && echo yes || echo no)"
done
set +m
# Progress: a long sim on a terminal shows a live line (the run is stopped after 4 s on purpose).
if command -v script >/dev/null; then
  line=$(timeout 4 script -q -c "$tilt sim p.toml --set sim.d=20000 --set t_max=50 --set sim.seeds=4 --set sim.threads=1 >/dev/null" /dev/null | tr '\r' '\n' | grep -v '^\s*$' | tail -1)
  row "long sim on a terminal: progress line after 4 s (stopped by timeout)" "124" "$line"
fi
