/**
 * The crash scenario's checks themselves: a "0 duplicates, 0 orphans, 0 lost updates" result is
 * only worth something if these checks see each of them when they are there.
 */
import { describe, expect, it } from 'vitest';
import { TAGS } from '../../../src/policy/schema.js';
import { operationOf, type ProxiedCall } from '../../support/killingProxy.js';
import { type AccountState, findLeftovers, type QueueState } from '../../support/reliability/crashAccount.js';
import { lostUpdate } from '../../support/reliability/crashScenario.js';
import { seededRandom } from '../../support/seededRandom.js';

const ARN = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:crash-5-fn';

function queue(
  name: string,
  attributes: Record<string, string> = {},
  tags: Record<string, string> = {},
): QueueState {
  return { name, url: `http://localhost/123456789012/${name}`, arn: ARN(name), attributes, tags };
}
const redrive = (target: string) => JSON.stringify({ deadLetterTargetArn: ARN(target), maxReceiveCount: 3 });
const ours = (tag: string, value: string) => ({ [TAGS.managedBy]: 'edaguard', [tag]: value });

function account(queues: QueueState[], extra: Partial<AccountState> = {}): AccountState {
  return { queues: new Map(queues.map((q) => [q.name, q])), mappings: [], alarms: [], ...extra };
}

const alarm = (name: string, queueName: string) => ({
  name,
  threshold: 0,
  metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible',
  dimensions: { QueueName: queueName },
});

function call(operation: string, body: Record<string, unknown>, path = '/'): ProxiedCall {
  return {
    operation,
    method: 'POST',
    path,
    write: true,
    writeIndex: 1,
    phase: 'killed',
    body,
    forwarded: true,
    status: 200,
    answered: true,
  };
}

describe('findLeftovers', () => {
  it('a converged account: a source with its DLQ (ours), its alarm, a mapping with its destination', () => {
    const state = account(
      [
        queue('crash-0', { RedrivePolicy: redrive('crash-0-dlq') }),
        queue('crash-0-dlq', {}, ours(TAGS.dlqFor, ARN('crash-0'))),
        queue('crash-5-fn-failures', {}, ours(TAGS.failureDestinationFor, FN)),
      ],
      {
        alarms: [alarm('edaguard-dlq-depth-crash-0-dlq', 'crash-0-dlq')],
        mappings: [
          {
            uuid: 'u',
            functionArn: FN,
            eventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
            fields: { DestinationConfig: { OnFailure: { Destination: ARN('crash-5-fn-failures') } } },
          },
        ],
      },
    );
    expect(findLeftovers(state)).toEqual({ duplicates: [], orphans: [] });
  });

  it('a second DLQ of ours for the same source is a duplicate, and the unused one an orphan', () => {
    const state = account([
      queue('crash-0', { RedrivePolicy: redrive('crash-0-dlq') }),
      queue('crash-0-dlq', {}, ours(TAGS.dlqFor, ARN('crash-0'))),
      queue('crash-0-dlq-2', {}, ours(TAGS.dlqFor, ARN('crash-0'))),
    ]);
    expect(findLeftovers(state)).toEqual({
      duplicates: [`2 queues tagged ${TAGS.dlqFor}=${ARN('crash-0')}`],
      orphans: ['crash-0-dlq-2: a DLQ edaguard created that no queue redrives to'],
    });
  });

  it('an on-failure queue no mapping uses, two alarms on one DLQ, an alarm on a missing queue', () => {
    const state = account(
      [
        queue('crash-5-fn-failures', {}, ours(TAGS.failureDestinationFor, FN)),
        queue('crash-2-dlq'),
        queue('crash-2', { RedrivePolicy: redrive('crash-2-dlq') }),
      ],
      {
        alarms: [
          alarm('edaguard-dlq-depth-crash-2-dlq', 'crash-2-dlq'),
          alarm('edaguard-dlq-depth-crash-2-dlq-copy', 'crash-2-dlq'),
          alarm('edaguard-dlq-depth-gone', 'gone'),
        ],
      },
    );
    const { duplicates, orphans } = findLeftovers(state);
    expect(duplicates).toEqual([
      '2 alarms on AWS/SQS/ApproximateNumberOfMessagesVisible {"QueueName":"crash-2-dlq"}',
    ]);
    expect(orphans).toEqual([
      'crash-5-fn-failures: an on-failure queue edaguard created that no mapping uses',
      'edaguard-dlq-depth-gone: an alarm on gone, which does not exist',
    ]);
  });

  it('a DLQ a team shares, not tagged as ours, is never an orphan', () => {
    expect(findLeftovers(account([queue('shared-dlq')]))).toEqual({ duplicates: [], orphans: [] });
  });
});

