#!/usr/bin/env bash
# The note paper/tilt.tex, rebuilt from data by one command (issue 27; recipes and costs: paper/README.md).
#   paper/make.sh            every figure and number into paper/generated/ (cheap studies recomputed with
#                            build/tilt, expensive ones drawn from the data kept in docs/); progress and a time
#                            estimate on standard error
#   paper/make.sh --quick [--out DIR]
#                            every recipe at small d and few members into a scratch folder (default: a new
#                            temporary folder), checking that each figure and number is produced (CI runs it)
#   paper/make.sh --pdf      build paper/tilt.pdf from paper/generated/ (runs the full pipeline first if
#                            paper/generated/ is missing); needs TeX Live: scripts/setup.sh --paper
#   paper/make.sh --quick --pdf   the quick pipeline, then the PDF from its scratch folder (CI)
# Options: --only STUDY (repeatable), --list (the studies and their cost), --redraw (figures and numbers from the
# records of an earlier run, nothing recomputed), --docs (also copy the figures docs/ shows into docs/figures),
# --recompute (run the recipes whose records docs/data keeps), --keep (keep what was computed in docs/data). Exit 1 when a figure or number is
# missing, 2 on a bad option.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0 pdf=0 out="" args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --pdf) pdf=1 ;;
    --out) out="$2"; shift ;;
    --only) args+=(--only "$2"); shift ;;
    --redraw) args+=(--redraw) ;;
    --docs) args+=(--docs) ;;
    --recompute) args+=(--recompute) ;;
    --keep) args+=(--keep) ;;
    --list) /usr/bin/python3 paper/pipeline.py --list; exit 0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "paper/make.sh: unknown option '$1' (allowed: --quick, --pdf, --out DIR, --only STUDY, --redraw, --docs, --recompute, --keep, --list)" >&2
       exit 2 ;;
  esac
  shift
done
if [ "$quick" -eq 1 ]; then
  out="${out:-$(mktemp -d "${TMPDIR:-/tmp}/tilt-paper-quick.XXXXXX")}"
  /usr/bin/python3 paper/pipeline.py --quick --out "$out" "${args[@]}"
elif [ "$pdf" -eq 0 ] || [ ! -f paper/generated/numbers/all.tex ]; then
  out="${out:-paper/generated}"
  /usr/bin/python3 paper/pipeline.py --out "$out" "${args[@]}"
fi
out="${out:-paper/generated}"
if [ "$pdf" -eq 1 ]; then
  if ! command -v latexmk > /dev/null; then
    echo "paper/make.sh: latexmk not found; install TeX Live with scripts/setup.sh --paper" >&2
    exit 1
  fi
  case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
  build="$out/latex"
  rm -rf "$build" && mkdir -p "$build"
  # The note reads its figures and numbers from the folder named by \generated (TEXINPUTS finds them).
  TEXINPUTS="$out//:$PWD/paper:" latexmk -pdf -interaction=nonstopmode -halt-on-error -quiet \
    -output-directory="$build" paper/tilt.tex > "$build/latexmk.log" 2>&1 ||
    { tail -40 "$build/latexmk.log" >&2; echo "paper/make.sh: the PDF build failed (log: $build/latexmk.log)" >&2
      exit 1; }
  if [ "$quick" -eq 1 ]; then
    echo "paper: quick PDF: $build/tilt.pdf" >&2
  else
    cp "$build/tilt.pdf" paper/tilt.pdf
    echo "paper: paper/tilt.pdf" >&2
  fi
fi
