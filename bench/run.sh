#!/usr/bin/env bash
# Benchmark: time `prodready scan` on generated corpora and report files/s,
# MB/s and peak memory. Usage: bench/run.sh [SIZES...] (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile release-lto --quiet
bin=target/release-lto/prodready
work=${BENCH_DIR:-target/bench}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
printf "%-8s %-10s %-10s %-10s %-12s %-10s\n" files seconds files/s MB/s peak-MB findings
for n in "${sizes[@]}"; do
  dir="$work/corpus-$n"
  if [ ! -d "$dir" ]; then
    python3 bench/gen_corpus.py "$dir" "$n"
  fi
  bytes=$(du -sb "$dir" | cut -f1)
  # Warm the page cache so the figure measures the tool, not the disk.
  $bin scan "$dir" --format json --fail-on none >/dev/null
  best=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" $bin scan "$dir" --format json --fail-on none >"$work/out.json"
    read -r secs kb <"$work/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; peak=$kb; fi
  done
  findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$work/out.json")
  awk -v n="$n" -v s="$best" -v b="$bytes" -v k="$peak" -v f="$findings" 'BEGIN {
    s = (s < 0.001 ? 0.001 : s);
    printf "%-8d %-10.2f %-10.0f %-10.1f %-12.1f %-10d\n", n, s, n / s, b / s / 1048576, k / 1024, f }'
done
