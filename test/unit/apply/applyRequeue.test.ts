/**
 * applyPlan with fake clients: a write that fails in a way worth retrying goes back on the cycle's
 * work queue and is retried within the cycle; what a precondition or the lease refused never is.
 */
import { GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type ApplyOptions, applyPlan } from '../../../src/apply/apply.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { Finding, Plan } from '../../../src/reconcile/model.js';
import { LeaseLostError } from '../../../src/runtime/leaseRecord.js';
import { recordingLogger } from '../../support/harness.js';
import { arnOf, inventory, queue, TARGET, urlOf } from '../fixtures.js';

const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });

/**
 * SQS that answers `failures` to the first SetQueueAttributes calls, then applies them; a
 * GetQueueAttributes returns the queue's attributes as they are.
 */
function fakeSqs(initial: Record<string, string>, failures: Error[] = [], landed = false) {
  const attributes = { ...initial };
  const calls: string[] = [];
  const send = async (command: unknown) => {
    if (command instanceof SetQueueAttributesCommand) {
      calls.push('SetQueueAttributes');
      const failure = failures.shift();
      // A 5xx whose write landed all the same (the answer was lost, not the write).
      if (!failure || landed) Object.assign(attributes, command.input.Attributes);
      if (failure) throw failure;
      return {};
    }
    if (command instanceof GetQueueAttributesCommand) {
      calls.push('GetQueueAttributes');
      return { Attributes: { ...attributes } };
    }
    throw new Error(`unexpected ${String(command)}`);
  };
  return { calls, aws: { sqs: { send } } as unknown as AwsClients };
}

const finding: Finding = {
  resource: arnOf('orders'),
  resourceType: 'sqs:queue',
  policy: 'p',
  rule: 'sqs-visibility-timeout',
  status: 'drift',
  observed: 30,
  desired: 60,
  message: 'visibility timeout 30 s is shorter than 60 s',
  enforcement: 'enforce',
  actions: [
    {
      kind: 'SetQueueAttributes',
      queueArn: arnOf('orders'),
      queueUrl: urlOf('orders'),
      attributes: { VisibilityTimeout: '60' },
    },
  ],
};
const plan: Plan = { target: TARGET, findings: [finding] };

function options(over: Partial<ApplyOptions> = {}) {
  const log = recordingLogger();
  const waits: number[] = [];
  const opts: ApplyOptions = {
    dryRun: false,
    maxChanges: 10,
    concurrency: 2,
    verifyAttempts: 1,
    verifyDelayMs: 0,
    logger: log.logger,
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    ...over,
  };
  return { opts, log, waits };
}

describe('applyPlan: requeue within the cycle', () => {
  it('a write throttled after the SDK’s retries is retried after a jittered backoff, and fixed', async () => {
    const sqs = fakeSqs({ VisibilityTimeout: '30' }, [awsError('ThrottlingException', 400)]);
    const { opts, log, waits } = options();
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result).toMatchObject({ status: 'fixed', message: finding.message });
    expect(sqs.calls.filter((c) => c === 'SetQueueAttributes')).toHaveLength(2);
    expect(waits).toEqual([500]); // random 0.5 × min(20 s, 1 s × 2^0)
    expect(log.lines().find((l) => l.outcome === 'requeued')).toMatchObject({
      decision: 'write',
      code: 'ThrottlingException',
      round: 0,
    });
  });

  it('what still fails after its rounds is reported as before: deferred to the next cycle', async () => {
    const throttled = () => awsError('ThrottlingException', 400);
    const sqs = fakeSqs({ VisibilityTimeout: '30' }, [throttled(), throttled(), throttled(), throttled()]);
    const { opts, waits } = options({ writeRequeueRounds: 2 });
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result?.status).toBe('deferred');
    expect(result?.message).toMatch(
      /^SetQueueAttributes orders .* deferred to the next cycle: ThrottlingException/,
    );
    expect(sqs.calls.filter((c) => c === 'SetQueueAttributes')).toHaveLength(3);
    expect(waits).toEqual([500, 1_000]);
  });

  it('a 5xx that still fails is reported failed, as before; zero rounds try once', async () => {
    const sqs = fakeSqs({ VisibilityTimeout: '30' }, [awsError('InternalFailure', 500)]);
    const { opts } = options({ writeRequeueRounds: 0 });
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result?.status).toBe('failed');
    expect(sqs.calls).toEqual(['SetQueueAttributes']);
  });

  it('a 5xx whose write landed: the retry’s precondition sees it done and writes nothing again', async () => {
    const sqs = fakeSqs({ VisibilityTimeout: '30' }, [awsError('InternalFailure', 500)], true);
    const inv = inventory({ tagged: [queue('orders', { visibilityTimeout: 30 })] });
    const { opts, log } = options({ inventory: inv });
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result?.status).toBe('fixed');
    expect(sqs.calls).toEqual(['GetQueueAttributes', 'SetQueueAttributes', 'GetQueueAttributes']);
    expect(log.lines().some((l) => l.decision === 'write' && l.outcome === 'unchanged')).toBe(true);
  });

  it('a finding whose precondition says CHANGED_SINCE_DISCOVERY is never re-run', async () => {
    const sqs = fakeSqs({ VisibilityTimeout: '45' });
    const inv = inventory({ tagged: [queue('orders', { visibilityTimeout: 30 })] });
    const { opts, waits } = options({ inventory: inv });
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result?.status).toBe('deferred');
    expect(result?.message).toMatch(/changed after discovery \(VisibilityTimeout\)/);
    expect(sqs.calls).toEqual(['GetQueueAttributes']);
    expect(waits).toEqual([]);
  });

  it('a write the lease refuses is never re-run', async () => {
    const sqs = fakeSqs({ VisibilityTimeout: '30' });
    let checks = 0;
    const { opts, waits } = options({
      beforeWrite: async () => {
        checks++;
        throw new LeaseLostError('this replica does not hold the lease');
      },
    });
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result?.status).toBe('deferred');
    expect(result?.message).toMatch(/held back: this replica does not hold the lease$/);
    expect(checks).toBe(1);
    expect(sqs.calls).toEqual([]);
    expect(waits).toEqual([]);
  });

  it('already as desired when read again: no write, reported compliant, with an `unchanged` audit line', async () => {
    const sqs = fakeSqs({ VisibilityTimeout: '60' });
    const inv = inventory({ tagged: [queue('orders', { visibilityTimeout: 30 })] });
    const { opts, log } = options({ inventory: inv });
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result?.status).toBe('pass');
    expect(result?.message).toMatch(/already as desired when read again before writing: nothing written\)$/);
    expect(sqs.calls).toEqual(['GetQueueAttributes']);
    expect(log.lines().find((l) => l.outcome === 'unchanged')).toMatchObject({
      decision: 'write',
      write: 'SetQueueAttributes orders {"VisibilityTimeout":"60"}',
    });
  });

  it('the change cap holds the write back before anything is read or written', async () => {
    const sqs = fakeSqs({ VisibilityTimeout: '30' });
    const { opts, log } = options({ maxChangePercent: 0 });
    const [result] = await applyPlan(plan, sqs.aws, opts);
    expect(result?.status).toBe('deferred');
    expect(result?.message).toMatch(/^SetQueueAttributes orders .* held back: change cap exceeded: 1 of 1/);
    expect(sqs.calls).toEqual([]);
    expect(log.lines().find((l) => l.decision === 'held-back')).toMatchObject({
      code: 'CHANGE_CAP_EXCEEDED',
    });
  });
});
