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
      -e "s#^ADMIN_API_TOKENS=.*#ADMIN_API_TOKENS=$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))")#" \
      -e "s#^STRIPE_APP_SIGNING_SECRETS=.*#STRIPE_APP_SIGNING_SECRETS=absec_$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))")#" \
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
api="http://${HOST}:${PORT}"
emulator_port=${EMULATOR_PORT:-12111}
emulator="http://127.0.0.1:${emulator_port}"
platform_key=sk_test_emulator_platform_key
pids=()
stop_all() {
  trap - INT TERM EXIT
  say "Stopping (in-flight requests and jobs finish first)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_all INT TERM EXIT

if curl -fs "$emulator/_emulator/info" >/dev/null 2>&1 || (exec 3<>"/dev/tcp/127.0.0.1/$emulator_port") 2>/dev/null; then
  echo "Port $emulator_port is taken (another emulator?). Stop it or set EMULATOR_PORT." >&2
  exit 1
fi
say "Starting the Stripe emulator on $emulator"
(cd e2e/stripe-emulator && exec node --import tsx src/main.ts --port "$emulator_port") > .dev/emulator.log 2>&1 &
pids+=($!)
wait_for "The Stripe emulator" 60 curl -fs "$emulator/_emulator/info"
# The emulator's platform sends every connected account's events to the API's Connect endpoint;
# its signing secret (new on every start) is added to the API's accepted secrets for this run.
emulator_secret=$(curl -fsS -u "$platform_key:" "$emulator/v1/webhook_endpoints" \
  -d url="$api/webhooks/stripe/connect" -d connect=true -d 'enabled_events[]=*' |
  node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>process.stdout.write(JSON.parse(s).secret))")
# Point the backend at the emulator unless .env says otherwise.
export STRIPE_API_BASE="${STRIPE_API_BASE:-$emulator}"
export STRIPE_SECRET_KEY_TEST="${STRIPE_SECRET_KEY_TEST:-$platform_key}"
export STRIPE_OAUTH_CLIENT_ID="${STRIPE_OAUTH_CLIENT_ID:-ca_emulator_platform}"
export STRIPE_OAUTH_AUTHORIZE_URL="${STRIPE_OAUTH_AUTHORIZE_URL:-$emulator/oauth/authorize}"
export STRIPE_CONNECT_WEBHOOK_SECRETS="${STRIPE_CONNECT_WEBHOOK_SECRETS:+$STRIPE_CONNECT_WEBHOOK_SECRETS,}$emulator_secret"
say "Seeding demo data into the emulator"
(cd e2e/stripe-emulator && node --import tsx scripts/seed.ts --accounts 2 --charges 5000 --seed 1 --url "$emulator") |
  tee .dev/seed.log

(cd server && exec node dist/main.js) > >(tee .dev/api.log) 2>&1 &
pids+=($!)
(cd server && exec node dist/worker.js) > >(tee .dev/worker.log) 2>&1 &
pids+=($!)

for _ in $(seq 60); do curl -fs "$api/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$api/readyz" >/dev/null || { echo "The API did not become ready; see .dev/api.log" >&2; exit 1; }

cat <<INFO

  DisputeDesk is running.
    API                 $api          (health: $api/healthz, readiness: $api/readyz)
    Connect webhooks    POST $api/webhooks/stripe/connect
    Merchant webhooks   POST $api/webhooks/stripe/<tenant id>
    Webhook secret      in .env (STRIPE_CONNECT_WEBHOOK_SECRETS); shown nowhere else
    Admin API           $api/admin/v1/…  (Authorization: Bearer <ADMIN_API_TOKENS from .env>)
    Stripe emulator     $emulator   (key $platform_key, control API $emulator/_emulator/info)
                        Connect endpoint → $api/webhooks/stripe/connect; demo accounts in .dev/seed.log
    Logs                .dev/api.log, .dev/worker.log, .dev/emulator.log

  Install (a merchant's view): open $api/oauth/install?mode=test → Install on the emulator's page
    → back to DisputeDesk, connected; its history and report runs are queued.

  Try it (another terminal):
    npm run demo:dispute
      connects a merchant on the emulator, pays with pm_card_createDispute; the emulator's signed
      charge.dispute.created reaches the API and the worker; prints the normalized dispute.
    npx stripe trigger charge.dispute.created --api-key $platform_key --api-base $emulator \\
      --stripe-account <acct id from the demo>   (the real Stripe CLI, against the emulator)

  Ctrl-C stops everything.
INFO
wait -n "${pids[@]}"
