import { describe, expect, it } from 'vitest';
import { instantFromDriver } from '../../src/store/pg/schema.js';

/** How PostgreSQL writes a timestamptz(3) in a session at `offset` minutes from UTC: as text, or inside json. */
function pgText(ms: number, offsetMinutes: number, form: 'text' | 'json'): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  const [date, rest] = local.slice(0, -1).split('T') as [string, string];
  const [time, fraction] = rest.split('.') as [string, string];
  const trimmed = fraction.replace(/0+$/, '');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  const zone = form === 'json' ? `${sign}${hh}:${mm}` : mm === '00' ? `${sign}${hh}` : `${sign}${hh}:${mm}`;
  return `${date}${form === 'json' ? 'T' : ' '}${time}${trimmed ? `.${trimmed}` : ''}${zone}`;
}

describe('instantFromDriver', () => {
  it('gives the ISO 8601 instant in UTC that Date gives, for UTC text read as it stands and any other offset parsed', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const instants = [0, Date.UTC(2026, 0, 1, 9), Date.UTC(2026, 0, 1, 9, 0, 0, 100), Date.UTC(1999, 11, 31, 23, 59, 59, 999)];
    for (let i = 0; i < 500; i++) instants.push(Math.floor(random() * Date.UTC(9000, 0, 1)));
    for (const ms of instants) {
      for (const offset of [0, 60, -300, 330]) {
        for (const form of ['text', 'json'] as const) {
          const text = pgText(ms, offset, form);
          expect(instantFromDriver(text), text).toBe(new Date(ms).toISOString());
        }
      }
    }
  });

  it('takes a Date, and UTC text with a Z', () => {
    expect(instantFromDriver(new Date(Date.UTC(2026, 1, 3, 4, 5, 6, 7)))).toBe('2026-02-03T04:05:06.007Z');
    expect(instantFromDriver('2026-02-03T04:05:06.07Z')).toBe('2026-02-03T04:05:06.070Z');
    expect(instantFromDriver('2026-02-03 04:05:06+00')).toBe('2026-02-03T04:05:06.000Z');
  });
});
