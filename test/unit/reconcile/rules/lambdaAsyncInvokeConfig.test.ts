import { describe, expect, it } from 'vitest';
import type { EventInvokeConfigFacts, FunctionFacts } from '../../../../src/discovery/inventory.js';
import { LambdaAsyncInvokeConfigSettings, type RuleSettings } from '../../../../src/policy/ruleSettings.js';
import type { EventInvokeConfig } from '../../../../src/reconcile/model.js';
import { planAsyncInvokeConfig } from '../../../../src/reconcile/rules/lambdaAsyncInvokeConfig.js';
import { arnOf } from '../../fixtures.js';
import {
  FAILURE_SUFFIX,
  failureQueueCandidate,
  lambdaFunction,
  lambdaInventory,
  snsTopicArn,
} from '../../lambdaFixtures.js';

type Settings = RuleSettings['lambda-async-invoke-config'];
const settings = (input: Record<string, unknown>): Settings => LambdaAsyncInvokeConfigSettings.parse(input);

const DEST = arnOf('central-failures');
const OTHER_DEST = arnOf('team-own-failures');
const ON_SUCCESS = 'arn:aws:events:us-east-1:123456789012:event-bus/audit';
const TOPIC = snsTopicArn('orders-events');
const FAILURE_QUEUE = `orders-fn${FAILURE_SUFFIX}`;

/** At most 1 retry and 1 h, failures to DEST, for async-invoked functions. */
const TO_DEST = settings({
  maxRetryAttempts: 1,
  maxEventAgeSeconds: 3_600,
  onFailure: { destinationArn: DEST },
});
const CREATING = settings({
  maxRetryAttempts: 1,
  maxEventAgeSeconds: 3_600,
  onFailure: { create: { nameSuffix: FAILURE_SUFFIX } },
});
const REPORTING = settings({ maxRetryAttempts: 1, maxEventAgeSeconds: 3_600 });
const POLICY_TODO = 'give the policy an onFailure destination (destinationArn, or create)';

const config = (c: Partial<EventInvokeConfigFacts> = {}): EventInvokeConfigFacts => ({
  maximumRetryAttempts: 1,
  maximumEventAgeInSeconds: 3_600,
  onFailureDestination: DEST,
  ...c,
});

/** An SNS-invoked function with the given event-invoke config (null: none; undefined: not read). */
const invoked = (
  eventInvokeConfig: EventInvokeConfigFacts | null | undefined,
  overrides: Partial<FunctionFacts> = {},
) =>
  lambdaFunction('orders-fn', {
    asyncInvokers: [TOPIC],
    ...(eventInvokeConfig === undefined ? {} : { eventInvokeConfig }),
    ...overrides,
  });

const verdictOf = (fn: FunctionFacts, s: Settings = TO_DEST, inv = lambdaInventory({ functions: [fn] })) =>
  planAsyncInvokeConfig(fn, s, inv);

const put = (fn: FunctionFacts, c: EventInvokeConfig) => ({
  kind: 'PutFunctionEventInvokeConfig' as const,
  functionArn: fn.arn,
  config: c,
});

describe('planAsyncInvokeConfig: which functions', () => {
  it.each([
    { name: 'has none', eventInvokeConfig: null },
    { name: 'was not read', eventInvokeConfig: undefined },
    {
      name: 'is unbounded',
      eventInvokeConfig: config({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 }),
    },
  ])('async-invoked, no async caller → skipped whatever its config ($name)', ({ eventInvokeConfig }) => {
    const fn = invoked(eventInvokeConfig, { asyncInvokers: [] });
    expect(verdictOf(fn)).toStrictEqual({
      status: 'skipped',
      observed: null,
      desired: null,
      message: 'not invoked asynchronously (no SNS, EventBridge or S3 caller)',
    });
  });

  it('all-selected, no async caller → evaluated, and the message says it was selected', () => {
    const s = settings({ appliesTo: 'all-selected', onFailure: { destinationArn: DEST } });
    const fn = invoked(null, { asyncInvokers: [] });
    const verdict = verdictOf(fn, s);
    expect(verdict?.status).toBe('drift');
    expect(verdict?.message).toBe(
      'selected: failed events are retried up to 2 times over 21600 s and then dropped',
    );
  });

  it('the appliesTo default is async-invoked', () => {
    expect(settings({}).appliesTo).toBe('async-invoked');
  });

  it('several callers are all named', () => {
    const bucket = 'arn:aws:s3:::orders-uploads';
    const fn = invoked(config(), { asyncInvokers: [TOPIC, bucket] });
    expect(verdictOf(fn)?.message).toBe(
      `invoked by ${TOPIC}, ${bucket}; bounded retries and age, failures go to ${DEST}`,
    );
  });

  it('an event-invoke config that was not read → no verdict (the read error is reported instead)', () => {
    expect(verdictOf(invoked(undefined))).toBeUndefined();
  });
});

