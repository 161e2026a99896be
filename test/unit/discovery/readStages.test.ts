/**
 * The read plan's per-resource stages: from the policies and what the earlier reads answered,
 * which resources the next reads are for. Pure: no client, no server.
 */
import { describe, expect, it } from 'vitest';
import type { FunctionFacts, QueueFacts } from '../../../src/discovery/inventory.js';
import {
  dlqArnsToRead,
  functionsNeedingInvokeConfig,
  mappingsNeedingStreamRetention,
  queueNamesToLookUp,
  queuesToCheckForDeadLetterSources,
} from '../../../src/discovery/readPlan.js';
import { selectionOf } from '../../../src/discovery/selection.js';
import { arnOf, policy, policySet, queue, redriving } from '../fixtures.js';
import { FAILURE_SUFFIX, functionArn, lambdaFunction, mapping } from '../lambdaFixtures.js';

const byArn = <T extends { arn: string }>(...items: T[]) => new Map(items.map((i) => [i.arn, i]));

describe('dlqArnsToRead: the DLQs named by queues read so far and not read yet', () => {
  it.each<[string, QueueFacts[], string[]]>([
    ['no redrive policy: nothing', [queue('a')], []],
    ['a DLQ not read yet', [redriving('a', 'a-dlq')], [arnOf('a-dlq')]],
    ['a DLQ already read (also selected)', [redriving('a', 'a-dlq'), queue('a-dlq')], []],
    [
      'two queues sharing a DLQ: read once',
      [redriving('a', 'shared'), redriving('b', 'shared')],
      [arnOf('shared')],
    ],
  ])('%s', (_label, queues, expected) => {
    expect(dlqArnsToRead(byArn(...queues))).toEqual(expected);
  });
});

describe('queuesToCheckForDeadLetterSources: selected queues that may need a new DLQ', () => {
  const selected = new Set([arnOf('a'), arnOf('b'), arnOf('c'), arnOf('d')]);
  it.each<[string, QueueFacts, Map<string, string[]>, Set<string>, boolean]>([
    ['no DLQ, not a known DLQ: checked', queue('a'), new Map(), new Set(), true],
    [
      'already known as a DLQ (tags or a redrive policy): not checked',
      queue('a'),
      new Map([[arnOf('a'), [arnOf('x')]]]),
      new Set(),
      false,
    ],
    ['a DLQ that exists: not checked', redriving('b', 'b-dlq'), new Map(), new Set(), false],
    ['a DLQ that is missing: checked', redriving('c', 'gone'), new Map(), new Set([arnOf('gone')]), true],
    ['not selected (a DLQ read for its source): not checked', queue('other'), new Map(), new Set(), false],
  ])('%s', (_label, q, sources, missing, expected) => {
    const found = queuesToCheckForDeadLetterSources(byArn(q), selected, sources, missing);
    expect(found.map((f) => f.arn)).toEqual(expected ? [q.arn] : []);
  });
});

const asyncRule = (appliesTo: 'all-selected' | 'async-invoked', onFailure?: unknown) =>
  policy({
    name: `async-${appliesTo}`,
    match: { team: 'a' },
    rules: { 'lambda-async-invoke-config': { appliesTo, ...(onFailure ? { onFailure } : {}) } },
  });
const streamRule = (onFailure?: unknown) =>
  policy({
    name: 'stream',
    match: { team: 'a' },
    rules: { 'esm-stream-failure-handling': { ...(onFailure ? { onFailure } : {}) } },
  });

describe('functionsNeedingInvokeConfig: one GetFunctionEventInvokeConfig per function the async rule governs', () => {
  const invoked = lambdaFunction('invoked', {
    tags: { team: 'a' },
    asyncInvokers: ['arn:aws:sns:us-east-1:1:t'],
  });
  const quiet = lambdaFunction('quiet', { tags: { team: 'a' } });
  const otherTeam = lambdaFunction('other', {
    tags: { team: 'b' },
    asyncInvokers: ['arn:aws:sns:us-east-1:1:t'],
  });
  const consumerOnly = lambdaFunction('consumer', { tags: { team: 'a' } });
  const functions = byArn(invoked, quiet, otherTeam, consumerOnly);
  const selected = new Set([invoked.arn, quiet.arn, otherTeam.arn]);
  it.each<[string, ReturnType<typeof policy>[], FunctionFacts[]]>([
    ['async-invoked: only functions with an async caller', [asyncRule('async-invoked')], [invoked]],
    [
      'all-selected: every selected function the policy selects',
      [asyncRule('all-selected')],
      [invoked, quiet],
    ],
    ['no async rule: none', [streamRule()], []],
  ])('%s', (_label, policies, expected) => {
    expect(functionsNeedingInvokeConfig(policies, functions, selected)).toEqual(expected);
  });
});

