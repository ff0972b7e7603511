import { GraphQLError } from 'graphql';
import { can } from '../core/permissions.js';
import type { Viewer } from '../core/viewer.js';
import { builder } from './builder.js';

/**
 * A problem with one input, e.g. path "customFields.0.value", message "Value is too long", and the same place
 * as structured fields: the entry index and its field reference as sent (setCallCustomFields entries only),
 * and the attribute (null for a problem with a whole entry or list).
 */
export interface ValidationDetail {
  path: string;
  message: string;
  entryIndex?: number | null;
  fieldId?: string | null;
  fieldName?: string | null;
  attribute?: string | null;
}

/** A detail for one attribute of a mutation's `input` (admin mutations): path "input.<attribute>". */
export const inputDetail = (problem: { attribute: string; message: string }): ValidationDetail => ({
  path: `input.${problem.attribute}`,
  message: problem.message,
  attribute: problem.attribute,
});

export class InvalidRecordError extends Error {
  constructor(readonly details: ValidationDetail[]) {
    super('Record Validation errors');
    this.name = 'InvalidRecordError';
  }
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

export type ConflictReason = 'duplicate' | 'stored_values' | 'last_admin' | 'version_mismatch' | 'count_mismatch';

/** The request contradicts what is stored: a taken name, stored values a change would hit, the last admin. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    message: string,
    readonly reason: ConflictReason,
    readonly affectedValues = 0,
  ) {
    super(message);
  }
}

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'An expected failure; every error member of a result union implements it.',
  fields: (t) => ({ message: t.exposeString('message', { description: 'What went wrong, in English, for people.' }) }),
});

const ValidationDetailRef = builder.objectRef<ValidationDetail>('ValidationDetail').implement({
  description:
    'A problem with one input: where it is (`path`, and the same as structured fields) and what is wrong (`message`).',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'The input path, e.g. "customFields.0.value" or "input.name".' }),
    message: t.exposeString('message', { description: 'What is wrong with it, e.g. "Value is too long".' }),
    entryIndex: t.int({
      nullable: true,
      description: 'setCallCustomFields: the index of the refused entry in `customFields`; null for a problem with the whole list and for other mutations.',
      resolve: (detail) => detail.entryIndex ?? null,
    }),
    fieldId: t.id({
      nullable: true,
      description: 'setCallCustomFields: the `fieldId` the refused entry sent, as sent; null when it sent none and for other mutations.',
      resolve: (detail) => detail.fieldId ?? null,
    }),
    fieldName: t.string({
      nullable: true,
      description: 'setCallCustomFields: the `name` the refused entry sent, as sent; null when it sent none and for other mutations.',
      resolve: (detail) => detail.fieldName ?? null,
    }),
    attribute: t.string({
      nullable: true,
      description:
        'The input attribute at fault: `fieldId`, `name`, `value` or `values` of an entry, or an attribute of `input` ' +
        '(e.g. `username`, `maxLength`); null when the entry or the list as a whole is refused.',
      resolve: (detail) => detail.attribute ?? null,
    }),
  }),
});

builder.objectType(InvalidRecordError, {
  name: 'InvalidRecordError',
  description: 'The input has invalid data; nothing was written. Lists every problem.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ details: t.field({ type: [ValidationDetailRef], description: 'Every problem, one per input.', resolve: (error) => error.details }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'No such record in the viewer\'s tenant.',
  interfaces: [ErrorInterface],
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The API user\'s role does not allow this.',
  interfaces: [ErrorInterface],
});

const ConflictReasonEnum = builder.enumType('ConflictReason', {
  description: 'Why a change contradicts what is stored.',
  values: {
    DUPLICATE: { value: 'duplicate', description: 'The name (or id, or username) is already taken in the tenant.' },
    STORED_VALUES: { value: 'stored_values', description: 'Stored values would become invalid or be deleted; repeat with `force: true`.' },
    LAST_ADMIN: { value: 'last_admin', description: 'The change would leave the tenant without an active admin.' },
    VERSION_MISMATCH: { value: 'version_mismatch', description: 'The record is no longer at `expectedVersion`: someone changed it; nothing was written.' },
    COUNT_MISMATCH: { value: 'count_mismatch', description: 'A bulk edit matches another number of calls than `expectedCount`; nothing was written.' },
  } as const,
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The change contradicts what is stored; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    reason: t.field({ type: ConflictReasonEnum, description: 'Which contradiction it is.', resolve: (error) => error.reason }),
    affectedValues: t.exposeInt('affectedValues', {
      description:
        'How many stored values the change would make invalid (or, for a deletion, delete); 0 unless `reason` is STORED_VALUES.',
    }),
  }),
});

/**
 * A bad argument to a query: the client gets the message (GraphQL errors are
 * not masked) with code BAD_USER_INPUT, and nothing is read or changed.
 */
export function badUserInput(message: string, details?: ValidationDetail[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(details ? { details } : {}) } });
}

export const VIEW_FORBIDDEN_MESSAGE = 'API user has no permission to view call records';

/** Every read of calls and fields needs the view_calls permission. */
export function assertCanView(viewer: Viewer): void {
  if (!can(viewer.role, 'view_calls')) throw new GraphQLError(VIEW_FORBIDDEN_MESSAGE, { extensions: { code: 'FORBIDDEN' } });
}