describe('planAsyncInvokeConfig: no config (AWS defaults: 2 retries, 21600 s)', () => {
  it('Put with the whole config', () => {
    const fn = invoked(null);
    expect(verdictOf(fn)).toStrictEqual({
      status: 'drift',
      observed: {
        configured: false,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 21_600,
        onFailureDestination: null,
      },
      desired: {
        configured: true,
        maximumRetryAttempts: 1,
        maximumEventAgeInSeconds: 3_600,
        onFailureDestination: DEST,
      },
      message: `invoked by ${TOPIC}: failed events are retried up to 2 times over 21600 s and then dropped`,
      actions: [
        put(fn, {
          MaximumRetryAttempts: 1,
          MaximumEventAgeInSeconds: 3_600,
          DestinationConfig: { OnFailure: { Destination: DEST } },
        }),
      ],
    });
  });

  it('with the loosest policy (2 retries, 21600 s) only the destination changes, and the Put still sends everything', () => {
    const s = settings({
      maxRetryAttempts: 2,
      maxEventAgeSeconds: 21_600,
      onFailure: { destinationArn: DEST },
    });
    const fn = invoked(null);
    expect(verdictOf(fn, s)?.actions).toStrictEqual([
      put(fn, {
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21_600,
        DestinationConfig: { OnFailure: { Destination: DEST } },
      }),
    ]);
  });
});

describe('planAsyncInvokeConfig: retries and age', () => {
  it.each([
    { observed: 2, expected: 1, why: 'above the max' },
    { observed: 1, expected: 1, why: 'at the max' },
    { observed: 0, expected: 0, why: 'below the max' },
  ])('MaximumRetryAttempts $observed ($why, max 1) → $expected', ({ observed, expected }) => {
    const fn = invoked(config({ maximumRetryAttempts: observed }));
    const verdict = verdictOf(fn);
    expect(verdict?.desired).toMatchObject({ maximumRetryAttempts: expected });
    if (observed === expected) {
      expect(verdict?.status).toBe('pass');
      expect(verdict?.actions).toBeUndefined();
    } else {
      expect(verdict?.status).toBe('drift');
      expect(verdict?.actions).toStrictEqual([
        put(fn, {
          MaximumRetryAttempts: expected,
          MaximumEventAgeInSeconds: 3_600,
          DestinationConfig: { OnFailure: { Destination: DEST } },
        }),
      ]);
    }
  });

  it.each([
    { max: 3_600, observed: 21_600, expected: 3_600 },
    { max: 3_600, observed: 3_601, expected: 3_600 },
    { max: 3_600, observed: 3_600, expected: 3_600 },
    { max: 3_600, observed: 60, expected: 60 },
    { max: 60, observed: 61, expected: 60 },
    { max: 60, observed: 60, expected: 60 },
    { max: 60, observed: 21_600, expected: 60 },
    { max: 21_600, observed: 21_600, expected: 21_600 },
    { max: 21_600, observed: 60, expected: 60 },
  ])('MaximumEventAgeInSeconds $observed with max $max → $expected', ({ max, observed, expected }) => {
    const s = settings({ maxRetryAttempts: 1, maxEventAgeSeconds: max, onFailure: { destinationArn: DEST } });
    const fn = invoked(config({ maximumEventAgeInSeconds: observed }));
    const verdict = verdictOf(fn, s);
    expect(verdict?.desired).toMatchObject({ maximumEventAgeInSeconds: expected });
    expect(verdict?.status).toBe(observed === expected ? 'pass' : 'drift');
    if (observed !== expected) {
      expect(verdict?.actions).toStrictEqual([
        put(fn, {
          MaximumRetryAttempts: 1,
          MaximumEventAgeInSeconds: expected,
          DestinationConfig: { OnFailure: { Destination: DEST } },
        }),
      ]);
    }
  });
});

