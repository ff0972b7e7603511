import { UUID } from './call.js';
import {
  checkDefinition,
  DEFINITION_MESSAGES,
  effectiveMaxLength,
  hasOptions,
  isStoredValueValid,
  nameKey,
  type CustomFieldDefinition,
  type CustomFieldType,
} from './custom-field.js';

/** How many earlier names a field keeps for "it was renamed" hints. */
export const MAX_PREVIOUS_NAMES = 20;

export type DefinitionAttribute = 'id' | 'name' | 'type' | 'description' | 'maxLength' | 'options' | 'editable' | 'enabled';

export interface DefinitionProblem {
  attribute: DefinitionAttribute;
  message: string;
}

/** Why a definition change was refused; nothing was written. */
export type DefinitionRefusal =
  | { kind: 'invalid'; problems: DefinitionProblem[] }
  | { kind: 'duplicate'; message: string }
  | { kind: 'values_affected'; affectedValues: number; message: string };

/** Another field of the tenant whose list of earlier names loses a name that is now taken. */
export interface PreviousNamesChange {
  fieldId: string;
  previousNames: string[];
}

export type DefinitionDecision =
  | { ok: true; field: CustomFieldDefinition; previousNamesChanges: PreviousNamesChange[]; invalidatedValues: number }
  | { ok: false; refusal: DefinitionRefusal };

/** The answer when a decision depends on the field's stored values and was asked without them: ask again with them. */
export interface NeedsStoredValues {
  needsStoredValues: true;
}

export interface NewCustomFieldInput {
  id?: string | null;
  name: string;
  type: CustomFieldType;
  description?: string | null;
  maxLength?: number | null;
  options?: readonly string[] | null;
  editable?: boolean | null;
  enabled?: boolean | null;
}

