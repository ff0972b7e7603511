import type { CallStore } from '../store/call-store.js';
import type { Metrics } from './metrics.js';
import { jsonReply, restError, type RestReply } from './reply.js';

export const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export interface OpsDeps {
  store: CallStore;
  metrics: Metrics;
  /** /metrics: on or off, and a bearer token that protects it when set. */
  metricsSetting: { enabled: boolean; token?: string | null };
}

/** /healthz (the process answers), /readyz (the database too) and /metrics (Prometheus): no user, no data. */
export function createOps({ store, metrics, metricsSetting }: OpsDeps) {
  return async function answer(pathname: string, authorization: string | null): Promise<RestReply> {
    switch (pathname) {
      case '/healthz':
        return jsonReply(200, { status: 'ok' });
      case '/readyz': {
        const readiness = await store.checkReady().catch(() => ({ ready: false as const, reason: 'database not reachable' }));
        return readiness.ready ? jsonReply(200, { status: 'ready' }) : jsonReply(503, { status: 'unavailable', reason: readiness.reason });
      }
      case '/metrics': {
        if (!metricsSetting.enabled) return restError(404, 'NotFound', 'No such resource');
        if (metricsSetting.token && authorization !== `Bearer ${metricsSetting.token}`) {
          return restError(401, 'Unauthorized', 'A metrics bearer token is required', { 'www-authenticate': 'Bearer realm="metrics"' });
        }
        return { status: 200, headers: { 'content-type': metrics.registry.contentType }, body: await metrics.registry.metrics() };
      }
      default:
        return restError(404, 'NotFound', 'No such resource');
    }
  };
}
