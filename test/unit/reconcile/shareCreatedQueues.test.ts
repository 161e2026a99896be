import { describe, expect, it } from 'vitest';
import { type Action, type Finding, findingKey } from '../../../src/reconcile/model.js';
import { shareCreatedQueues } from '../../../src/reconcile/shareCreatedQueues.js';
import { arnOf, urlOf } from '../fixtures.js';

const create = (name: string): Action => ({
  kind: 'CreateQueue',
  queueArn: arnOf(name),
  queueName: name,
  attributes: {},
  tags: {},
});
const set = (name: string): Action => ({
  kind: 'SetQueueAttributes',
  queueArn: arnOf(name),
  queueUrl: urlOf(name),
  attributes: { VisibilityTimeout: '60' },
});
const finding = (
  resource: string,
  actions: Action[],
  enforcement: 'enforce' | 'audit' = 'enforce',
): Finding => ({
  resource,
  resourceType: 'lambda:event-source-mapping',
  policy: 'p',
  rule: 'esm-stream-failure-handling',
  status: 'drift',
  observed: null,
  desired: null,
  message: '',
  enforcement,
  actions,
});

describe('shareCreatedQueues', () => {
  it('lets the first finding create a queue and makes the later ones depend on it', () => {
    const first = finding('m1', [create('fn-failures'), set('a')]);
    const second = finding('m2', [create('fn-failures'), set('b')]);
    const [a, b] = shareCreatedQueues([first, second]);
    expect(a).toBe(first);
    expect(b).toEqual({ ...second, actions: [set('b')], dependsOn: [findingKey(first)] });
  });

  it('never makes an enforced finding wait for an audited one, which never runs', () => {
    const audited = finding('m1', [create('fn-failures')], 'audit');
    const enforced = finding('m2', [create('fn-failures')]);
    expect(shareCreatedQueues([audited, enforced])).toEqual([audited, enforced]);
  });

  it('leaves findings that are not drift, or create different queues, as they are', () => {
    const ticket = { ...finding('m1', [create('q')]), status: 'ticket' as const };
    const other = finding('m2', [create('q')]);
    const third = finding('m3', [create('r')]);
    expect(shareCreatedQueues([ticket, other, third])).toEqual([ticket, other, third]);
  });
});