describe('planAsyncInvokeConfig: destinations', () => {
  it('an OnSuccess destination is sent back unchanged in the Put', () => {
    const fn = invoked(config({ onFailureDestination: undefined, onSuccessDestination: ON_SUCCESS }));
    expect(verdictOf(fn)?.actions).toStrictEqual([
      put(fn, {
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: DEST }, OnSuccess: { Destination: ON_SUCCESS } },
      }),
    ]);
  });

  it('no OnFailure can be set: no Put at all (retries are not lowered, the OnSuccess destination is untouched); a ticket', () => {
    const fn = invoked(
      config({ onFailureDestination: undefined, onSuccessDestination: ON_SUCCESS, maximumRetryAttempts: 2 }),
    );
    expect(verdictOf(fn, REPORTING)).toStrictEqual({
      status: 'ticket',
      observed: {
        configured: true,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 3_600,
        onFailureDestination: null,
      },
      desired: {
        configured: true,
        maximumRetryAttempts: 1,
        maximumEventAgeInSeconds: 3_600,
        onFailureDestination: 'an SQS queue',
      },
      message: `invoked by ${TOPIC}: failed events are retried up to 2 times over 3600 s and then dropped; MaximumRetryAttempts not lowered: past the limit a failing event is given up on, and with no on-failure destination it is lost without a trace (no on-failure destination: the policy sets no onFailure destination: ${POLICY_TODO})`,
    });
  });

  it('no config and no destination: no Put of lower limits, a ticket naming both', () => {
    const verdict = verdictOf(invoked(null), REPORTING);
    expect(verdict?.status).toBe('ticket');
    expect(verdict?.actions).toBeUndefined();
    expect(verdict?.message).toContain('MaximumRetryAttempts, MaximumEventAgeInSeconds not lowered');
  });

  it.each([
    { name: 'destinationArn', s: TO_DEST },
    { name: 'create', s: CREATING },
    { name: 'no onFailure', s: REPORTING },
  ])('an existing OnFailure is kept, whatever the policy says ($name)', ({ s }) => {
    const fn = invoked(
      config({ onFailureDestination: OTHER_DEST, onSuccessDestination: ON_SUCCESS, maximumRetryAttempts: 2 }),
    );
    const verdict = verdictOf(fn, s);
    expect(verdict?.desired).toMatchObject({ onFailureDestination: OTHER_DEST });
    expect(verdict?.actions).toStrictEqual([
      put(fn, {
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: OTHER_DEST }, OnSuccess: { Destination: ON_SUCCESS } },
      }),
    ]);
    expect(verdict?.message).toBe(`invoked by ${TOPIC}: failed events are retried up to 2 times over 3600 s`);
    expect(verdictOf(invoked(config({ onFailureDestination: OTHER_DEST })), s)?.status).toBe('pass');
  });

  it('create, no queue of that name → CreateQueue then Put', () => {
    const fn = invoked(null);
    const verdict = verdictOf(fn, CREATING);
    expect(verdict?.status).toBe('drift');
    expect(verdict?.actions).toStrictEqual([
      {
        kind: 'CreateQueue',
        queueArn: arnOf(FAILURE_QUEUE),
        queueName: FAILURE_QUEUE,
        attributes: { MessageRetentionPeriod: '1209600' },
        tags: { 'edaguard.dev/managed-by': 'edaguard', 'edaguard.dev/failure-destination-for': fn.arn },
      },
      put(fn, {
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: arnOf(FAILURE_QUEUE) } },
      }),
    ]);
  });

  it('create, a queue of that name that edaguard created → adopted with the Put only', () => {
    const fn = invoked(config({ onFailureDestination: undefined }));
    const inv = lambdaInventory({
      functions: [fn],
      candidates: [failureQueueCandidate(FAILURE_QUEUE, 'managed')],
    });
    expect(verdictOf(fn, CREATING, inv)?.actions).toStrictEqual([
      put(fn, {
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: arnOf(FAILURE_QUEUE) } },
      }),
    ]);
  });

  const unmanagedWhy = `no on-failure destination: a queue named ${FAILURE_QUEUE} exists but edaguard did not create it: set onFailure.destinationArn to it, or tag it edaguard.dev/managed-by=edaguard`;

  it('create, an unmanaged queue of that name, nothing else to fix → ticket, no actions', () => {
    const fn = invoked(config({ onFailureDestination: undefined }));
    const inv = lambdaInventory({
      functions: [fn],
      candidates: [failureQueueCandidate(FAILURE_QUEUE, 'unmanaged')],
    });
    expect(verdictOf(fn, CREATING, inv)).toStrictEqual({
      status: 'ticket',
      observed: {
        configured: true,
        maximumRetryAttempts: 1,
        maximumEventAgeInSeconds: 3_600,
        onFailureDestination: null,
      },
      desired: {
        configured: true,
        maximumRetryAttempts: 1,
        maximumEventAgeInSeconds: 3_600,
        onFailureDestination: 'an SQS queue',
      },
      message: `invoked by ${TOPIC}; ${unmanagedWhy}`,
    });
  });

  it('create, an unmanaged queue of that name, retries too high → a ticket, no Put; the reason in the message', () => {
    const fn = invoked(null);
    const inv = lambdaInventory({
      functions: [fn],
      candidates: [failureQueueCandidate(FAILURE_QUEUE, 'unmanaged')],
    });
    const verdict = verdictOf(fn, CREATING, inv);
    expect(verdict?.status).toBe('ticket');
    expect(verdict?.message).toBe(
      `invoked by ${TOPIC}: failed events are retried up to 2 times over 21600 s and then dropped; MaximumRetryAttempts, MaximumEventAgeInSeconds not lowered: past the limit a failing event is given up on, and with no on-failure destination it is lost without a trace (${unmanagedWhy})`,
    );
    expect(verdict?.actions).toBeUndefined();
  });

  it('no onFailure in the policy, bounded config without destination → drift with no action', () => {
    const fn = invoked(config({ onFailureDestination: undefined }));
    const verdict = verdictOf(fn, REPORTING);
    expect(verdict).toMatchObject({
      status: 'drift',
      message: `invoked by ${TOPIC}; no on-failure destination: the policy sets no onFailure destination: ${POLICY_TODO}`,
    });
    expect(verdict?.actions).toBeUndefined();
  });
});

