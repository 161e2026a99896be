/**
 * The name a person knows a resource by, whole: a queue or topic by its name, a function as
 * `function:<name>`, a mapping as `<function> ← <source name>` (from the planner's label).
 */

/** What an ARN names after `arn:partition:service:region:account:`; the text itself if not an ARN. */
export const arnResource = (arn: string): string => {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length > 5 ? parts.slice(5).join(':') : arn;
};

/** The last segment of an ARN's resource part (`queue`, `table/orders` → `orders`). */
export const arnName = (arn: string): string => {
  const resource = arnResource(arn);
  return resource.split(/[:/]/).pop() || resource;
};

/**
 * What a mapping reads from, by name: a queue's name, a Kinesis stream's, a DynamoDB stream's
 * table (its ARN ends in a timestamp), a Kafka cluster's.
 */
export function eventSourceName(arn: string): string {
  const service = arn.split(':')[2];
  const parts = arnResource(arn).split('/');
  if ((service === 'dynamodb' || service === 'kinesis' || service === 'kafka') && parts[1]) return parts[1];
  return arnName(arn);
}

export interface Labelled {
  resource: string;
  resourceType: string;
  /** Set by the planner where the ARN does not say the name (event source mappings). */
  label?: string;
}

export function resourceLabel(subject: Labelled): string {
  if (subject.label) return subject.label;
  const resource = arnResource(subject.resource);
  switch (subject.resourceType) {
    case 'sqs:queue':
    case 'sns:topic':
      return resource;
    case 'lambda:function':
      // function:<name>, without a version or alias qualifier's colon-suffix kept apart.
      return resource.startsWith('function:') ? resource : `function:${resource}`;
    case 'events:rule': {
      // rule/<name> on the default bus, rule/<bus>/<name> on another.
      const parts = resource.split('/').slice(1);
      return `rule:${parts.length > 1 ? parts.join('/') : `default/${parts[0] ?? resource}`}`;
    }
    case 'pipes:pipe':
      return `pipe:${resource.replace(/^pipe\//, '')}`;
    case 'dynamodb:table':
      return `table:${resource.replace(/^table\//, '')}`;
    case 'kinesis:stream':
      return `stream:${resource.replace(/^stream\//, '')}`;
    default:
      return resource;
  }
}
