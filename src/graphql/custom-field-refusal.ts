import type { DefinitionRefusal } from '../core/field-definition.js';
import { ConflictError, inputDetail, InvalidRecordError } from './errors.js';

/** The error member for a refused definition change; problem paths are input paths like "input.name". */
export function refusalError(refusal: DefinitionRefusal): Error {
  switch (refusal.kind) {
    case 'invalid':
      return new InvalidRecordError(refusal.problems.map(inputDetail));
    case 'duplicate':
      return new ConflictError(refusal.message, 'duplicate');
    case 'values_affected':
      return new ConflictError(refusal.message, 'stored_values', refusal.affectedValues);
  }
}
