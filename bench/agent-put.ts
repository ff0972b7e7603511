import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { SEED_FIELDS } from './workload.js';

/** The seeded "Agent" field, which the event benchmarks write a value unique to each write into. */
export const AGENT_FIELD = SEED_FIELDS.find((f) => f.name === 'Agent')!.fieldId;

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 32 });

/** A REST PUT setting Agent to `value`; resolves with the time of its 200 response (performance.now()). */
export function putAgent(url: URL, token: string, callId: string, value: string, retried = false): Promise<number> {
  return new Promise((done, fail) => {
    const body = JSON.stringify({ call: { custom_fields: [{ field_id: AGENT_FIELD, value }] } });
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `/api/v2/calls/${callId}.json`,
        method: 'PUT',
        agent: keepAlive,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? done(performance.now()) : fail(new Error(`PUT ${callId} answered ${response.statusCode}`))));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      // The server closed an idle keep-alive socket as the request went out on it: nothing reached the server, send again (Node's advice).
      if (!retried && request.reusedSocket && error.code === 'ECONNRESET') putAgent(url, token, callId, value, true).then(done, fail);
      else fail(error);
    });
    request.end(body);
  });
}
