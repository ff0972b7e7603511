import type { Viewer } from '../http/auth.js';
import type { CallStore } from '../store/call-store.js';

export interface GraphQLContext {
  store: CallStore;
  viewer: Viewer;
  clock: () => Date;
}