/** A change to a definition: an absent attribute keeps its value, null clears it where that means something. */
export interface CustomFieldPatch {
  name?: string | null;
  type?: CustomFieldType | null;
  description?: string | null;
  maxLength?: number | null;
  options?: readonly string[] | null;
  editable?: boolean | null;
  enabled?: boolean | null;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const CONFLICT_MESSAGES = {
  duplicateName: (name: string) => `A custom field named "${name}" already exists`,
  duplicateId: 'A custom field with this id already exists',
  idUsedByCall: 'Id is already used by a call',
  invalidated: (n: number) =>
    `${n} stored ${plural(n, 'value', 'values')} would no longer be valid under the new definition; use force to apply ` +
    `the change anyway (${plural(n, 'the value stays', 'the values stay')} stored, flagged as invalid until rewritten)`,
  hasValues: (n: number) =>
    `The custom field has ${n} stored ${plural(n, 'value', 'values')}; use force to delete it together with ${plural(n, 'its value', 'its values')}`,
} as const;

const normalizeDescription = (description: string | null | undefined) =>
  description == null || description.trim() === '' ? null : description;

function definitionProblems(field: CustomFieldDefinition): DefinitionProblem[] {
  return Object.entries(checkDefinition(field)).map(([attribute, message]) => ({ attribute: attribute as DefinitionAttribute, message }));
}

/** The field that already uses a name (ignoring case) in the tenant, other than `self`. */
function nameTakenBy(fields: readonly CustomFieldDefinition[], name: string, self: string | null) {
  const key = nameKey(name);
  return fields.find((f) => f.fieldId !== self && nameKey(f.name) === key);
}

/** Drops a name that becomes current from every other field's earlier names, so a name hints at one field only. */
function releaseName(fields: readonly CustomFieldDefinition[], name: string, self: string): PreviousNamesChange[] {
  const key = nameKey(name);
  return fields
    .filter((f) => f.fieldId !== self && (f.previousNames ?? []).some((n) => nameKey(n) === key))
    .map((f) => ({ fieldId: f.fieldId, previousNames: (f.previousNames ?? []).filter((n) => nameKey(n) !== key) }));
}

/**
 * Decides a new custom field of a tenant. The name is trimmed and must be
 * unique in the tenant ignoring case (case is preserved); `id`, when given,
 * must be a UUID no other field has. `fieldId` is the id to use otherwise.
 */
export function decideNewCustomField(
  input: NewCustomFieldInput,
  context: { tenantId: string; fieldId: string },
  fields: readonly CustomFieldDefinition[],
): DefinitionDecision {
  const problems: DefinitionProblem[] = [];
  let fieldId = context.fieldId;
  if (input.id != null && input.id !== '') {
    if (UUID.test(input.id)) fieldId = input.id.toLowerCase();
    else problems.push({ attribute: 'id', message: 'Id must be a UUID' });
  }
  const field: CustomFieldDefinition = {
    fieldId,
    tenantId: context.tenantId,
    name: input.name.trim(),
    description: normalizeDescription(input.description),
    type: input.type,
    options: hasOptions(input.type) ? (input.options ? [...input.options] : null) : input.options?.length ? [...input.options] : null,
    maxLength: input.maxLength ?? null,
    editable: input.editable ?? true,
    enabled: input.enabled ?? true,
    previousNames: [],
  };
  problems.push(...definitionProblems(field));
  if (problems.length > 0) return { ok: false, refusal: { kind: 'invalid', problems } };
  if (fields.some((f) => f.fieldId === fieldId)) return { ok: false, refusal: { kind: 'duplicate', message: CONFLICT_MESSAGES.duplicateId } };
  const taken = nameTakenBy(fields, field.name, null);
  if (taken) return { ok: false, refusal: { kind: 'duplicate', message: CONFLICT_MESSAGES.duplicateName(taken.name) } };
  return { ok: true, field, previousNamesChanges: releaseName(fields, field.name, fieldId), invalidatedValues: 0 };
}

/** Applies a patch to a definition. Changing the type drops a max length or options the new type has no use for. */
function applyPatch(current: CustomFieldDefinition, patch: CustomFieldPatch): { next: CustomFieldDefinition; problems: DefinitionProblem[] } {
  const problems: DefinitionProblem[] = [];
  const M = DEFINITION_MESSAGES;
  if (patch.name === null) problems.push({ attribute: 'name', message: M.nameRequired });
  if (patch.type === null) problems.push({ attribute: 'type', message: M.typeRequired });
  if (patch.editable === null) problems.push({ attribute: 'editable', message: M.flag('Editable') });
  if (patch.enabled === null) problems.push({ attribute: 'enabled', message: M.flag('Enabled') });
  const type = patch.type ?? current.type;
  const keepOptions = hasOptions(type) && hasOptions(current.type);
  const options = patch.options !== undefined ? patch.options : keepOptions ? current.options : null;
  const maxLength = patch.maxLength !== undefined ? patch.maxLength : type === 'text' && current.type === 'text' ? current.maxLength : null;
  const next: CustomFieldDefinition = {
    ...current,
    name: patch.name == null ? current.name : patch.name.trim(),
    description: patch.description === undefined ? current.description : normalizeDescription(patch.description),
    type,
    options: options && (options.length > 0 || hasOptions(type)) ? [...options] : null,
    maxLength,
    editable: patch.editable ?? current.editable,
    enabled: patch.enabled ?? current.enabled,
  };
  problems.push(...definitionProblems(next));
  return { next, problems };
}

const ruleChanged = (a: CustomFieldDefinition, b: CustomFieldDefinition) =>
  a.type !== b.type || effectiveMaxLength(a) !== effectiveMaxLength(b) || JSON.stringify(a.options ?? null) !== JSON.stringify(b.options ?? null);

/**
 * Decides a change to a field's definition. A rename keeps the field id (and
 * so every value) and remembers the old name. A change that tightens the
 * field (lower max length, an option removed, another type) counts the stored
 * values that were valid and would no longer be; when there are any it is
 * refused unless `force`, and with force those values stay stored, judged
 * invalid until rewritten. Values that were already invalid do not count.
 * The texts of the stored values are only needed when the value rules change:
 * asked with `storedValues` null, it answers `needsStoredValues` in that case.
 */
export function decideCustomFieldUpdate(
  current: CustomFieldDefinition,
  patch: CustomFieldPatch,
  fields: readonly CustomFieldDefinition[],
  storedValues: readonly string[] | null,
  force: boolean,
): DefinitionDecision | NeedsStoredValues {
  const { next, problems } = applyPatch(current, patch);
  if (problems.length > 0) return { ok: false, refusal: { kind: 'invalid', problems } };
  const renamed = nameKey(current.name) !== nameKey(next.name);
  const taken = renamed ? nameTakenBy(fields, next.name, current.fieldId) : undefined;
  if (taken) return { ok: false, refusal: { kind: 'duplicate', message: CONFLICT_MESSAGES.duplicateName(taken.name) } };

  let invalidatedValues = 0;
  if (ruleChanged(current, next)) {
    if (storedValues === null) return { needsStoredValues: true };
    invalidatedValues = storedValues.filter((v) => isStoredValueValid(current, v) && !isStoredValueValid(next, v)).length;
    if (invalidatedValues > 0 && !force) {
      return { ok: false, refusal: { kind: 'values_affected', affectedValues: invalidatedValues, message: CONFLICT_MESSAGES.invalidated(invalidatedValues) } };
    }
  }

  const newKey = nameKey(next.name);
  const earlier = (current.previousNames ?? []).filter((n) => nameKey(n) !== newKey);
  next.previousNames = (renamed ? [current.name, ...earlier.filter((n) => nameKey(n) !== nameKey(current.name))] : earlier).slice(0, MAX_PREVIOUS_NAMES);
  const previousNamesChanges = renamed
    ? [...releaseName(fields, next.name, current.fieldId), ...releaseName(fields, current.name, current.fieldId)]
    : [];
  return { ok: true, field: next, previousNamesChanges: mergeChanges(previousNamesChanges), invalidatedValues };
}

/** One change per field: a field that loses two names loses both. */
function mergeChanges(changes: PreviousNamesChange[]): PreviousNamesChange[] {
  const byField = new Map<string, PreviousNamesChange>();
  for (const change of changes) {
    const seen = byField.get(change.fieldId);
    byField.set(change.fieldId, seen ? { fieldId: change.fieldId, previousNames: seen.previousNames.filter((n) => change.previousNames.includes(n)) } : change);
  }
  return [...byField.values()];
}

/** Deleting a field that has stored values needs force; its values go with it. */
export function decideCustomFieldDeletion(storedValueCount: number, force: boolean): { ok: true } | { ok: false; refusal: DefinitionRefusal } {
  if (storedValueCount > 0 && !force) {
    return { ok: false, refusal: { kind: 'values_affected', affectedValues: storedValueCount, message: CONFLICT_MESSAGES.hasValues(storedValueCount) } };
  }
  return { ok: true };
}
