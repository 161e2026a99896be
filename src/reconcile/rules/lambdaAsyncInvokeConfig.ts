import { ASYNC_DEFAULTS, type FunctionFacts, type Inventory } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { Action, EventInvokeConfig } from '../model.js';
import {
  type ResolvedDestination,
  resolveFailureDestination,
  unresolvedReason,
  withheldLimits,
} from './failureDestination.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `lambda-async-invoke-config`: an async event that keeps failing is retried for up to 6 hours
 * and then dropped, unless the function bounds its retries and age and has somewhere to send it.
 * The fix is a PutFunctionEventInvokeConfig with the whole config (Put replaces every field):
 * what edaguard does not own, such as an OnSuccess destination, is sent back unchanged. Limits
 * are lowered only together with an on-failure destination (the function's, or the one the same
 * Put sets); without one nothing is written, and lowering them is a ticket.
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
  const destination: ResolvedDestination = current.onFailureDestination
    ? { kind: 'ok', arn: current.onFailureDestination, actions: [] }
    : resolveFailureDestination(settings.onFailure, fn, inventory);
  const desired = {
    configured: true,
    maximumRetryAttempts: Math.min(current.maximumRetryAttempts, settings.maxRetryAttempts),
    maximumEventAgeInSeconds: Math.min(current.maximumEventAgeInSeconds, settings.maxEventAgeSeconds),
    onFailureDestination: destination.kind === 'ok' ? destination.arn : null,
  };
  const invokedBy = fn.asyncInvokers.length > 0 ? `invoked by ${fn.asyncInvokers.join(', ')}` : 'selected';
  const retried = `failed events are retried up to ${observed.maximumRetryAttempts} times over ${observed.maximumEventAgeInSeconds} s`;
  const limits: string[] = [];
  if (desired.maximumRetryAttempts !== observed.maximumRetryAttempts) limits.push('MaximumRetryAttempts');
  if (desired.maximumEventAgeInSeconds !== observed.maximumEventAgeInSeconds)
    limits.push('MaximumEventAgeInSeconds');
  if (destination.kind === 'unresolved') {
    // No Put: lower limits with nowhere to send what they give up on drop events sooner, and
    // there is nothing else to write.
    const held = limits.length > 0;
    return {
      status: held ? (destination.todo !== undefined ? 'ticket' : 'drift') : destination.status,
      observed,
      desired: { ...desired, onFailureDestination: 'an SQS queue' },
      message: held
        ? `${invokedBy}: ${retried} and then dropped; ${withheldLimits(limits, 'event', destination)}`
        : `${invokedBy}; ${unresolvedReason(destination)}`,
    };
  }
  if (limits.length === 0 && desired.onFailureDestination === observed.onFailureDestination) {
    return {
      status: 'pass',
      observed,
      desired: observed,
      message: `${invokedBy}; bounded retries and age, failures go to ${desired.onFailureDestination}`,
    };
  }
  const onSuccess = current.onSuccessDestination;
  const config: EventInvokeConfig = {
    MaximumRetryAttempts: desired.maximumRetryAttempts,
    MaximumEventAgeInSeconds: desired.maximumEventAgeInSeconds,
    DestinationConfig: {
      OnFailure: { Destination: destination.arn },
      ...(onSuccess ? { OnSuccess: { Destination: onSuccess } } : {}),
    },
  };
  const actions: Action[] = [
    ...destination.actions,
    { kind: 'PutFunctionEventInvokeConfig', functionArn: fn.arn, config },
  ];
  return {
    status: 'drift',
    observed,
    desired,
    message: `${invokedBy}: ${retried}${observed.onFailureDestination ? '' : ' and then dropped'}`,
    actions,
  };
}
