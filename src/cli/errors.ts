/** The command line itself is wrong (a missing or invalid option): printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** The command could not do what it was asked (an unknown user, a bad import line): printed without a stack, exit code 1. */
export class CommandFailure extends Error {}

/** The exit codes, as `callgate help` documents them. */
export const EXIT = { success: 0, failure: 1, usage: 2 } as const;
