#!/usr/bin/env bash
# Generic code must never run an AVX instruction, nor AVX2 code an AVX-512 one. An inline
# function or template that objects of two tiers both define is one symbol after linking,
# and the linker may keep the higher tier's copy for everyone: a SIGILL on CPUs without it.
# This check fails on any function symbol defined by objects of two tiers (baseline, and
# each ISA's objects under x64/<isa>/).
#   check_isa_isolation.sh OBJECT_DIR
set -euo pipefail
dir=$1
functions() { nm --defined-only "$@" | awk '$2 ~ /^[TW]$/ {print $3}' | sort -u; }

generic=$(find "$dir" -name '*.o' ! -path '*/x64/*')
[ -n "$generic" ] || { echo "no baseline objects under $dir"; exit 1; }
declare -A tier_symbols=([baseline]="$(functions $generic)")
for isa_dir in "$dir"/x64/*/; do
  isa=$(basename "$isa_dir")
  objects=$(find "$isa_dir" -name '*.o')
  [ -n "$objects" ] || { echo "no $isa objects under $isa_dir"; exit 1; }
  tier_symbols[$isa]=$(functions $objects)
  echo "$isa: $(echo $objects | wc -w) objects"
done
[ ${#tier_symbols[@]} -ge 3 ] || { echo "expected baseline, avx2 and avx512 objects under $dir"; exit 1; }

status=0
tiers=("${!tier_symbols[@]}")
for ((i = 0; i < ${#tiers[@]}; i++)); do
  for ((j = i + 1; j < ${#tiers[@]}; j++)); do
    a=${tiers[i]} b=${tiers[j]}
    shared=$(comm -12 <(echo "${tier_symbols[$a]}") <(echo "${tier_symbols[$b]}") | sed '/^$/d')
    if [ -n "$shared" ]; then
      echo "functions defined by both $a and $b objects:"
      echo "$shared" | c++filt
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "ok: no function is shared between baseline, AVX2 and AVX-512 objects"
exit $status
