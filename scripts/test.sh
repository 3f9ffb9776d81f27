#!/usr/bin/env bash
# Runs the whole suite: type check first, then every *.test.ts under test/ with
# node's own test runner, which prints its pass/fail summary at the end of a run.
# It runs twice: on SQLite, then on PostgreSQL (HERALD_TEST_DATABASE_URL set, so
# the harness and the storage suite store there). The PostgreSQL server is the one
# HERALD_TEST_DATABASE_URL already names, else a throwaway cluster started by
# scripts/postgres-for-tests.sh and stopped at the end.
#
# HERALD_TEST_POSTGRES=auto (the default) skips the second run, with a warning,
# when no PostgreSQL can be started; =required (CI) fails instead; =off skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit
mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under test/" >&2
  exit 1
fi

bash scripts/install-test-deps.sh

# Each run's summary is kept, so the last line can add both runs up.
summaries=$(mktemp)
run_suite() {
  node --import tsx --test --test-reporter=spec "${files[@]}" | tee -a "$summaries"
  return "${PIPESTATUS[0]}"
}
count() { grep -aE "^ℹ $1 [0-9]+$" "$summaries" | awk '{ n += $3 } END { print n + 0 }'; }

echo "== the whole suite on SQLite"
sqlite_status=0
(
  unset HERALD_TEST_DATABASE_URL
  run_suite
) || sqlite_status=$?

mode="${HERALD_TEST_POSTGRES:-auto}"
postgres_status=0
postgres_result="skipped (HERALD_TEST_POSTGRES=off)"
if [ "$mode" != "off" ]; then
  # shellcheck source=scripts/postgres-for-tests.sh
  source scripts/postgres-for-tests.sh
  if [ -n "${HERALD_TEST_DATABASE_URL:-}" ] || herald_pg_start; then
    trap herald_pg_stop EXIT
    echo "== the whole suite on PostgreSQL"
    run_suite || postgres_status=$?
    postgres_result=passed
    if [ "$postgres_status" -ne 0 ]; then postgres_result="failed ($postgres_status)"; fi
  elif [ "$mode" = "required" ]; then
    postgres_status=1
    postgres_result="failed: PostgreSQL could not be started"
  else
    postgres_result="skipped: PostgreSQL could not be started (see above)"
  fi
fi

echo
echo "== SQLite: $([ "$sqlite_status" -eq 0 ] && echo passed || echo "failed ($sqlite_status)")"
echo "== PostgreSQL: $postgres_result"
echo "tests: $(count pass) passed, $(count fail) failed, $(count skipped) skipped"
rm -f "$summaries"
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ]
