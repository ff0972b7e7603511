CREATE INDEX `calls_tenant_duration_idx` ON `calls` (`tenant_id`,`duration`,`call_id`);--> statement-breakpoint
CREATE INDEX `calls_tenant_from_number_idx` ON `calls` (`tenant_id`,`from_number`);--> statement-breakpoint
CREATE INDEX `calls_tenant_to_number_idx` ON `calls` (`tenant_id`,`to_number`);