import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../../src/apply/readBack.js';
import { isRequeueable, writeFailureOutcome } from '../../../src/apply/writeErrors.js';
import { LeaseLostError } from '../../../src/runtime/leaseRecord.js';

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

describe('isRequeueable: worth another try within the cycle', () => {
  it.each([
    ['ThrottlingException', 400],
    ['ResourceInUseException', 400],
    ['ResourceConflictException', 409],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
    ['TimeoutError', 0],
  ])('%s (%i): yes', (name, status) => {
    expect(isRequeueable(awsError(name, { $metadata: { httpStatusCode: status } }))).toBe(true);
  });

  it.each([
    ['AccessDeniedException', 400],
    ['InvalidParameterValueException', 400],
    ['QueueDoesNotExist', 400],
    ['ResourceNotFoundException', 404],
  ])('%s (%i): no', (name, status) => {
    expect(isRequeueable(awsError(name, { $metadata: { httpStatusCode: status } }))).toBe(false);
  });

  it('never a refusal of the lease fence or another of edaguard’s own errors', () => {
    expect(isRequeueable(new LeaseLostError('lease lost'))).toBe(false);
    expect(isRequeueable(new VerifyError('written but not visible'))).toBe(false);
  });
});
