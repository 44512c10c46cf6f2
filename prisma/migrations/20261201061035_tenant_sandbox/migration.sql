-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "sandbox" BOOLEAN NOT NULL DEFAULT false;

