import type { CallImport, Direction } from '../core/call.js';
import type { CustomFieldType } from '../core/custom-field.js';
import { DEMO_CALL_ID, VENDOR_EXAMPLE_FIELDS } from '../core/vendor-examples.js';

export interface DemoField {
  fieldId: string;
  name: string;
  type: CustomFieldType;
  options?: string[];
  maxLength?: number;
  editable?: boolean;
  enabled?: boolean;
  sample: (pick: () => number) => string | null;
}

const choose = <T>(pick: () => number, items: readonly T[]): T => items[Math.floor(pick() * items.length)]!;

const PAYMENT = ['Unknown', 'Paid', 'Unpaid', 'Refunded'];
const CALL_TYPES = ['Sales call', 'Support call', 'Billing call', 'Other'];
const CHANNELS = ['Email', 'Phone', 'Letter', 'Chat'];

/** The vendor's two example fields with their exact UUIDs, and a few more of each type. */
export const DEMO_FIELDS: DemoField[] = [
  { ...VENDOR_EXAMPLE_FIELDS[0], type: 'option', options: PAYMENT, sample: (p) => choose(p, PAYMENT) },
  { ...VENDOR_EXAMPLE_FIELDS[1], type: 'option', options: CALL_TYPES, sample: (p) => choose(p, CALL_TYPES) },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d01', name: 'Notes', type: 'text', maxLength: 500, sample: (p) => (p() < 0.3 ? 'Customer asked for a call back' : null) },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d02', name: 'Customer ID', type: 'text', maxLength: 32, sample: (p) => `C-${Math.floor(p() * 100000)}` },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d03', name: 'Order value', type: 'number', sample: (p) => (p() < 0.5 ? (Math.floor(p() * 100000) / 100).toFixed(2) : null) },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d04', name: 'Satisfaction', type: 'number', sample: (p) => (p() < 0.4 ? String(1 + Math.floor(p() * 5)) : null) },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d05', name: 'Follow-up date', type: 'date', sample: (p) => (p() < 0.2 ? `2026-0${1 + Math.floor(p() * 9)}-1${Math.floor(p() * 10)}` : null) },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d06', name: 'Priority', type: 'option', options: ['Low', 'Normal', 'High'], sample: (p) => choose(p, ['Low', 'Normal', 'High']) },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d07', name: 'CRM reference', type: 'text', editable: false, sample: (p) => `CRM-${Math.floor(p() * 1e6)}` },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d08', name: 'Legacy code', type: 'text', enabled: false, sample: () => null },
  {
    fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d09',
    name: 'Contact channels',
    type: 'multiselect',
    options: CHANNELS,
    sample: (p) => {
      const chosen = CHANNELS.filter(() => p() < 0.4);
      return chosen.length > 0 ? JSON.stringify(chosen) : null;
    },
  },
  { fieldId: '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d0a', name: 'Callback requested', type: 'boolean', sample: (p) => (p() < 0.5 ? String(p() < 0.3) : null) },
];

/** A small deterministic generator (mulberry32), so every demo database holds the same calls. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(pick: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(pick() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(pick() * 4)]!;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const DIRECTIONS: Direction[] = ['inbound', 'outbound', 'inbound', 'unknown'];

/** `count` demo calls over the 90 days before `until`; the first has the id the examples use. */
export function demoCalls(count: number, until = Date.parse('2026-11-01T00:00:00Z')): CallImport[] {
  const pick = generator(20230912);
  const number = () => `+49${Math.floor(30_000_000 + pick() * 69_999_999)}`;
  return Array.from({ length: count }, (_, i) => ({
    call: {
      callId: i === 0 ? DEMO_CALL_ID : uuidFrom(pick),
      setupTime: new Date(until - Math.floor(pick() * 90 * 86_400) * 1000).toISOString(),
      fromNumber: number(),
      toNumber: number(),
      direction: choose(pick, DIRECTIONS),
      duration: Math.floor(pick() * 1800),
    },
    customFields: DEMO_FIELDS.map((f) => ({ fieldId: f.fieldId, value: f.sample(pick) })).filter(
      (entry): entry is { fieldId: string; value: string } => entry.value !== null,
    ),
  }));
}
