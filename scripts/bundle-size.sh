#!/usr/bin/env bash
# Prints the size of the built page's wasm, js and css, raw and gzipped.
set -euo pipefail
dist="${1:-dist}"
printf '%-44s %12s %12s\n' "file ($dist)" "raw bytes" "gzip -9"
total_raw=0; total_gz=0
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  [ -e "$f" ] || continue
  raw=$(wc -c < "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-44s %12d %12d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-44s %12d %12d\n' "total" "$total_raw" "$total_gz"
