#!/usr/bin/env bash
# `npm start`: installs what is missing, prepares the database, builds, and runs the API and the
# workers in the foreground. Ctrl-C stops everything cleanly (SIGTERM: in-flight work finishes).
# DISPUTEDESK_ENV_FILE (default .env) and DISPUTEDESK_DEV_DIR (default .dev, the logs) let a
# second copy run beside the first (the start test in e2e/playwright does).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_postgres
ensure_redis
ensure_dependencies
cd "$ROOT"

env_file=${DISPUTEDESK_ENV_FILE:-.env}
dev=$(realpath -m "${DISPUTEDESK_DEV_DIR:-.dev}")
if [ ! -f "$env_file" ]; then
  say "Writing $env_file from .env.example with fresh secrets"
  key=$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64'))")
  whsec="whsec_$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))")"
  sed -e "s#^ENCRYPTION_KEYS=.*#ENCRYPTION_KEYS=k1:${key}#" \
      -e "s#^ENCRYPTION_PRIMARY_KEY_ID=.*#ENCRYPTION_PRIMARY_KEY_ID=k1#" \
      -e "s#^STRIPE_CONNECT_WEBHOOK_SECRETS=.*#STRIPE_CONNECT_WEBHOOK_SECRETS=${whsec}#" \
      -e "s#^ADMIN_API_TOKENS=.*#ADMIN_API_TOKENS=$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))")#" \
      -e "s#^STRIPE_APP_SIGNING_SECRETS=.*#STRIPE_APP_SIGNING_SECRETS=absec_$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))")#" \
      .env.example >"$env_file"
fi
set -a
# shellcheck disable=SC1091
. "$(realpath "$env_file")"
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

