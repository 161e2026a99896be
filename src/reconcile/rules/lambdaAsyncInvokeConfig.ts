import { ASYNC_DEFAULTS, type FunctionFacts, type Inventory } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/schema.js';
import type { Action, EventInvokeConfig } from '../model.js';
import { resolveFailureDestination } from './failureDestination.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `lambda-async-invoke-config`: an async event that keeps failing is retried for up to 6 hours
 * and then dropped, unless the function bounds its retries and age and has somewhere to send it.
 * The fix is a PutFunctionEventInvokeConfig with the whole config (Put replaces every field):
 * what edaguard does not own, such as an OnSuccess destination, is sent back unchanged.
 */
export function planAsyncInvokeConfig(
  fn: FunctionFacts,
  settings: RuleSettings['lambda-async-invoke-config'],
  inventory: Inventory,
): RuleVerdict | undefined {
  if (settings.appliesTo === 'async-invoked' && fn.asyncInvokers.length === 0) {
    return {
      status: 'skipped',
      observed: null,
      desired: null,
      message: 'not invoked asynchronously (no SNS, EventBridge or S3 caller)',
    };
  }
  if (fn.eventInvokeConfig === undefined) return undefined; // not read: the read error is reported
  const current = fn.eventInvokeConfig ?? { ...ASYNC_DEFAULTS };
  const observed = {
    configured: fn.eventInvokeConfig !== null,
    maximumRetryAttempts: current.maximumRetryAttempts,
    maximumEventAgeInSeconds: current.maximumEventAgeInSeconds,
    onFailureDestination: current.onFailureDestination ?? null,
  };
  const destination = current.onFailureDestination
    ? ({ kind: 'ok', arn: current.onFailureDestination, actions: [] } as const)
    : resolveFailureDestination(settings.onFailure, fn, inventory);
  const desired = {
    configured: true,
    maximumRetryAttempts: Math.min(current.maximumRetryAttempts, settings.maxRetryAttempts),
    maximumEventAgeInSeconds: Math.min(current.maximumEventAgeInSeconds, settings.maxEventAgeSeconds),
    onFailureDestination: destination.kind === 'ok' ? destination.arn : null,
  };
  const invokedBy = fn.asyncInvokers.length > 0 ? `invoked by ${fn.asyncInvokers.join(', ')}` : 'selected';
  const unresolved =
    destination.kind === 'unresolved' ? `no on-failure destination: ${destination.why}` : undefined;
  const changed =
    desired.maximumRetryAttempts !== observed.maximumRetryAttempts ||
    desired.maximumEventAgeInSeconds !== observed.maximumEventAgeInSeconds ||
    desired.onFailureDestination !== observed.onFailureDestination;
  if (!changed) {
    if (destination.kind === 'unresolved') {
      return {
        status: destination.status,
        observed,
        desired: { ...desired, onFailureDestination: 'an SQS queue' },
        message: `${invokedBy}; ${unresolved}`,
      };
    }
    return {
      status: 'pass',
      observed,
      desired: observed,
      message: `${invokedBy}; bounded retries and age, failures go to ${desired.onFailureDestination}`,
    };
  }
  const onFailure = desired.onFailureDestination ?? undefined;
  const onSuccess = current.onSuccessDestination;
  const config: EventInvokeConfig = {
    MaximumRetryAttempts: desired.maximumRetryAttempts,
    MaximumEventAgeInSeconds: desired.maximumEventAgeInSeconds,
    ...(onFailure || onSuccess
      ? {
          DestinationConfig: {
            ...(onFailure ? { OnFailure: { Destination: onFailure } } : {}),
            ...(onSuccess ? { OnSuccess: { Destination: onSuccess } } : {}),
          },
        }
      : {}),
  };
  const actions: Action[] = [
    ...(destination.kind === 'ok' ? destination.actions : []),
    { kind: 'PutFunctionEventInvokeConfig', functionArn: fn.arn, config },
  ];
  return {
    status: 'drift',
    observed,
    desired,
    message: `${invokedBy}: failed events are retried up to ${observed.maximumRetryAttempts} times over ${observed.maximumEventAgeInSeconds} s${observed.onFailureDestination ? '' : ' and then dropped'}${unresolved ? `; ${unresolved}` : ''}`,
    actions,
  };
}
