import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { MappingSourceKind } from '../../../src/discovery/inventory.js';
import { mappingSourceKind, toMappingFacts } from '../../../src/discovery/lambda.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:orders-fn';
const STREAM = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders-failures';
const UUID = '6b1f7c2e-0000-4000-8000-000000000001';
const MAPPING_ARN = `arn:aws:lambda:us-east-1:123456789012:event-source-mapping:${UUID}`;

/** A mapping as ListEventSourceMappings returns it for a freshly created Kinesis trigger. */
const raw = (overrides: Partial<EventSourceMappingConfiguration> = {}): EventSourceMappingConfiguration => ({
  UUID,
  EventSourceMappingArn: MAPPING_ARN,
  FunctionArn: FN,
  EventSourceArn: STREAM,
  State: 'Enabled',
  ...overrides,
});

describe('mappingSourceKind', () => {
  it.each<[string, MappingSourceKind]>([
    ['arn:aws:sqs:us-east-1:123456789012:orders', 'sqs'],
    ['arn:aws:sqs:us-east-1:123456789012:orders.fifo', 'sqs'],
    ['arn:aws-cn:sqs:cn-north-1:123456789012:orders', 'sqs'],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/orders', 'kinesis'],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/fanout:1700000000', 'kinesis'],
    ['arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2025-01-01T00:00:00.000', 'dynamodb'],
    ['arn:aws:dynamodb:us-east-1:123456789012:table/orders', 'other'],
    ['arn:aws:kafka:us-east-1:123456789012:cluster/events/abcd-1234', 'other'],
    ['arn:aws:mq:us-east-1:123456789012:broker:orders:b-1234', 'other'],
  ])('%s → %s', (arn, expected) => {
    expect(mappingSourceKind(arn)).toBe(expected);
  });
});

describe('toMappingFacts', () => {
  it('a freshly created stream mapping: AWS’s defaults made explicit', () => {
    expect(toMappingFacts(raw())).toStrictEqual({
      uuid: UUID,
      arn: MAPPING_ARN,
      functionArn: FN,
      eventSourceArn: STREAM,
      sourceKind: 'kinesis',
      state: 'Enabled',
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      functionResponseTypes: [],
      maximumBatchingWindowInSeconds: 0,
    });
  });

  it('a fully configured mapping keeps every value', () => {
    const facts = toMappingFacts(
      raw({
        State: 'Updating',
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: QUEUE } },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumBatchingWindowInSeconds: 5,
      }),
    );
    expect(facts).toStrictEqual({
      uuid: UUID,
      arn: MAPPING_ARN,
      functionArn: FN,
      eventSourceArn: STREAM,
      sourceKind: 'kinesis',
      state: 'Updating',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 3_600,
      onFailureDestination: QUEUE,
      functionResponseTypes: ['ReportBatchItemFailures'],
      maximumBatchingWindowInSeconds: 5,
    });
  });

  it.each([
    { given: undefined, expected: false },
    { given: false, expected: false },
    { given: true, expected: true },
  ])('BisectBatchOnFunctionError $given → $expected', ({ given, expected }) => {
    expect(toMappingFacts(raw({ BisectBatchOnFunctionError: given }))?.bisectBatchOnFunctionError).toBe(
      expected,
    );
  });

  it.each([
    { given: undefined, expected: -1 },
    { given: -1, expected: -1 },
    { given: 0, expected: 0 },
    { given: 10_000, expected: 10_000 },
  ])('MaximumRetryAttempts $given → $expected', ({ given, expected }) => {
    expect(toMappingFacts(raw({ MaximumRetryAttempts: given }))?.maximumRetryAttempts).toBe(expected);
  });

  it.each([
    { given: undefined, expected: -1 },
    { given: -1, expected: -1 },
    { given: 60, expected: 60 },
    { given: 604_800, expected: 604_800 },
  ])('MaximumRecordAgeInSeconds $given → $expected', ({ given, expected }) => {
    expect(toMappingFacts(raw({ MaximumRecordAgeInSeconds: given }))?.maximumRecordAgeInSeconds).toBe(
      expected,
    );
  });

  it.each<[string, EventSourceMappingConfiguration['DestinationConfig']]>([
    ['no DestinationConfig', undefined],
    ['DestinationConfig {}', {}],
    ['OnFailure {}', { OnFailure: {} }],
    ["OnFailure Destination ''", { OnFailure: { Destination: '' } }],
    ['only OnSuccess', { OnSuccess: { Destination: QUEUE } }],
  ])('%s → no onFailureDestination', (_, DestinationConfig) => {
    const facts = toMappingFacts(raw({ DestinationConfig }));
    expect(facts).toBeDefined();
    expect(facts).not.toHaveProperty('onFailureDestination');
  });

  it.each([
    ['an alias', `${FN}:live`],
    ['a version', `${FN}:42`],
    ['$LATEST', `${FN}:$LATEST`],
    ['no qualifier', FN],
  ])('a FunctionArn with %s → the unqualified ARN', (_, FunctionArn) => {
    expect(toMappingFacts(raw({ FunctionArn }))?.functionArn).toBe(FN);
  });

  it('no EventSourceArn (self-managed Kafka) → undefined: no rule looks at it', () => {
    expect(toMappingFacts(raw({ EventSourceArn: undefined }))).toBeUndefined();
  });

  // Answers of unexpected shape: test/unit/discovery/unexpectedShapes.test.ts.
  it.each(['UUID', 'FunctionArn'] as const)('no %s → an UnexpectedResponseError naming it', (field) => {
    expect(() => toMappingFacts(raw({ [field]: undefined }))).toThrow(
      expect.objectContaining({ code: 'AWS_RESPONSE_UNEXPECTED', field }),
    );
  });

  it.each([
    ['an unqualified', FN],
    ['an alias-qualified', `${FN}:live`],
  ])(
    'without EventSourceMappingArn, the ARN is built from %s function ARN and the UUID',
    (_, FunctionArn) => {
      expect(toMappingFacts(raw({ EventSourceMappingArn: undefined, FunctionArn }))?.arn).toBe(MAPPING_ARN);
    },
  );

  it('no State → an UnexpectedResponseError (AWS always sends one; a busy mapping must not be written)', () => {
    expect(() => toMappingFacts(raw({ State: undefined }))).toThrow(/State of .* is missing/);
  });

  it.each<[string, MappingSourceKind]>([
    ['arn:aws:sqs:us-east-1:123456789012:orders', 'sqs'],
    ['arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2025-01-01T00:00:00.000', 'dynamodb'],
    ['arn:aws:kafka:us-east-1:123456789012:cluster/events/abcd-1234', 'other'],
  ])('the source kind follows the event source ARN: %s → %s', (EventSourceArn, kind) => {
    expect(toMappingFacts(raw({ EventSourceArn }))).toMatchObject({
      eventSourceArn: EventSourceArn,
      sourceKind: kind,
    });
  });

  it('the response types are a copy, not AWS’s array', () => {
    const FunctionResponseTypes: EventSourceMappingConfiguration['FunctionResponseTypes'] = [
      'ReportBatchItemFailures',
    ];
    const facts = toMappingFacts(raw({ FunctionResponseTypes }));
    expect(facts?.functionResponseTypes).toEqual(FunctionResponseTypes);
    expect(facts?.functionResponseTypes).not.toBe(FunctionResponseTypes);
  });
});
