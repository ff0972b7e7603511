import {
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  valueFromAST,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../core/call-list.js';

/** What an operation weighs: how deep its fields nest, and what it may cost to answer. */
export interface QueryMeasure {
  depth: number;
  cost: number;
}

/** A paginated field's page size when `first` and `last` are absent, and the most it may be. */
export interface PageSize {
  default: number;
  max: number;
}

/** The page sizes the schema documents, by `Type.field`; a `first`/`last` field not listed counts its maximum when absent. */
export const PAGE_SIZES: Readonly<Record<string, PageSize>> = {
  'Query.calls': { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE },
  'Query.apiUsers': { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE },
  'Query.apiTokens': { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE },
  'Query.changes': { default: 100, max: MAX_PAGE_SIZE },
  'Call.history': { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE },
  'WebhookEndpoint.deliveries': { default: 20, max: 100 },
};

/** A page-size argument's value no field may exceed, for fields not in PAGE_SIZES. */
export const MAX_LIST_PAGE_SIZE = MAX_PAGE_SIZE;

/** Costs saturate here rather than growing without bound (a fan-out of nested pages). */
const COST_CEILING = Number.MAX_SAFE_INTEGER;

/**
 * Measures the operation a request would execute, with the request's
 * variables. Fragments (named and inline) are flattened: a field counts where
 * it would appear in the answer, never the spread that brought it. Rules:
 *
 * - depth: a field is one level deeper than the field it is selected in; the
 *   operation's depth is its deepest field's.
 * - cost: every field (`__typename` too) costs 1 plus the cost of its
 *   selection; a field with `first` or `last` arguments multiplies its
 *   selection's cost by its page size: the argument's value, literal or from a
 *   variable (then the variable's value, else its default), else the
 *   argument's schema default, else the field's documented default page size
 *   (PAGE_SIZES), never more than the field's maximum. A list without them
 *   counts its selection once.
 * - what `@skip`/`@include` leave out counts nothing; nor does `__schema`
 *   (introspection, switched off with its own setting).
 *
 * Each fragment is measured once per call, so fan-out cannot blow up the
 * walk; a fragment that spreads itself (which validation refuses) counts
 * nothing the second time. The variables are read only where a page size or
 * a directive takes one; an operation that reads none measures the same every
 * time and is kept in `memo` when one is given (a memo serves one schema).
 * Null when there is no operation to execute or the variables it reads do not
 * fit it: execution refuses such a request before anything runs.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Readonly<Record<string, unknown>> | null,
  memo?: MeasureMemo,
): QueryMeasure | null {
  const known = memo?.get(document)?.get(operationName ?? '');
  if (known) return known;
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;

  let variableValues: Record<string, unknown> | undefined;
  /** The coerced variables, the first time the walk needs them; throws UnfitVariables when they do not coerce. */
  const values = (): Record<string, unknown> => {
    if (variableValues) return variableValues;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
    if ('errors' in coerced) throw new UnfitVariables();
    return (variableValues = coerced.coerced);
  };

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, QueryMeasure | 'measuring'>();
  const nothing: QueryMeasure = { depth: 0, cost: 0 };

  const included = (node: Parameters<typeof getDirectiveValues>[1]) =>
    !node.directives?.length ||
    (getDirectiveValues(GraphQLSkipDirective, node, values())?.if !== true &&
      getDirectiveValues(GraphQLIncludeDirective, node, values())?.if !== false);

  function fieldDefinition(parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    if (parent === rootType && name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
    return undefined;
  }

  /** An argument's value, literal or from a variable; undefined when it is not given (an unset variable is not given). */
  function argumentValue(definition: GraphQLField<unknown, unknown>, node: FieldNode, name: string): unknown {
    const argument = node.arguments?.find((arg) => arg.name.value === name);
    const type = definition.args.find((arg) => arg.name === name)?.type;
    if (!argument || !type) return undefined;
    if (argument.value.kind === Kind.VARIABLE) return values()[argument.value.name.value];
    return valueFromAST(argument.value, type);
  }

  function pageSize(parent: GraphQLNamedType | undefined, definition: GraphQLField<unknown, unknown> | undefined, node: FieldNode): number {
    if (!parent || !definition?.args.some((arg) => arg.name === 'first' || arg.name === 'last')) return 1;
    const size = PAGE_SIZES[`${parent.name}.${definition.name}`] ?? { default: MAX_LIST_PAGE_SIZE, max: MAX_LIST_PAGE_SIZE };
    const given = ['first', 'last']
      .map((name) => argumentValue(definition, node, name) ?? definition.args.find((arg) => arg.name === name)?.defaultValue)
      .filter((value): value is number => typeof value === 'number');
    const requested = given.length > 0 ? Math.max(...given) : size.default;
    return Math.min(Math.max(requested, 0), size.max);
  }

  function measureSet(set: SelectionSetNode, parent: GraphQLNamedType | undefined): QueryMeasure {
    let depth = 0;
    let cost = 0;
    for (const selection of set.selections) {
      if (!included(selection)) continue;
      let part: QueryMeasure;
      if (selection.kind === Kind.FIELD) part = measureField(selection, parent);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        part = measureSet(selection.selectionSet, condition);
      } else part = measureFragment(selection.name.value);
      depth = Math.max(depth, part.depth);
      cost = Math.min(cost + part.cost, COST_CEILING);
    }
    return { depth, cost };
  }

  function measureField(node: FieldNode, parent: GraphQLNamedType | undefined): QueryMeasure {
    if (node.name.value === SchemaMetaFieldDef.name && parent === rootType) return nothing;
    if (!node.selectionSet) return { depth: 1, cost: 1 };
    const definition = fieldDefinition(parent, node.name.value);
    const inner = measureSet(node.selectionSet, definition && getNamedType(definition.type));
    const size = pageSize(parent, definition, node);
    return { depth: inner.depth + 1, cost: Math.min(1 + size * inner.cost, COST_CEILING) };
  }

  function measureFragment(name: string): QueryMeasure {
    const known = measured.get(name);
    if (known === 'measuring') return nothing;
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment) return nothing;
    measured.set(name, 'measuring');
    const result = measureSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
    measured.set(name, result);
    return result;
  }

  let result: QueryMeasure;
  try {
    result = measureSet(operation.selectionSet, rootType);
  } catch (error) {
    if (error instanceof UnfitVariables) return null;
    throw error;
  }
  if (memo && !variableValues) {
    const byName = memo.get(document) ?? new Map<string, QueryMeasure>();
    byName.set(operationName ?? '', result);
    memo.set(document, byName);
  }
  return result;
}

/** Measures kept per document and operation name, for operations whose measure reads no variable. */
export type MeasureMemo = WeakMap<DocumentNode, Map<string, QueryMeasure>>;

class UnfitVariables extends Error {}

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/** The message for an operation over a limit (depth first), or null when it is within both. */
export function exceededLimit(measure: QueryMeasure, limits: QueryLimits): string | null {
  if (measure.depth > limits.maxDepth) return `Query depth limit of ${limits.maxDepth} exceeded, found ${measure.depth}.`;
  if (measure.cost > limits.maxCost) return `Query Cost limit of ${limits.maxCost} exceeded, found ${measure.cost}.`;
  return null;
}
