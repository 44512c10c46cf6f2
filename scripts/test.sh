#!/usr/bin/env bash
# `npm test`: installs what is missing and runs every check and test — formatting, lint,
# typecheck, and the test suites against real Postgres and Redis (each test run makes its own
# databases and queue prefixes, and removes them).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
started=$(date +%s)

ensure_postgres
ensure_redis
ensure_dependencies

cd "$ROOT"
say "Checking formatting"
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
say "Lint and typecheck"
npx turbo run lint typecheck --output-logs=errors-only
say "Tests"
npx turbo run test --output-logs=full --concurrency=1

say "All checks passed in $(( $(date +%s) - started )) s"
