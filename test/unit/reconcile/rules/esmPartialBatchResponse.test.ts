import { describe, expect, it } from 'vitest';
import type { MappingSourceKind } from '../../../../src/discovery/inventory.js';
import { EsmPartialBatchResponseSettings, type RuleSettings } from '../../../../src/policy/ruleSettings.js';
import {
  isBatchMapping,
  planPartialBatchResponse,
} from '../../../../src/reconcile/rules/esmPartialBatchResponse.js';
import { lambdaFunction, mapping } from '../../lambdaFixtures.js';

type Settings = RuleSettings['esm-partial-batch-response'];
const settings = (input: Record<string, unknown>): Settings => EsmPartialBatchResponseSettings.parse(input);

const DEFAULTS = settings({});
const OPT_IN = { 'edaguard.dev/partial-batch': 'supported' };
const REPORT = 'ReportBatchItemFailures';

const optedIn = lambdaFunction('orders-fn', { tags: { team: 'orders', ...OPT_IN } });
const notOptedIn = lambdaFunction('orders-fn', { tags: { team: 'orders' } });

describe('isBatchMapping', () => {
  it.each<[MappingSourceKind, boolean]>([
    ['sqs', true],
    ['kinesis', true],
    ['dynamodb', true],
    ['other', false],
  ])('%s → %s', (sourceKind, expected) => {
    expect(isBatchMapping(mapping('m', { sourceKind }))).toBe(expected);
  });
});

describe('planPartialBatchResponse', () => {
  it('the default opt-in tag is edaguard.dev/partial-batch=supported', () => {
    expect(DEFAULTS.optInTag).toStrictEqual(OPT_IN);
  });

  it.each([
    { name: 'opted in', fn: optedIn },
    { name: 'not opted in', fn: notOptedIn },
  ])('already reporting batch item failures → pass, whatever the tag ($name)', ({ fn }) => {
    const m = mapping('m', { sourceKind: 'sqs', functionResponseTypes: [REPORT] });
    expect(planPartialBatchResponse(m, fn, DEFAULTS)).toStrictEqual({
      status: 'pass',
      observed: { functionResponseTypes: [REPORT] },
      desired: { functionResponseTypes: [REPORT] },
      message: 'reports batch item failures',
    });
  });

  it.each<MappingSourceKind>(['sqs', 'kinesis', 'dynamodb'])(
    'off on a %s mapping, function opted in → drift with UpdateEventSourceMapping FunctionResponseTypes',
    (sourceKind) => {
      const m = mapping('m-1', { sourceKind });
      expect(planPartialBatchResponse(m, optedIn, DEFAULTS)).toStrictEqual({
        status: 'drift',
        observed: { functionResponseTypes: [] },
        desired: { functionResponseTypes: [REPORT] },
        message:
          'one failed record retries its whole batch; orders-fn opted in (edaguard.dev/partial-batch=supported): turn on ReportBatchItemFailures',
        actions: [
          {
            kind: 'UpdateEventSourceMapping',
            mappingUuid: 'm-1',
            mappingArn: m.arn,
            changes: { FunctionResponseTypes: [REPORT] },
          },
        ],
      });
    },
  );

  it.each<{ name: string; tags: Record<string, string> }>([
    { name: 'missing', tags: { team: 'orders' } },
    { name: 'another value', tags: { 'edaguard.dev/partial-batch': 'yes' } },
    { name: 'another case', tags: { 'edaguard.dev/partial-batch': 'Supported' } },
    { name: 'empty', tags: { 'edaguard.dev/partial-batch': '' } },
    { name: 'the value under another key', tags: { 'edaguard.dev/partial_batch': 'supported' } },
  ])('off, opt-in tag $name → ticket with no actions, naming the tag', ({ tags }) => {
    const fn = lambdaFunction('orders-fn', { tags });
    const verdict = planPartialBatchResponse(mapping('m', { sourceKind: 'sqs' }), fn, DEFAULTS);
    expect(verdict).toStrictEqual({
      status: 'ticket',
      observed: { functionResponseTypes: [] },
      desired: { functionResponseTypes: [REPORT] },
      message:
        'orders-fn does not report batch item failures: return { batchItemFailures } from the handler, then tag the function edaguard.dev/partial-batch=supported and edaguard turns it on',
    });
  });

  describe('a custom optInTag', () => {
    const CUSTOM = settings({ optInTag: { 'acme/batch-failures': 'on' } });

    it.each([
      { name: 'the custom tag', tags: { 'acme/batch-failures': 'on' }, status: 'drift' },
      { name: 'only the default tag', tags: OPT_IN, status: 'ticket' },
      { name: 'the custom key with another value', tags: { 'acme/batch-failures': 'off' }, status: 'ticket' },
    ] as const)('a function with $name → $status', ({ tags, status }) => {
      const fn = lambdaFunction('orders-fn', { tags });
      const verdict = planPartialBatchResponse(mapping('m', { sourceKind: 'sqs' }), fn, CUSTOM);
      expect(verdict.status).toBe(status);
      if (status === 'ticket') {
        expect(verdict.actions).toBeUndefined();
        expect(verdict.message).toContain('tag the function acme/batch-failures=on');
      } else {
        expect(verdict.message).toContain('opted in (acme/batch-failures=on)');
        expect(verdict.actions).toHaveLength(1);
      }
    });
  });

  it('keeps the other response types in the desired state, and sends only the one it turns on', () => {
    const m = mapping('m', { sourceKind: 'kinesis', functionResponseTypes: ['SomethingElse'] });
    const verdict = planPartialBatchResponse(m, optedIn, DEFAULTS);
    expect(verdict.desired).toStrictEqual({ functionResponseTypes: ['SomethingElse', REPORT] });
    expect(verdict.actions?.[0]).toMatchObject({ changes: { FunctionResponseTypes: [REPORT] } });
  });

  it.each(['Creating', 'Updating', 'Enabling', 'Disabling', 'Deleting'])(
    'an opted-in function’s mapping that is %s → busy, no actions',
    (state) => {
      const m = mapping('m', { sourceKind: 'sqs', state });
      expect(planPartialBatchResponse(m, optedIn, DEFAULTS)).toStrictEqual({
        status: 'busy',
        observed: { functionResponseTypes: [] },
        desired: { functionResponseTypes: [REPORT] },
        message: `mapping is ${state}: looked at again next cycle`,
      });
    },
  );

  it('a busy mapping of a function that has not opted in is still a ticket: a person acts first', () => {
    const m = mapping('m', { sourceKind: 'sqs', state: 'Updating' });
    const verdict = planPartialBatchResponse(m, notOptedIn, DEFAULTS);
    expect(verdict.status).toBe('ticket');
    expect(verdict.actions).toBeUndefined();
  });

  it.each(['Enabled', 'Disabled'])('an opted-in function’s mapping that is %s is fixed', (state) => {
    const verdict = planPartialBatchResponse(mapping('m', { sourceKind: 'sqs', state }), optedIn, DEFAULTS);
    expect(verdict.status).toBe('drift');
    expect(verdict.actions?.map((a) => a.kind)).toEqual(['UpdateEventSourceMapping']);
  });
});
