#!/usr/bin/env bash
# Side-by-side timing: prodready (every rule family, every language) versus
# ruff --select S, bandit and semgrep (5 local rules) when they are
# installed, and ripgrep-like I/O floor (grep -r with 5 patterns), on one
# tree. Prints wall seconds, CPU seconds and peak memory for each; last,
# prodready and ruff again with their result caches filled (the tree
# unchanged since the previous run).
#
# usage: bench/compare.sh DIR [RUNS]   (RUNS: best of, default 3; slow tools run once)
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: bench/compare.sh DIR [RUNS]}
runs=${2:-3}
cargo build --profile release-lto --quiet || exit 2
bin=target/release-lto/prodready
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"

measure() { # name runs cmd...
  local name=$1 n=$2; shift 2
  local best="" cpu="" mem=""
  for _ in $(seq "$n"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/t.txt" "$@" >/dev/null 2>&1
    read -r w u s m < <(tail -n 1 "$work/t.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($w < $best)}"; then
      best=$w; cpu=$(awk "BEGIN{print $u + $s}"); mem=$m
    fi
  done
  printf "%-34s %8.2f %8.2f %9.1f\n" "$name" "$best" "$cpu" "$(awk "BEGIN{print $mem/1024}")"
  echo "$name $best" >>"$work/compare.txt"
}

files=$(find "$dir" -type f \( -name '*.py' -o -name '*.js' -o -name '*.ts' -o -name '*.tsx' -o -name '*.rs' \) -not -path '*/node_modules/*' | wc -l)
mb=$(du -sm "$dir" | cut -f1)
echo "tree: $dir ($files code files, ${mb} MB on disk)"
: >"$work/compare.txt"
printf "%-34s %8s %8s %9s\n" tool wall-s cpu-s peak-MB
"$bin" scan "$dir" --format json --fail-on none >/dev/null 2>&1 # warm the cache
measure "prodready (all rules)" "$runs" "$bin" scan "$dir" --format json --fail-on none
measure "prodready --jobs 1" 1 "$bin" scan "$dir" --format json --fail-on none --jobs 1
measure "grep -rE (5 patterns, I/O floor)" "$runs" grep -rEc 'hashlib\.md5|getenv\(|execute\(f|requests\.(get|post)|verify=False' "$dir" --include='*.py'
if command -v ruff >/dev/null; then
  measure "ruff --select S" "$runs" ruff check --select S --no-cache --exit-zero -q "$dir"
fi
if command -v semgrep >/dev/null; then
  measure "semgrep (5 local rules)" 1 semgrep scan --config bench/semgrep-rules.yml --metrics off --disable-version-check -q "$dir"
fi
if command -v bandit >/dev/null; then
  measure "bandit -r" 1 bandit -r -q "$dir"
fi
rm -rf "$work/prodready-cache" "$work/ruff-cache"
"$bin" scan "$dir" --format json --fail-on none -q --cache-dir "$work/prodready-cache" >/dev/null 2>&1
measure "prodready, cache filled" "$runs" "$bin" scan "$dir" --format json --fail-on none -q --cache-dir "$work/prodready-cache"
if command -v ruff >/dev/null; then
  ruff check --select S --exit-zero -q --cache-dir "$work/ruff-cache" "$dir" >/dev/null 2>&1
  measure "ruff --select S, cache filled" "$runs" ruff check --select S --exit-zero -q --cache-dir "$work/ruff-cache" "$dir"
fi
awk 'NR==1 {base=$NF} {name=$0; sub(/ [^ ]+$/, "", name); if (NR > 1) printf "%s / prodready: %.1fx\n", name, $NF / base}' "$work/compare.txt"
