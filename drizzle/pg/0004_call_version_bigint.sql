ALTER TABLE "calls" ALTER COLUMN "version" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "calls" ALTER COLUMN "version" SET DEFAULT 1;