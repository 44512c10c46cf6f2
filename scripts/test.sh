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
[ -n "${CHROMIUM_PATH:-}" ] || ensure_chromium

cd "$ROOT"
say "Checking formatting"
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
say "Lint and typecheck"
npx turbo run lint typecheck --output-logs=errors-only
say "Tests"
rm -rf .test-results
status=0
npx turbo run test --output-logs=full --concurrency=1 || status=$?
if [ "$status" -eq 0 ] && [ "${SKIP_NODE24:-}" != "1" ]; then
  # Node 20 reached end of life in April 2026: the server and emulator suites run again on the
  # current LTS line, so a break there shows here (SKIP_NODE24=1 skips it locally).
  ensure_node24
  say "Tests on Node $("$NODE24_BIN/node" --version): server and emulator suites"
  for suite in server e2e/stripe-emulator; do
    (cd "$suite" && PATH="$NODE24_BIN:$PATH" TEST_RESULTS_SUFFIX=-node24 npx vitest run) || status=$?
  done
fi
# One closing line with the totals of every suite's JSON report.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of fs.existsSync(".test-results") ? fs.readdirSync(".test-results") : []) {
    const r = JSON.parse(fs.readFileSync(".test-results/" + f, "utf8"));
    if (r.stats) { passed += r.stats.expected + r.stats.flaky; failed += r.stats.unexpected; }  // Playwright
    else { passed += r.numPassedTests; failed += r.numFailedTests; }                            // vitest, jest
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
'
[ "$status" -eq 0 ] || exit "$status"

say "All checks passed in $(( $(date +%s) - started )) s"
