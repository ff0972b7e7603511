import { invalidRecord, jsonReply, restError, unexpected, type RestReply } from '../reply.js';

/** The expected failures the REST documents select (fragment RestFailure), as the schema types them. */
export type RestFailure =
  | { __typename: 'InvalidRecordError'; message: string; details: readonly { path: string; message: string }[] }
  | { __typename: 'ForbiddenError'; message: string }
  | { __typename: 'NotFoundError'; message: string }
  | { __typename: 'ConflictError'; message: string; reason: string; affectedValues: number };

/**
 * The one table from a result-union member's `__typename` to its REST status
 * and body, for every route; a route adds only its success body and how its
 * details' GraphQL paths read as the vendor's keys.
 *
 * | member             | status | error                                 |
 * |--------------------|--------|---------------------------------------|
 * | InvalidRecordError | 400    | InvalidRecord, details per key        |
 * | ForbiddenError     | 403    | Forbidden                             |
 * | NotFoundError      | 404    | NotFound                              |
 * | ConflictError      | 412    | PreconditionFailed (VERSION_MISMATCH) |
 * | ConflictError      | 409    | Conflict (+ affected_values)          |
 */
export function failureReply(outcome: RestFailure, detailKey: (path: string) => string): RestReply {
  switch (outcome.__typename) {
    case 'InvalidRecordError': {
      const details: Record<string, string> = {};
      for (const { path, message } of outcome.details) details[detailKey(path)] ??= message;
      return invalidRecord(details);
    }
    case 'ForbiddenError':
      return restError(403, 'Forbidden', outcome.message);
    case 'NotFoundError':
      return restError(404, 'NotFound', outcome.message);
    case 'ConflictError':
      if (outcome.reason === 'VERSION_MISMATCH') return restError(412, 'PreconditionFailed', outcome.message);
      return jsonReply(409, {
        error: 'Conflict',
        description: outcome.message,
        ...(outcome.reason === 'STORED_VALUES' && { affected_values: outcome.affectedValues }),
      });
    default:
      return unexpected();
  }
}
