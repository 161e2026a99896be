import { describe, expect, it } from 'vitest';
import { writeFailureOutcome } from '../../../src/apply/writeErrors.js';

const awsError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: 400 }, ...extra });

describe('writeFailureOutcome', () => {
  it.each([
    'ResourceInUseException',
    'ResourceConflictException',
    'ConcurrentModificationException',
    'ThrottlingException',
    'TooManyRequestsException',
    'RequestThrottled',
    'RequestLimitExceeded',
  ])('%s (after the SDK retries): deferred to the next cycle', (name) => {
    expect(writeFailureOutcome(awsError(name))).toBe('retry-next-cycle');
  });

  it('any 429, whatever its name, is throttling', () => {
    expect(writeFailureOutcome(awsError('SlowDown', { $metadata: { httpStatusCode: 429 } }))).toBe(
      'retry-next-cycle',
    );
  });

  it.each(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'ResourceNotFoundException'])(
    '%s: the resource is gone',
    (name) => {
      expect(writeFailureOutcome(awsError(name))).toBe('gone');
    },
  );

  it.each(['AccessDeniedException', 'InvalidParameterValueException', 'InternalFailure', 'TimeoutError'])(
    '%s: a failure that someone must look at',
    (name) => {
      expect(writeFailureOutcome(awsError(name, { $metadata: { httpStatusCode: 500 } }))).toBe('failed');
    },
  );
});
