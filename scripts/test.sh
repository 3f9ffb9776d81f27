#!/usr/bin/env bash
# Runs the whole suite: type check first, then every *.test.ts under test/ with
# node's own test runner, which prints its pass/fail summary at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit
mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under test/" >&2
  exit 1
fi
exec node --import tsx --test --test-reporter=spec "${files[@]}"
