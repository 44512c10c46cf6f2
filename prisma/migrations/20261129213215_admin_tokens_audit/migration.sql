-- CreateEnum
CREATE TYPE "admin_role" AS ENUM ('viewer', 'operator', 'admin');

-- CreateTable
CREATE TABLE "admin_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "admin_role" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_audit" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "params" JSONB NOT NULL,
    "status" INTEGER NOT NULL,
    "result" JSONB,
    "ip" TEXT,

    CONSTRAINT "admin_audit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "admin_tokens_token_hash_key" ON "admin_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "admin_audit_at_idx" ON "admin_audit"("at");

-- CreateIndex
CREATE INDEX "admin_audit_target_at_idx" ON "admin_audit"("target", "at");

