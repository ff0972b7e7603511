import { describe, expect, it } from 'vitest';
import { decideImportedValues } from '../../src/core/change-set.js';
import { StoreLimitError } from '../../src/store/call-store.js';
import { onPostgres, POSTGRES_ONLY } from '../support/database.js';
import { createWorld, NOW } from '../support/fixtures.js';
import { incompressibleText } from '../support/long-values.js';
import { TEST_ORIGIN } from '../support/origin.js';

describe.skipIf(!onPostgres)(`PostgreSQL's program limits ${POSTGRES_ONLY}`, () => {
  it('a value too large for an index entry (SQLSTATE 54000) is a StoreLimitError saying so, and nothing is written', async () => {
    const world = await createWorld();
    // The core refuses numbers over 255 characters; the store must still fail clearly when handed one.
    const fromNumber = incompressibleText(4000);
    const importing = world.store.importCalls({
      origin: TEST_ORIGIN,
      tenantId: world.tenantId,
      now: NOW,
      decide: decideImportedValues,
      calls: [
        {
          call: { callId: 'c0000000-0000-4000-8000-000000000001', setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound', duration: 1 },
          customFields: [],
        },
        {
          call: { callId: 'c0000000-0000-4000-8000-000000000002', setupTime: NOW, fromNumber, toNumber: '+2', direction: 'inbound', duration: 1 },
          customFields: [],
        },
      ],
    });
    await expect(importing).rejects.toThrow(StoreLimitError);
    await expect(importing).rejects.toThrow(/^The request is beyond a limit of the database \(.*index row/);
    expect(await world.store.getCall(world.tenantId, 'c0000000-0000-4000-8000-000000000001')).toBeNull();
  });
});
