import type { PipeFacts } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { PipeSourceFailureChanges } from '../model.js';
import { unresolvedReason, withheldLimits } from './failureDestination.js';
import type { RuleVerdict } from './verdict.js';

/** States in which a pipe takes no update: it is looked at again next cycle. */
export const BUSY_PIPE_STATES = new Set(['CREATING', 'UPDATING', 'DELETING', 'STARTING', 'STOPPING']);

/** Keeps a finite value within the maximum; -1 (infinite, the AWS default) becomes the maximum. */
const bounded = (value: number, max: number) => (value < 0 || value > max ? max : value);

const NO_DEAD_LETTER = {
  why: 'the pipe has no DeadLetterConfig and the policy sets no deadLetter',
  todo: 'give the policy a deadLetter (deadLetter.arn: an SQS queue or SNS topic)',
};

type StreamSource = NonNullable<PipeFacts['streamSource']>;
type Settings = RuleSettings['pipe-source-failure-handling'];

/**
 * What the stream source has and should have, the fields to write, and what a person should know
 * (the limits held back for want of a dead-letter target). Never a cap without one.
 */
function compare(source: StreamSource, settings: Settings) {
  const observed = {
    maximumRetryAttempts: source.maximumRetryAttempts,
    maximumRecordAgeInSeconds: source.maximumRecordAgeInSeconds,
    onPartialBatchItemFailure: source.onPartialBatchItemFailure ?? null,
    deadLetterArn: source.deadLetterArn ?? null,
  };
  const deadLetterArn = source.deadLetterArn ?? settings.deadLetter?.arn;
  const desired = {
    maximumRetryAttempts: bounded(source.maximumRetryAttempts, settings.maxRetryAttempts),
    maximumRecordAgeInSeconds: bounded(source.maximumRecordAgeInSeconds, settings.maxRecordAgeSeconds),
    onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
    deadLetterArn: deadLetterArn ?? 'an SQS queue or SNS topic',
  };
  const changes: PipeSourceFailureChanges = {};
  if (observed.onPartialBatchItemFailure !== 'AUTOMATIC_BISECT')
    changes.OnPartialBatchItemFailure = 'AUTOMATIC_BISECT';
  const limits: PipeSourceFailureChanges = {};
  if (desired.maximumRetryAttempts !== observed.maximumRetryAttempts)
    limits.MaximumRetryAttempts = desired.maximumRetryAttempts;
  if (desired.maximumRecordAgeInSeconds !== observed.maximumRecordAgeInSeconds)
    limits.MaximumRecordAgeInSeconds = desired.maximumRecordAgeInSeconds;
  if (deadLetterArn) {
    Object.assign(changes, limits);
    if (!source.deadLetterArn) changes.DeadLetterConfig = { Arn: deadLetterArn };
    return { observed, desired, changes, note: undefined };
  }
  const withheld = Object.keys(limits);
  const note =
    withheld.length > 0
      ? withheldLimits(withheld, 'record', NO_DEAD_LETTER)
      : unresolvedReason(NO_DEAD_LETTER);
  return { observed, desired, changes, note };
}

/**
 * `pipe-source-failure-handling`: a pipe reading a Kinesis or DynamoDB stream must not retry a
 * poison record until it expires. Bisect the failing batch, bound retries and record age, and send
 * what still fails to a dead-letter target. As for event source mappings, the bounds are set only
 * where a given-up record has somewhere to go: the pipe's DeadLetterConfig, or the one the same
 * update sets (the policy's deadLetter). Bisect loses nothing: always set.
 */
export function planPipeSourceFailureHandling(pipe: PipeFacts, settings: Settings): RuleVerdict {
  const source = pipe.streamSource;
  if (!source || (pipe.sourceKind !== 'kinesis' && pipe.sourceKind !== 'dynamodb')) {
    return {
      status: 'skipped',
      observed: { source: pipe.sourceArn, sourceKind: pipe.sourceKind },
      desired: null,
      message: 'the pipe does not read a Kinesis or DynamoDB stream: its source has no retry limits to bound',
    };
  }
  const { observed, desired, changes, note } = compare(source, settings);
  if (Object.keys(changes).length === 0) {
    if (note) return { status: 'ticket', observed, desired, message: note };
    return {
      status: 'pass',
      observed,
      desired,
      message: 'bisects, bounds retries and record age, and has a DeadLetterConfig',
    };
  }
  if (pipe.currentState && BUSY_PIPE_STATES.has(pipe.currentState)) {
    return {
      status: 'busy',
      observed,
      desired,
      message: `pipe is ${pipe.currentState}: looked at again next cycle`,
    };
  }
  if (!pipe.roleArn) {
    return {
      status: 'ticket',
      observed,
      desired,
      message: 'DescribePipe answered no RoleArn, which UpdatePipe requires: fix the pipe by hand',
    };
  }
  return {
    status: 'drift',
    observed,
    desired,
    message: [
      `a poison record can block the shard: set ${Object.keys(changes).join(', ')}`,
      ...(note ? [note] : []),
    ].join('; '),
    actions: [
      {
        kind: 'UpdatePipe',
        pipeArn: pipe.arn,
        pipeName: pipe.name,
        roleArn: pipe.roleArn,
        sourceKind: pipe.sourceKind,
        observedSource: source.raw,
        changes,
      },
    ],
  };
}
