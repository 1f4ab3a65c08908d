#!/usr/bin/env bash
# clang-format (Debian's clang-format 14, style in .clang-format) over every C++ file git knows (tracked, or new
# and not ignored). `scripts/format.sh --check` changes nothing and exits 1 listing the files that are not
# formatted (CI runs it: .ci/run); `scripts/format.sh` reformats them in place.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "format.sh: unknown option $1 (allowed: --check)" >&2; exit 2 ;;
esac
format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$format" ]; then
  echo "format.sh: clang-format not found (Debian: apt-get install clang-format; scripts/setup.sh installs it)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' '*.hpp.in' | sort -u)
if [ "$check" -eq 0 ]; then
  "$format" -i --style=file "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  "$format" --style=file --dry-run -Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "format.sh: ${#bad[@]} file(s) not formatted with $("$format" --version | head -1):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "run scripts/format.sh to reformat them" >&2
  exit 1
fi
echo "format.sh: ${#files[@]} files formatted"