describe('lostUpdate', () => {
  const state = account(
    [queue('crash-0', { RedrivePolicy: redrive('crash-0-dlq'), VisibilityTimeout: '360' })],
    {
      alarms: [alarm('edaguard-dlq-depth-crash-0-dlq', 'crash-0-dlq')],
    },
  );
  const setAttributes = (attributes: Record<string, string>) =>
    call('AmazonSQS.SetQueueAttributes', {
      QueueUrl: 'http://localhost/123456789012/crash-0',
      Attributes: attributes,
    });

  it('an accepted write whose effect is there is not lost (maxReceiveCount as a string or a number)', () => {
    expect(lostUpdate(setAttributes({ VisibilityTimeout: '360' }), state)).toBeUndefined();
    expect(
      lostUpdate(
        setAttributes({
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN('crash-0-dlq'), maxReceiveCount: '3' }),
        }),
        state,
      ),
    ).toBeUndefined();
    expect(lostUpdate(call('AmazonSQS.CreateQueue', { QueueName: 'crash-0' }), state)).toBeUndefined();
  });

  it('a reverted attribute, a vanished queue, a changed alarm and a reverted mapping are lost', () => {
    expect(lostUpdate(setAttributes({ VisibilityTimeout: '600' }), state)).toBe(
      'SetQueueAttributes crash-0 VisibilityTimeout=600: now 360',
    );
    expect(lostUpdate(call('AmazonSQS.CreateQueue', { QueueName: 'crash-0-dlq' }), state)).toBe(
      'CreateQueue crash-0-dlq: the queue is gone',
    );
    expect(
      lostUpdate(
        call('GraniteServiceVersion20100801.PutMetricAlarm', {
          AlarmName: 'edaguard-dlq-depth-crash-0-dlq',
          Threshold: 5,
        }),
        state,
      ),
    ).toBe('PutMetricAlarm edaguard-dlq-depth-crash-0-dlq: now threshold 0');
    const withMapping = account([], {
      mappings: [{ uuid: 'abc', functionArn: FN, eventSourceArn: 's', fields: { MaximumRetryAttempts: -1 } }],
    });
    expect(
      lostUpdate(
        call(
          'Lambda.UpdateEventSourceMapping',
          { MaximumRetryAttempts: 3 },
          '/2015-03-31/event-source-mappings/abc',
        ),
        withMapping,
      ),
    ).toBe('UpdateEventSourceMapping abc MaximumRetryAttempts=3: now -1');
  });
});

describe('the killing proxy names calls', () => {
  it('JSON protocols by their target, Lambda writes by method and path', () => {
    expect(operationOf('POST', '/', 'AmazonSQS.CreateQueue')).toBe('AmazonSQS.CreateQueue');
    expect(operationOf('PUT', '/2015-03-31/event-source-mappings/abc', undefined)).toBe(
      'Lambda.UpdateEventSourceMapping',
    );
    expect(operationOf('PUT', '/2019-09-25/functions/f/event-invoke-config', undefined)).toBe(
      'Lambda.PutFunctionEventInvokeConfig',
    );
    expect(operationOf('GET', '/2015-03-31/functions/', undefined)).toBe('Lambda.GET /2015-03-31/functions/');
  });
});

describe('seededRandom', () => {
  it('the same seed draws the same kill points; another seed draws others', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
