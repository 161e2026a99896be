import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { eventInvokeConfigMismatches, mappingMismatches } from '../../../src/apply/lambdaFields.js';
import type { EventInvokeConfig, EventSourceMappingChanges } from '../../../src/reconcile/model.js';

const DEST = 'arn:aws:sqs:us-east-1:123456789012:orders-fn-failures';
const OTHER = 'arn:aws:sqs:us-east-1:123456789012:other-failures';
const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/audit';

describe('mappingMismatches', () => {
  it.each<[string, EventSourceMappingChanges, EventSourceMappingConfiguration, string[]]>([
    [
      'no changes, whatever the mapping',
      {},
      { BisectBatchOnFunctionError: false, MaximumRetryAttempts: -1 },
      [],
    ],
    // BisectBatchOnFunctionError
    [
      'bisect true, shown true',
      { BisectBatchOnFunctionError: true },
      { BisectBatchOnFunctionError: true },
      [],
    ],
    [
      'bisect true, shown false',
      { BisectBatchOnFunctionError: true },
      { BisectBatchOnFunctionError: false },
      ['BisectBatchOnFunctionError'],
    ],
    ['bisect true, not shown', { BisectBatchOnFunctionError: true }, {}, ['BisectBatchOnFunctionError']],
    // MaximumRetryAttempts
    ['retries 5, shown 5', { MaximumRetryAttempts: 5 }, { MaximumRetryAttempts: 5 }, []],
    [
      'retries 0, shown 0 (a falsy value that is set)',
      { MaximumRetryAttempts: 0 },
      { MaximumRetryAttempts: 0 },
      [],
    ],
    [
      'retries 5, shown -1',
      { MaximumRetryAttempts: 5 },
      { MaximumRetryAttempts: -1 },
      ['MaximumRetryAttempts'],
    ],
    ['retries 0, not shown', { MaximumRetryAttempts: 0 }, {}, ['MaximumRetryAttempts']],
    // MaximumRecordAgeInSeconds
    ['age 3600, shown 3600', { MaximumRecordAgeInSeconds: 3_600 }, { MaximumRecordAgeInSeconds: 3_600 }, []],
    [
      'age 3600, shown -1',
      { MaximumRecordAgeInSeconds: 3_600 },
      { MaximumRecordAgeInSeconds: -1 },
      ['MaximumRecordAgeInSeconds'],
    ],
    ['age 60, not shown', { MaximumRecordAgeInSeconds: 60 }, {}, ['MaximumRecordAgeInSeconds']],
    // DestinationConfig
    [
      'destination, shown',
      { DestinationConfig: { OnFailure: { Destination: DEST } } },
      { DestinationConfig: { OnFailure: { Destination: DEST } } },
      [],
    ],
    [
      'destination, shown another',
      { DestinationConfig: { OnFailure: { Destination: DEST } } },
      { DestinationConfig: { OnFailure: { Destination: OTHER } } },
      ['DestinationConfig.OnFailure'],
    ],
    [
      'destination, shown OnFailure {}',
      { DestinationConfig: { OnFailure: { Destination: DEST } } },
      { DestinationConfig: { OnFailure: {} } },
      ['DestinationConfig.OnFailure'],
    ],
    [
      "destination, shown Destination ''",
      { DestinationConfig: { OnFailure: { Destination: DEST } } },
      { DestinationConfig: { OnFailure: { Destination: '' } } },
      ['DestinationConfig.OnFailure'],
    ],
    [
      'destination, no DestinationConfig',
      { DestinationConfig: { OnFailure: { Destination: DEST } } },
      {},
      ['DestinationConfig.OnFailure'],
    ],
    // FunctionResponseTypes
    [
      'response types, shown',
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      [],
    ],
    [
      'response types, shown empty',
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      { FunctionResponseTypes: [] },
      ['FunctionResponseTypes'],
    ],
    [
      'response types, not shown',
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      {},
      ['FunctionResponseTypes'],
    ],
    // Fields that were not changed are not looked at.
    [
      'only retries changed; bisect, age and destination differ but are not ours this time',
      { MaximumRetryAttempts: 5 },
      {
        MaximumRetryAttempts: 5,
        BisectBatchOnFunctionError: false,
        MaximumRecordAgeInSeconds: -1,
        DestinationConfig: { OnFailure: {} },
      },
      [],
    ],
    [
      'everything changed, nothing shown yet: in a fixed order',
      {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: DEST } },
        MaximumRecordAgeInSeconds: 3_600,
        MaximumRetryAttempts: 5,
        BisectBatchOnFunctionError: true,
      },
      {},
      [
        'BisectBatchOnFunctionError',
        'MaximumRetryAttempts',
        'MaximumRecordAgeInSeconds',
        'DestinationConfig.OnFailure',
        'FunctionResponseTypes',
      ],
    ],
    [
      'everything changed, everything shown',
      {
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: DEST } },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
      {
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: DEST } },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
      [],
    ],
  ])('%s → %j', (_, changes, actual, expected) => {
    expect(mappingMismatches(changes, actual)).toEqual(expected);
  });
});

