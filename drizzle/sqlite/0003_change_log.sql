CREATE TABLE `call_changes` (
	`tenant_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`change_set_id` text NOT NULL,
	`call_id` text NOT NULL,
	`field_id` text NOT NULL,
	`field_name` text NOT NULL,
	`kind` text NOT NULL,
	`old_value` text,
	`new_value` text,
	`call_version` integer NOT NULL,
	`actor_user_id` text,
	`actor_username` text,
	`actor_token_id` text,
	`channel` text NOT NULL,
	`request_id` text,
	`client_address` text,
	`committed_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `sequence`)
);
--> statement-breakpoint
CREATE INDEX `call_changes_call_idx` ON `call_changes` (`tenant_id`,`call_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `call_changes_committed_at_idx` ON `call_changes` (`tenant_id`,`committed_at`);