describe('planAsyncInvokeConfig: never a lower limit without somewhere for the failures to go', () => {
  const causes = [
    { name: 'no onFailure in the policy', s: REPORTING, inv: {}, status: 'ticket' },
    {
      name: 'an unmanaged queue of that name',
      s: CREATING,
      inv: { candidates: [failureQueueCandidate(FAILURE_QUEUE, 'unmanaged')] },
      status: 'ticket',
    },
    {
      name: 'an invalid queue name',
      s: settings({
        maxRetryAttempts: 1,
        maxEventAgeSeconds: 3_600,
        onFailure: { create: { nameSuffix: `-${'x'.repeat(39)}` } },
      }),
      inv: {},
      status: 'ticket',
    },
    { name: 'the name not checked', s: CREATING, inv: { failureSuffixes: [] }, status: 'drift' },
  ] as const;

  it.each(causes)('$name: no Put, whatever the config holds → $status', (c) => {
    for (const eventInvokeConfig of [
      null,
      config({ onFailureDestination: undefined, maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 }),
      config({ onFailureDestination: undefined, onSuccessDestination: ON_SUCCESS, maximumRetryAttempts: 2 }),
    ]) {
      const name = c.name === 'an invalid queue name' ? 'f'.repeat(64) : 'orders-fn';
      const fn = lambdaFunction(name, { asyncInvokers: [TOPIC], eventInvokeConfig });
      const verdict = verdictOf(fn, c.s, lambdaInventory({ functions: [fn], ...c.inv }));
      expect(verdict?.status).toBe(c.status);
      expect(verdict?.actions).toBeUndefined();
      expect(verdict?.message).toContain(' not lowered: past the limit a failing event is given up on');
    }
  });

  it('with the function’s own OnFailure, a policy without onFailure still lowers the limits (the Put keeps it)', () => {
    const fn = invoked(config({ onFailureDestination: OTHER_DEST, maximumRetryAttempts: 2 }));
    expect(verdictOf(fn, REPORTING)?.actions).toStrictEqual([
      put(fn, {
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: OTHER_DEST } },
      }),
    ]);
  });
});

describe('planAsyncInvokeConfig: compliant', () => {
  it('bounded retries and age and an OnFailure → pass, desired = observed', () => {
    const fn = invoked(config({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 }));
    const observed = {
      configured: true,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
      onFailureDestination: DEST,
    };
    expect(verdictOf(fn)).toStrictEqual({
      status: 'pass',
      observed,
      desired: observed,
      message: `invoked by ${TOPIC}; bounded retries and age, failures go to ${DEST}`,
    });
  });
});
