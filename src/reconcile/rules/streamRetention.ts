import type { StreamFacts } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { RuleVerdict } from './verdict.js';

/** Kinesis's largest retention, in hours (365 days). */
export const KINESIS_MAX_RETENTION_HOURS = 8760;

/**
 * The hours the stream must keep a record: `minHours`, and the largest record-age limit of the
 * mappings reading it, rounded up to hours (-1, infinite, asks for nothing).
 */
export function requiredRetentionHours(
  stream: Pick<StreamFacts, 'mappings'>,
  settings: RuleSettings['stream-retention'],
): number {
  let hours = settings.minHours;
  for (const m of stream.mappings)
    if (m.maximumRecordAgeInSeconds >= 0)
      hours = Math.max(hours, Math.ceil(m.maximumRecordAgeInSeconds / 3600));
  return hours;
}

/**
 * `stream-retention`: the stream keeps records at least as long as the policy and its consumers'
 * record-age limits need. Retention is only ever increased (IncreaseStreamRetentionPeriod).
 */
export function planStreamRetention(
  stream: StreamFacts,
  settings: RuleSettings['stream-retention'],
): RuleVerdict {
  const required = requiredRetentionHours(stream, settings);
  const observed = { retentionHours: stream.retentionHours };
  if (stream.retentionHours >= required) {
    return {
      status: 'pass',
      observed,
      desired: { retentionHours: stream.retentionHours },
      message: `keeps records ${stream.retentionHours} h (at least ${required} h needed)`,
    };
  }
  if (required > KINESIS_MAX_RETENTION_HOURS) {
    return {
      status: 'ticket',
      observed,
      desired: { retentionHours: required },
      message: `a mapping keeps retrying records for ${required} h, more than Kinesis can keep (${KINESIS_MAX_RETENTION_HOURS} h): lower its MaximumRecordAgeInSeconds`,
    };
  }
  const why =
    required > settings.minHours
      ? `a mapping retries records for up to ${required} h`
      : `the policy asks for ${settings.minHours} h`;
  return {
    status: 'drift',
    observed,
    desired: { retentionHours: required },
    message: `keeps records ${stream.retentionHours} h, but ${why}: a record would expire before its retries end; raise retention to ${required} h`,
    actions: [
      {
        kind: 'IncreaseStreamRetentionPeriod',
        streamArn: stream.arn,
        streamName: stream.name,
        observedHours: stream.retentionHours,
        retentionHours: required,
      },
    ],
  };
}
