-- AlterTable
ALTER TABLE "admin_audit" ALTER COLUMN "status" DROP NOT NULL;

-- CreateTable
CREATE TABLE "admin_auth_failures" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ip" TEXT,
    "reason" TEXT NOT NULL,
    "token_hash" TEXT,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "user_agent" TEXT,

    CONSTRAINT "admin_auth_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "admin_auth_failures_at_idx" ON "admin_auth_failures"("at");

-- CreateIndex
CREATE INDEX "admin_auth_failures_ip_at_idx" ON "admin_auth_failures"("ip", "at");


-- Client secrets (PaymentIntent, SetupIntent and Checkout Session `client_secret`) are no longer
-- stored (server/src/stripe-objects/strip-secrets.ts). Remove the ones stored before, at any
-- depth, from raw events and from the raw snapshots of normalized rows. (No semicolons inside
-- statements or comments: the migration runner splits the script on them.)
SET check_function_bodies = off;

CREATE FUNCTION dd_strip_client_secrets(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(j)
    WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(k, dd_strip_client_secrets(v)), '{}'::jsonb)
                          FROM jsonb_each(j) AS e(k, v) WHERE k <> 'client_secret')
    WHEN 'array' THEN (SELECT coalesce(jsonb_agg(dd_strip_client_secrets(v) ORDER BY i), '[]'::jsonb)
                         FROM jsonb_array_elements(j) WITH ORDINALITY AS a(v, i))
    ELSE j END
$$;

UPDATE "raw_events" SET "payload" = dd_strip_client_secrets("payload")
 WHERE "payload"::text LIKE '%"client\_secret"%';
UPDATE "payment_intents" SET "raw" = dd_strip_client_secrets("raw")
 WHERE "raw"::text LIKE '%"client\_secret"%';
UPDATE "charges" SET "raw" = dd_strip_client_secrets("raw")
 WHERE "raw"::text LIKE '%"client\_secret"%';
UPDATE "disputes" SET "raw" = dd_strip_client_secrets("raw")
 WHERE "raw"::text LIKE '%"client\_secret"%';
UPDATE "invoices" SET "raw" = dd_strip_client_secrets("raw")
 WHERE "raw"::text LIKE '%"client\_secret"%';

DROP FUNCTION dd_strip_client_secrets(jsonb);

SET check_function_bodies = on;
