#!/usr/bin/env bash
# Creates prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the
# committed schema (HEAD) and the working copy. `prisma migrate dev` cannot run offline here
# (its shadow-database step needs the native engine), so migrations are schema-to-schema diffs.
set -euo pipefail
name=${1:?usage: npm run db:migration -- <name>}
root=$(git rev-parse --show-toplevel)
cd "$root"
prev=$(mktemp --suffix=.prisma)
trap 'rm -f "$prev"' EXIT
if git cat-file -e HEAD:prisma/schema.prisma 2>/dev/null; then
  git show HEAD:prisma/schema.prisma >"$prev"
  from=(--from-schema-datamodel "$prev")
else
  from=(--from-empty)
fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
PRISMA_QUERY_ENGINE_LIBRARY="$root/package.json" npx prisma migrate diff --config prisma/prisma.config.ts \
  "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script >"$dir/migration.sql"
if ! grep -qv '^--' "$dir/migration.sql"; then
  rm -rf "$dir"
  echo "No schema changes: no migration created."
  exit 0
fi
echo "Created $dir/migration.sql ($(wc -l <"$dir/migration.sql") lines). Review it before committing."
