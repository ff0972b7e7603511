CREATE TABLE "call_changes" (
	"tenant_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"change_set_id" uuid NOT NULL,
	"call_id" uuid NOT NULL,
	"field_id" uuid NOT NULL,
	"field_name" text NOT NULL,
	"kind" text NOT NULL,
	"old_value" text,
	"new_value" text,
	"call_version" bigint NOT NULL,
	"actor_user_id" uuid,
	"actor_username" text,
	"actor_token_id" uuid,
	"channel" text NOT NULL,
	"request_id" text,
	"client_address" text,
	"committed_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "call_changes_tenant_id_sequence_pk" PRIMARY KEY("tenant_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "change_log_heads" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"last_sequence" bigint NOT NULL,
	"last_committed_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "call_changes_call_idx" ON "call_changes" USING btree ("tenant_id","call_id","sequence");--> statement-breakpoint
CREATE INDEX "call_changes_committed_at_idx" ON "call_changes" USING btree ("tenant_id","committed_at");