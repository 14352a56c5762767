#!/usr/bin/env bash
# Generic code must never run an AVX instruction. An inline function or template that both
# an AVX2 object and a baseline object define is one symbol after linking, and the linker
# may keep the AVX2 copy for everyone: a SIGILL on CPUs without AVX2. This check fails on
# any such shared function symbol.
#   check_isa_isolation.sh OBJECT_DIR
set -euo pipefail
dir=$1
avx2=$(find "$dir" -name '*.o' -path '*avx2*')
generic=$(find "$dir" -name '*.o' ! -path '*avx2*')
[ -n "$avx2" ] && [ -n "$generic" ] || { echo "no objects under $dir"; exit 1; }
shared=$(comm -12 <(nm --defined-only $avx2 | awk '$2 ~ /^[TW]$/ {print $3}' | sort -u) \
                  <(nm --defined-only $generic | awk '$2 ~ /^[TW]$/ {print $3}' | sort -u))
if [ -n "$shared" ]; then
  echo "functions defined by both AVX2 and baseline objects:"
  echo "$shared" | c++filt
  exit 1
fi
echo "ok: no function is shared between AVX2 and baseline objects ($(echo $avx2 | wc -w) AVX2 objects)"
