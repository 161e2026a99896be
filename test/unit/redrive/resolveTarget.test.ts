/**
 * Target resolution and the RedriveAllowPolicy refusals. The SQS client is mocked at the client
 * boundary here because moto 5.2.1 never returns RedriveAllowPolicy from GetQueueAttributes
 * (test/integration/redrive.test.ts shows the gap); everything else is covered against moto.
 */
import { describe, expect, it } from 'vitest';
import { resolveRedrive, targetFor } from '../../../src/redrive/resolveTarget.js';
import { arnOf, fakeSqs, queueHandlers } from './fakeSqs.js';

describe('resolveRedrive', () => {
  it('one source queue: the target; several: per message by DeadLetterQueueSourceArn', async () => {
    const one = fakeSqs(queueHandlers({ dlq: {}, a: {} }, { dlq: ['a'] }));
    const plan = await resolveRedrive(one.sqs, { dlq: 'dlq' });
    expect(plan.routing).toMatchObject({ kind: 'source', target: { arn: arnOf('a') } });

    const two = fakeSqs(queueHandlers({ dlq: {}, a: {}, b: {} }, { dlq: ['a', 'b'] }));
    const multi = await resolveRedrive(two.sqs, { dlq: 'dlq' });
    expect(multi.routing.kind).toBe('per-message');
    expect(targetFor(multi.routing, arnOf('b'))?.arn).toBe(arnOf('b'));
    expect(targetFor(multi.routing, undefined)).toBeUndefined();
    expect(targetFor(multi.routing, arnOf('elsewhere'))).toBeUndefined();
  });

  it('refuses a target whose RedriveAllowPolicy is denyAll', async () => {
    const { sqs } = fakeSqs(
      queueHandlers({ dlq: {}, target: { redriveAllowPolicy: { redrivePermission: 'denyAll' } } }),
    );
    await expect(resolveRedrive(sqs, { dlq: 'dlq', to: 'target' })).rejects.toMatchObject({
      code: 'REDRIVE_REFUSED',
      message: expect.stringMatching(/denyAll/),
    });
  });

  it('refuses byQueue not listing the DLQ and allows byQueue listing it', async () => {
    const notListed = fakeSqs(
      queueHandlers({
        dlq: {},
        target: { redriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [arnOf('other')] } },
      }),
    );
    await expect(resolveRedrive(notListed.sqs, { dlq: 'dlq', to: 'target' })).rejects.toMatchObject({
      code: 'REDRIVE_REFUSED',
    });
    const listed = fakeSqs(
      queueHandlers({
        dlq: {},
        target: { redriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [arnOf('dlq')] } },
      }),
    );
    expect((await resolveRedrive(listed.sqs, { dlq: 'dlq', to: 'target' })).routing.kind).toBe('named');
  });

  it('with several sources, one forbidden source refuses the whole redrive', async () => {
    const { sqs } = fakeSqs(
      queueHandlers(
        { dlq: {}, a: {}, b: { redriveAllowPolicy: { redrivePermission: 'denyAll' } } },
        { dlq: ['a', 'b'] },
      ),
    );
    await expect(resolveRedrive(sqs, { dlq: 'dlq' })).rejects.toMatchObject({
      reasons: [expect.stringMatching(/:b has/)],
    });
  });

  it('a queue that does not exist is QUEUE_NOT_FOUND; an ARN of another service is QUEUE_INVALID', async () => {
    const { sqs } = fakeSqs(queueHandlers({}));
    await expect(resolveRedrive(sqs, { dlq: 'missing' })).rejects.toMatchObject({ code: 'QUEUE_NOT_FOUND' });
    await expect(
      resolveRedrive(sqs, { dlq: 'arn:aws:sns:us-east-1:123456789012:topic' }),
    ).rejects.toMatchObject({
      code: 'QUEUE_INVALID',
    });
  });
});
