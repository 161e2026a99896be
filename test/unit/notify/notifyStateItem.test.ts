import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../../src/discovery/inventory.js';
import {
  decodeNotifyItem,
  encodeNotifyItem,
  MAX_STATE_BYTES,
  type NotifyItem,
  notifyItemKey,
} from '../../../src/notify/notifyStateItem.js';
import { targetKey } from '../../../src/notify/reportDigest.js';
import { emptyState, type NotifyState, NotifyStateError } from '../../../src/notify/stateStore.js';
import { chooseStateStore } from '../../../src/notify/stateStoreChoice.js';
import { recordingLogger } from '../../support/harness.js';

const A: Target = { partition: 'aws', accountId: '111111111111', region: 'us-east-1' };
const B: Target = { partition: 'aws', accountId: '222222222222', region: 'eu-west-1' };
const AT = 1_800_000_000_000;

const ticket = (fp: string) => ({
  fingerprint: fp,
  id: `T-${fp}`,
  url: `https://t.example/${fp}`,
  stateHash: 'ab',
});
const stateOf = (target: Target, keys: string[], fps: string[]): NotifyState => ({
  version: 1,
  slack: { [targetKey(target)]: { digest: `d-${keys.length}`, keys, notices: ['change-cap-exceeded'] } },
  tickets: Object.fromEntries(fps.map((fp) => [fp, ticket(fp)])),
});
const withBody = (item: NotifyItem, body: Uint8Array): NotifyItem => ({ ...item, state: { B: body } });

describe('notification state item', () => {
  it('is keyed and typed per target, next to the lease and history items', () => {
    const item = encodeNotifyItem(A, stateOf(A, ['k'], ['f1']), 3, AT);
    expect(notifyItemKey(A)).toBe('notify#111111111111/us-east-1');
    expect(item).toMatchObject({
      pk: { S: 'notify#111111111111/us-east-1' },
      recordType: { S: 'notify' },
      partition: { S: 'aws' },
      stateVersion: { N: '3' },
      updatedAt: { N: String(AT) },
    });
    expect(item.state?.B).toBeInstanceOf(Uint8Array);
  });

  it("round-trips the target's Slack report and tickets, with the version written", () => {
    const state = stateOf(A, ['arn:q\tsqs-dead-letter-queue\tdrift'], ['f1', 'f2']);
    expect(decodeNotifyItem(A, encodeNotifyItem(A, state, 7, AT))).toEqual({ version: 7, state });
    expect(decodeNotifyItem(A, encodeNotifyItem(A, emptyState(), 1, AT))).toEqual({
      version: 1,
      state: emptyState(),
    });
  });

  it("writes only the target's own Slack entry, never another target's", () => {
    const both: NotifyState = {
      ...stateOf(A, ['a-key'], ['f1']),
      slack: { ...stateOf(A, ['a-key'], []).slack, ...stateOf(B, ['b-key'], []).slack },
    };
    const decoded = decodeNotifyItem(A, encodeNotifyItem(A, both, 1, AT));
    if (!('state' in decoded)) throw new Error(decoded.invalid);
    expect(Object.keys(decoded.state.slack)).toEqual([targetKey(A)]);
  });

  it.each([
    [
      'a body that is not gzip',
      (i: NotifyItem) => withBody(i, Buffer.from('{"tickets":{}}')),
      4,
      'state not gzip',
    ],
    [
      'gzip JSON of another shape',
      (i: NotifyItem) => withBody(i, gzipSync('{"tickets":{"f":{"id":1}}}')),
      4,
      'state not gzip',
    ],
    ['no state attribute', ({ state: _s, ...rest }: NotifyItem) => rest, 4, 'state missing'],
    ['another record type', (i: NotifyItem) => ({ ...i, recordType: { S: 'lease' } }), 4, 'recordType'],
    ['a negative version', (i: NotifyItem) => ({ ...i, stateVersion: { N: '-2' } }), 0, 'stateVersion'],
  ])(
    'reads %s as invalid, keeping its version so the next write replaces it',
    (_name, spoil, version, why) => {
      const decoded = decodeNotifyItem(A, spoil(encodeNotifyItem(A, stateOf(A, ['k'], ['f']), 4, AT)));
      expect(decoded).toMatchObject({ version, invalid: expect.stringContaining(why) });
    },
  );

  it('refuses a state over the item budget with a clear error, before any write', () => {
    // Hash-like keys hardly compress: 20,000 of them (about 1.3 MB) pass the budget.
    const keys = Array.from({ length: 20_000 }, (_, i) =>
      createHash('sha256').update(String(i)).digest('hex'),
    );
    const big = stateOf(A, keys, []);
    expect(() => encodeNotifyItem(A, big, 1, AT)).toThrow(NotifyStateError);
    expect(() => encodeNotifyItem(A, big, 1, AT)).toThrow(
      new RegExp(`notify#111111111111/us-east-1 is \\d+ bytes compressed, over the ${MAX_STATE_BYTES}-byte`),
    );
  });
});

describe('chooseStateStore', () => {
  const { logger } = recordingLogger();
  const stateTable = { dynamodb: {} as never, table: 'edaguard-state' };
  it.each([
    ['the table, over a state file', { stateFile: '/var/lib/e/n.json' }, { stateTable }, 'table'],
    ['the file without a table', { stateFile: '/var/lib/e/n.json' }, {}, 'file'],
    ['memory with neither', {}, {}, 'memory'],
  ] as const)('uses %s', (_name, config, choice, kind) => {
    expect(chooseStateStore(config, logger, choice).kind).toBe(kind);
  });
});
