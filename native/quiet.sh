#!/usr/bin/env sh
# Runs a build step and shows its output only if it fails (Maven calls it for CMake, so that
# `mvn -q` prints nothing but errors). NEURITE_VERBOSE_BUILD=1 shows the output always.
if [ "${NEURITE_VERBOSE_BUILD:-0}" = 1 ]; then exec "$@"; fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" >"$log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then cat "$log" >&2; fi
exit "$status"
