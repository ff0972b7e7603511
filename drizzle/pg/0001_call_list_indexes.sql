CREATE INDEX "calls_tenant_duration_idx" ON "calls" USING btree ("tenant_id","duration","call_id");--> statement-breakpoint
CREATE INDEX "calls_tenant_from_number_idx" ON "calls" USING btree ("tenant_id","from_number" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "calls_tenant_to_number_idx" ON "calls" USING btree ("tenant_id","to_number" text_pattern_ops);