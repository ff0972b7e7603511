import type { CustomFieldDefinition } from '../core/custom-field.js';
import type { Viewer } from '../http/auth.js';
import type { CallStore } from '../store/call-store.js';

export interface GraphQLContext {
  store: CallStore;
  viewer: Viewer;
  clock: () => Date;
  /** Every custom field of the viewer's tenant, disabled ones included, read at most once per request. */
  customFieldDefinitions: () => Promise<CustomFieldDefinition[]>;
}

/** The context of one request. */
export function createGraphQLContext(deps: Pick<GraphQLContext, 'store' | 'viewer' | 'clock'>): GraphQLContext {
  let definitions: Promise<CustomFieldDefinition[]> | undefined;
  return {
    ...deps,
    customFieldDefinitions: () => (definitions ??= deps.store.listCustomFields(deps.viewer.tenantId, { includeDisabled: true })),
  };
}