describe('eventInvokeConfigMismatches', () => {
  const WANTED: EventInvokeConfig = {
    MaximumRetryAttempts: 1,
    MaximumEventAgeInSeconds: 3_600,
    DestinationConfig: { OnFailure: { Destination: DEST }, OnSuccess: { Destination: BUS } },
  };
  const SHOWN = {
    MaximumRetryAttempts: 1,
    MaximumEventAgeInSeconds: 3_600,
    DestinationConfig: { OnFailure: { Destination: DEST }, OnSuccess: { Destination: BUS } },
  };
  const BARE: EventInvokeConfig = { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 };

  it.each<[string, EventInvokeConfig, Parameters<typeof eventInvokeConfigMismatches>[1], string[]]>([
    ['all shown', WANTED, SHOWN, []],
    ['retries differ', WANTED, { ...SHOWN, MaximumRetryAttempts: 2 }, ['MaximumRetryAttempts']],
    ['retries not shown', WANTED, { ...SHOWN, MaximumRetryAttempts: undefined }, ['MaximumRetryAttempts']],
    ['age differs', WANTED, { ...SHOWN, MaximumEventAgeInSeconds: 21_600 }, ['MaximumEventAgeInSeconds']],
    [
      'OnFailure not shown',
      WANTED,
      { ...SHOWN, DestinationConfig: { OnSuccess: { Destination: BUS } } },
      ['OnFailure'],
    ],
    [
      'OnFailure another',
      WANTED,
      { ...SHOWN, DestinationConfig: { ...SHOWN.DestinationConfig, OnFailure: { Destination: OTHER } } },
      ['OnFailure'],
    ],
    [
      'OnSuccess not shown',
      WANTED,
      { ...SHOWN, DestinationConfig: { OnFailure: { Destination: DEST } } },
      ['OnSuccess'],
    ],
    [
      'no DestinationConfig shown',
      WANTED,
      { ...SHOWN, DestinationConfig: undefined },
      ['OnFailure', 'OnSuccess'],
    ],
    [
      'nothing shown',
      WANTED,
      {},
      ['MaximumRetryAttempts', 'MaximumEventAgeInSeconds', 'OnFailure', 'OnSuccess'],
    ],
    // No destination wanted: absent, {} and '' all mean none; a real one is a mismatch.
    [
      'none wanted, none shown (0 and 60 are set values)',
      BARE,
      { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      [],
    ],
    [
      'none wanted, shown as {} and empty strings',
      BARE,
      {
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: {}, OnSuccess: { Destination: '' } },
      },
      [],
    ],
    [
      'none wanted, one shown on each side',
      BARE,
      {
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: DEST }, OnSuccess: { Destination: BUS } },
      },
      ['OnFailure', 'OnSuccess'],
    ],
    [
      'only OnFailure wanted, OnSuccess shown',
      { ...BARE, DestinationConfig: { OnFailure: { Destination: DEST } } },
      {
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: DEST }, OnSuccess: { Destination: BUS } },
      },
      ['OnSuccess'],
    ],
  ])('%s → %j', (_, wanted, actual, expected) => {
    expect(eventInvokeConfigMismatches(wanted, actual)).toEqual(expected);
  });
});
