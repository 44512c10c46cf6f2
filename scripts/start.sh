#!/usr/bin/env bash
# `npm start`: installs what is missing, prepares the database, builds, and runs the API and the
# workers in the foreground. Ctrl-C stops everything cleanly (SIGTERM: in-flight work finishes).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_postgres
ensure_redis
ensure_dependencies
cd "$ROOT"

if [ ! -f .env ]; then
  say "Writing .env from .env.example with fresh secrets"
  key=$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64'))")
  whsec="whsec_$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))")"
  sed -e "s#^ENCRYPTION_KEYS=.*#ENCRYPTION_KEYS=k1:${key}#" \
      -e "s#^ENCRYPTION_PRIMARY_KEY_ID=.*#ENCRYPTION_PRIMARY_KEY_ID=k1#" \
      -e "s#^STRIPE_CONNECT_WEBHOOK_SECRETS=.*#STRIPE_CONNECT_WEBHOOK_SECRETS=${whsec}#" \
      .env.example >.env
fi
set -a
# shellcheck disable=SC1091
. ./.env
set +a

db_name=$(node -e "process.stdout.write(new URL(process.env.DATABASE_URL).pathname.slice(1))")
admin_url=$(node -e "const u=new URL(process.env.DATABASE_URL);u.pathname='/postgres';process.stdout.write(u.toString())")
if ! psql "$admin_url" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
  say "Creating database $db_name"
  psql "$admin_url" -qc "CREATE DATABASE \"$db_name\""
fi
say "Applying migrations"
npm run --silent db:migrate 2>&1 | grep -E "applied|No pending|Applying" || true
say "Building the server"
npx turbo run build --filter=@disputedesk/server --output-logs=errors-only

mkdir -p .dev
pids=()
stop_all() {
  trap - INT TERM EXIT
  say "Stopping (in-flight requests and jobs finish first)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_all INT TERM EXIT

(cd server && exec node dist/main.js) > >(tee .dev/api.log) 2>&1 &
pids+=($!)
(cd server && exec node dist/worker.js) > >(tee .dev/worker.log) 2>&1 &
pids+=($!)

api="http://${HOST}:${PORT}"
for _ in $(seq 60); do curl -fs "$api/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$api/readyz" >/dev/null || { echo "The API did not become ready; see .dev/api.log" >&2; exit 1; }

cat <<INFO

  DisputeDesk is running.
    API                 $api          (health: $api/healthz, readiness: $api/readyz)
    Connect webhooks    POST $api/webhooks/stripe/connect
    Merchant webhooks   POST $api/webhooks/stripe/<tenant id>
    Webhook secret      in .env (STRIPE_CONNECT_WEBHOOK_SECRETS); shown nowhere else
    Logs                .dev/api.log, .dev/worker.log

  Try it (another terminal): npm run demo:dispute
    connects a demo merchant, sends a signed charge.dispute.created, prints the normalized dispute.

  Ctrl-C stops everything.
INFO
wait -n "${pids[@]}"