mkdir -p "$dev"
api="http://${HOST}:${PORT}"
pids=()
stop_all() {
  trap - INT TERM EXIT
  say "Stopping (in-flight requests and jobs finish first)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_all INT TERM EXIT

# Real Stripe when .env says so (STRIPE_API_BASE=https://api.stripe.com and real keys): no
# emulator, no demo data. Otherwise the local Stripe emulator with three demo merchants.
real_stripe=false
[ "${STRIPE_API_BASE:-}" = "https://api.stripe.com" ] && real_stripe=true

if ! $real_stripe; then
  emulator_port=${EMULATOR_PORT:-12111}
  emulator="http://127.0.0.1:${emulator_port}"
  platform_key=sk_test_emulator_platform_key
  receiver_port=${RECEIVER_PORT:-3999}
  if curl -fs "$emulator/_emulator/info" >/dev/null 2>&1 || (exec 3<>"/dev/tcp/127.0.0.1/$emulator_port") 2>/dev/null; then
    echo "Port $emulator_port is taken (another emulator?). Stop it or set EMULATOR_PORT." >&2
    exit 1
  fi
  say "Starting the Stripe emulator on $emulator"
  (cd e2e/stripe-emulator && exec node --import tsx src/main.ts --port "$emulator_port") > "$dev/emulator.log" 2>&1 &
  pids+=($!)
  wait_for "The Stripe emulator" 60 curl -fs "$emulator/_emulator/info"
  # The emulator's platform sends every connected account's events to the API's Connect endpoint;
  # its signing secret (new on every start) is added to the API's accepted secrets for this run.
  emulator_secret=$(curl -fsS -u "$platform_key:" "$emulator/v1/webhook_endpoints" \
    -d url="$api/webhooks/stripe/connect" -d connect=true -d 'enabled_events[]=*' |
    node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>process.stdout.write(JSON.parse(s).secret))")
  export STRIPE_API_BASE="$emulator"
  export STRIPE_SECRET_KEY_TEST="$platform_key"
  export STRIPE_OAUTH_CLIENT_ID=ca_emulator_platform
  export STRIPE_OAUTH_AUTHORIZE_URL="$emulator/oauth/authorize"
  export STRIPE_CONNECT_WEBHOOK_SECRETS="${STRIPE_CONNECT_WEBHOOK_SECRETS:+$STRIPE_CONNECT_WEBHOOK_SECRETS,}$emulator_secret"
  # The demo receiver listens on loopback.
  export NOTIFICATION_ALLOW_PRIVATE_ADDRESSES=true
  say "Seeding three demo merchants into the emulator (two years of payments, disputes, payouts)"
  (cd e2e/stripe-emulator && node --import tsx scripts/seed.ts --accounts 3 --charges 4000 --dispute-rate 0.02 --seed 1 --url "$emulator") |
    tee "$dev/seed.log"
  (cd server && RECEIVER_PORT=$receiver_port RECEIVER_SECRET_FILE="$dev/receiver-secret" exec node --import tsx scripts/demo-receiver.ts) > >(tee "$dev/receiver.log") 2>&1 &
  pids+=($!)
fi

(cd server && exec node dist/main.js) > "$dev/api.log" 2>&1 &
pids+=($!)
worker_metrics_port=${WORKER_METRICS_PORT:-9464}
(cd server && WORKER_METRICS_PORT=$worker_metrics_port exec node dist/worker.js) > "$dev/worker.log" 2>&1 &
pids+=($!)

# Ready, not just up: right after it listens the API may still be connecting to Redis (its
# producer connection has no offline queue), so /readyz says 503 for a moment.
for _ in $(seq 120); do curl -fs "$api/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
if ! curl -fs "$api/readyz" >/dev/null 2>&1; then
  echo "The API did not become ready in 60 s; /readyz says: $(curl -s "$api/readyz" || echo 'no answer')" >&2
  echo "Last lines of $dev/api.log:" >&2
  tail -n 20 "$dev/api.log" >&2 || true
  exit 1
fi

say "Creating an admin token for this session (7 days; revoke with npm run admin -- token revoke <id>)"
admin_out=$(cd server && node --import tsx scripts/admin.ts token create --role admin --name "npm start on $(hostname)" --expires-in-days 7)
admin_token=$(printf '%s\n' "$admin_out" | grep -oE 'ddadm_[A-Za-z0-9_-]+' | head -n 1)

demo=""
if ! $real_stripe; then
  mapfile -t merchants < <(grep -oE '^  acct_[A-Za-z0-9]+' "$dev/seed.log" | tr -d ' ')
  say "Installing DisputeDesk on the demo merchants (OAuth, as a merchant would)"
  (cd server && node --import tsx scripts/demo-connect.ts --api "$api" --emulator "$emulator" \
    --receiver "http://127.0.0.1:$receiver_port/notifications" --secret-file "$dev/receiver-secret" --admin-token "$admin_token" "${merchants[@]}")
  demo=$(cat <<DEMO

  Demo merchants (history importing now; watch it in the admin API or the worker log):
    ${merchants[*]}

  Create a dispute with the real Stripe CLI (the emulator plays Stripe):
    npx stripe trigger charge.dispute.created --api-key $platform_key \\
      --api-base $emulator --stripe-account ${merchants[0]}
  …then see it normalized:  curl -H "Authorization: Bearer \$ADMIN" "$api/admin/v1/events?tenant_id=<id>&type=charge.dispute.*"
  and the signed DISPUTE.STATUS the demo receiver verified: $dev/receiver.log
  Or run  npm run demo:dispute  (a new merchant paying with pm_card_createDispute).

  A new merchant's install: open $api/oauth/install?mode=test and press Install.
  Stripe emulator     $emulator   (platform key $platform_key; $emulator/_emulator/info)
DEMO
)
fi

logs="$dev/api.log, $dev/worker.log"
$real_stripe || logs="$logs, $dev/emulator.log, $dev/receiver.log"
cat <<INFO

  DisputeDesk is running.
    API                 $api   (health $api/healthz, readiness $api/readyz)
    Connect webhooks    POST $api/webhooks/stripe/connect
    Admin API           $api/admin/v1/tenants   (OpenAPI: $api/admin/v1/openapi.json)
    Admin token         $admin_token
                        export ADMIN=$admin_token; curl -H "Authorization: Bearer \$ADMIN" $api/admin/v1/tenants
    Bull Board          $api/admin/queues   (browser: any user name, the admin token as password)
    Prometheus metrics  $api/metrics and http://${HOST}:$worker_metrics_port/metrics (the worker)
                        curl -H "Authorization: Bearer \$ADMIN" $api/metrics   (docs/OBSERVABILITY.md)
    Connect with a key  $api/connect/api-key   (a restricted key; the Stripe App takes none)
    Stripe App preview  stripe apps start --manifest stripe-app.dev.json   (the local manifest
                        points the app at http://127.0.0.1:3000; needs the CLI's apps plugin and network)
    Logs                $logs
$demo

  Ctrl-C stops everything.
INFO
wait -n "${pids[@]}"