describe('mappingsNeedingStreamRetention: mappings of selected functions the stream rule governs', () => {
  const governed = mapping('k1', { fn: 'orders-fn' });
  const unselected = mapping('k2', { fn: 'elsewhere-fn' });
  const tags = new Map([[functionArn('orders-fn'), { team: 'a' }]]);
  it('the stream rule selects the function: its mappings; a function not selected: none', () => {
    expect(mappingsNeedingStreamRetention([streamRule()], [governed, unselected], tags)).toEqual([governed]);
  });
  it('no stream rule: none', () => {
    expect(mappingsNeedingStreamRetention([asyncRule('all-selected')], [governed], tags)).toEqual([]);
  });
});

describe('queueNamesToLookUp: what exists under the names edaguard may create', () => {
  const base = {
    policies: [] as ReturnType<typeof policy>[],
    dlqSuffixes: ['-dlq'],
    needingDlq: [] as QueueFacts[],
    deadLetterSources: new Map<string, string[]>(),
    functions: new Map<string, FunctionFacts>(),
    selectedFunctionArns: new Set<string>(),
    mappings: [],
  };
  it('a DLQ name per suffix for each queue that may need one, FIFO kept FIFO', () => {
    const names = queueNamesToLookUp({
      ...base,
      dlqSuffixes: ['-dlq', '_failed'],
      needingDlq: [queue('orders'), queue('events.fifo')],
    });
    expect(names.sort()).toEqual(['events-dlq.fifo', 'events_failed.fifo', 'orders-dlq', 'orders_failed']);
  });

  it('a queue found to be a DLQ itself (ListDeadLetterSourceQueues answered) gets none; invalid names are dropped', () => {
    const names = queueNamesToLookUp({
      ...base,
      needingDlq: [queue('is-a-dlq'), queue(`${'x'.repeat(78)}`)],
      deadLetterSources: new Map([[arnOf('is-a-dlq'), [arnOf('src')]]]),
    });
    expect(names).toEqual([]);
  });

  it('on-failure queues: for a stream mapping with no destination, and an async function whose config has none (or none at all)', () => {
    const create = { create: { nameSuffix: FAILURE_SUFFIX } };
    const streamFn = lambdaFunction('streamer', { tags: { team: 'a' } });
    const noConfig = lambdaFunction('no-config', { tags: { team: 'a' }, eventInvokeConfig: null });
    const notRead = lambdaFunction('not-read', { tags: { team: 'a' } });
    const withDestination = lambdaFunction('has-dest', {
      tags: { team: 'a' },
      eventInvokeConfig: {
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: 60,
        onFailureDestination: arnOf('q'),
      },
    });
    const functions = byArn(streamFn, noConfig, notRead, withDestination);
    const names = queueNamesToLookUp({
      ...base,
      policies: [streamRule(create), asyncRule('all-selected', create)],
      functions,
      selectedFunctionArns: new Set(functions.keys()),
      mappings: [
        mapping('s', { fn: 'streamer' }),
        mapping('d', { fn: 'has-dest', onFailureDestination: arnOf('q') }),
      ],
    });
    expect(names.sort()).toEqual([`no-config${FAILURE_SUFFIX}`, `streamer${FAILURE_SUFFIX}`]);
  });
});

describe('selectionOf: the tag answers → what the policies select', () => {
  const set = policySet(policy({ name: 'q', match: { team: 'a' }, rules: { 'sqs-dlq-retention': {} } }));
  it('deduplicates across queries, keeps only selected resources as selected, and takes the target from an ARN', () => {
    const a = { arn: arnOf('a'), tags: { team: 'a' } };
    const b = { arn: arnOf('b'), tags: { team: 'b' } };
    const selection = selectionOf(
      set.policies,
      { selector: [[a, b], [a]], ignored: [], managed: [] },
      'eu-west-1',
    );
    expect(selection.tagged.map((r) => r.arn)).toEqual([a.arn, b.arn]);
    expect(selection.selected.map((r) => r.arn)).toEqual([a.arn]);
    expect(selection.target).toEqual({ partition: 'aws', accountId: '123456789012', region: 'us-east-1' });
  });
  it('nothing found: the target is unknown, in the configured region', () => {
    const selection = selectionOf(set.policies, { selector: [], ignored: [], managed: [] }, 'eu-west-1');
    expect(selection.target).toEqual({ partition: 'aws', accountId: 'unknown', region: 'eu-west-1' });
  });
});
