CREATE TABLE `change_log_heads` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`last_sequence` integer NOT NULL,
	`last_committed_at` text NOT NULL
);
