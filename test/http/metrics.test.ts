import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';
import type { CallStore } from '../../src/store/call-store.js';

describe('request metrics', () => {
  it('count each request under its operation and status, with at most 200 operation names and the rest as "other"', async () => {
    const metrics = createMetrics({ stats: () => ({}) } as unknown as CallStore);
    for (let i = 0; i < 250; i++) metrics.observeRequest(`graphql Op${i}`, 200, 0.002);
    metrics.observeRequest('graphql Op0', 200, 0.002);
    metrics.observeRequest('graphql Op0', 400, 0.2);
    const text = await metrics.registry.metrics();
    expect(text).toContain('callgate_http_requests_total{operation="graphql Op0",status="200"} 2');
    expect(text).toContain('callgate_http_requests_total{operation="graphql Op0",status="400"} 1');
    expect(text).toContain('callgate_http_requests_total{operation="graphql Op199",status="200"} 1');
    expect(text).not.toContain('operation="graphql Op200"');
    expect(text).toContain('callgate_http_requests_total{operation="other",status="200"} 50');
    expect(text).toMatch(/callgate_http_request_duration_seconds_bucket\{le="0\.0025",operation="graphql Op0",status="200"\} 2/);
    expect(text).toMatch(/callgate_http_request_duration_seconds_bucket\{le="0\.1",operation="graphql Op0",status="400"\} 0/);
  });
});
