CREATE INDEX CONCURRENTLY IF NOT EXISTS "call_custom_field_values_field_value_prefix_idx" ON "call_custom_field_values" USING btree ("field_id",left("value", 500) collate "C");--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "call_custom_field_values_field_value_idx";
