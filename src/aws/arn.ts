import { EdaguardError } from '../errors.js';
import type { ResourceType } from '../policy/schema.js';

export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): Arn {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new EdaguardError('ARN_INVALID', `not an ARN: "${arn}"`);
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

export function sqsQueueArn(target: { partition: string; region: string; accountId: string }, name: string) {
  return `arn:${target.partition}:sqs:${target.region}:${target.accountId}:${name}`;
}

const DNS_SUFFIX: Record<string, string> = { 'aws-cn': 'amazonaws.com.cn' };

/**
 * A queue's URL from its ARN, without a GetQueueUrl call per queue. Against a custom endpoint
 * (an emulator, a VPC endpoint) the URL is built on that endpoint, as the service itself does.
 */
export function sqsQueueUrlFromArn(arn: string, endpoint?: string): string {
  const { partition, region, accountId, resource } = parseArn(arn);
  const base = endpoint
    ? endpoint.replace(/\/+$/, '')
    : `https://sqs.${region}.${DNS_SUFFIX[partition] ?? 'amazonaws.com'}`;
  return `${base}/${accountId}/${resource}`;
}

/** Function ARN without a version or alias qualifier, to join with ListFunctions output. */
export function unqualifiedFunctionArn(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}

/** The selectable type of a tagged ARN, or undefined for anything else. */
export function resourceTypeOfArn(arn: string): ResourceType | undefined {
  const { service, resource } = parseArn(arn);
  if (service === 'sqs') return 'sqs:queue';
  if (service === 'lambda' && resource.startsWith('function:')) return 'lambda:function';
  if (service === 'dynamodb' && resource.startsWith('table/') && !resource.includes('/stream/'))
    return 'dynamodb:table';
  if (service === 'kinesis' && resource.startsWith('stream/')) return 'kinesis:stream';
  if (service === 'sns' && resource !== '' && !resource.includes(':')) return 'sns:topic';
  if (service === 'events' && resource.startsWith('rule/')) return 'events:rule';
  if (service === 'pipes' && resource.startsWith('pipe/')) return 'pipes:pipe';
  return undefined;
}
