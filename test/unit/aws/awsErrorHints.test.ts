/**
 * AWS errors as a person can act on them: the service, the operation and what to check, for the
 * errors the SDK really throws (their names, codes and causes as the SDK sets them).
 */
import { describe, expect, it } from 'vitest';
import {
  type AwsErrorKind,
  describeAwsError,
  formatAwsError,
  iamActionOf,
} from '../../../src/aws/awsErrorHints.js';
import { EdaguardError } from '../../../src/errors.js';

const error = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
    address: '127.0.0.1',
    port: 9,
    $metadata: { attempts: 3 },
  });

const NO_CREDS_ENV = {
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_EC2_METADATA_DISABLED: 'true',
};

describe('describeAwsError', () => {
  const rows: Array<{
    what: string;
    error: unknown;
    context?: Parameters<typeof describeAwsError>[1];
    kind: AwsErrorKind;
    text: string;
    hint?: RegExp;
    action?: string;
  }> = [
    {
      what: 'no credentials: the default chain, with the files this environment names',
      error: error('CredentialsProviderError', 'Could not load credentials from any providers'),
      context: { service: 'SQS', operation: 'ListQueues', env: NO_CREDS_ENV },
      kind: 'no-credentials',
      text: 'SQS ListQueues: no AWS credentials (CredentialsProviderError: Could not load credentials from any providers)',
      hint: /AWS_ACCESS_KEY_ID.*\/nonexistent\/credentials and \/nonexistent\/config.*AWS_WEB_IDENTITY_TOKEN_FILE.*ECS task role.*turned off by AWS_EC2_METADATA_DISABLED/,
    },
    {
      what: 'a refused connection: the endpoint of the call',
      error: refused(),
      context: { service: 'Kinesis', operation: 'ListStreams', endpoint: 'http://127.0.0.1:9/' },
      kind: 'unreachable',
      text: 'Kinesis ListStreams: endpoint unreachable (Error: connect ECONNREFUSED 127.0.0.1:9)',
      hint: /^cannot connect to http:\/\/127\.0\.0\.1:9\/: /,
    },
    {
      what: 'a refused connection with no endpoint known: the address the socket tried',
      error: refused(),
      kind: 'unreachable',
      text: 'endpoint unreachable (Error: connect ECONNREFUSED 127.0.0.1:9)',
      hint: /^cannot connect to 127\.0\.0\.1:9: /,
    },
    {
      what: 'an unknown host: the host and the region',
      error: Object.assign(new Error('getaddrinfo ENOTFOUND sqs.mars-1.amazonaws.com'), {
        code: 'ENOTFOUND',
        hostname: 'sqs.mars-1.amazonaws.com',
      }),
      context: { service: 'SQS', operation: 'ListQueues', region: 'mars-1' },
      kind: 'unreachable',
      text: 'SQS ListQueues: endpoint unreachable (Error: getaddrinfo ENOTFOUND sqs.mars-1.amazonaws.com)',
      hint: /^cannot resolve sqs\.mars-1\.amazonaws\.com: check the region \(mars-1\)/,
    },
    {
      what: 'the network error as the cause of edaguard’s own error',
      error: new EdaguardError('READ_FAILED', 'listing queues failed', { cause: refused() }),
      context: { endpoint: 'http://127.0.0.1:9' },
      kind: 'unreachable',
      text: 'endpoint unreachable (EdaguardError: listing queues failed)',
      hint: /http:\/\/127\.0\.0\.1:9/,
    },
    {
      what: 'SQS access denied: the IAM action of the call',
      error: error('AccessDenied', 'Access to the resource is denied.', {
        $metadata: { httpStatusCode: 403 },
      }),
      context: { service: 'SQS', operation: 'GetQueueAttributes' },
      kind: 'access-denied',
      text: 'SQS GetQueueAttributes: access denied (AccessDenied: Access to the resource is denied.)',
      hint: /lacks the IAM action sqs:GetQueueAttributes: grant it \(deploy\/iam\/edaguard-policy\.json/,
      action: 'sqs:GetQueueAttributes',
    },
    {
      what: 'Lambda access denied',
      error: error('AccessDeniedException', 'denied', { $fault: 'client' }),
      context: { service: 'Lambda', operation: 'ListEventSourceMappings' },
      kind: 'access-denied',
      text: 'Lambda ListEventSourceMappings: access denied (AccessDeniedException: denied)',
      hint: /lambda:ListEventSourceMappings/,
      action: 'lambda:ListEventSourceMappings',
    },
    {
      what: 'access denied with no call known: the action AWS names in its message',
      error: error(
        'AuthorizationError',
        'User: arn:aws:sts::111122223333:assumed-role/ops/me is not authorized to perform: SNS:ListSubscriptionsByTopic on resource: x',
      ),
      kind: 'access-denied',
      text: 'access denied (AuthorizationError: User: arn:aws:sts::111122223333:assumed-role/ops/me is not authorized to perform: SNS:ListSubscriptionsByTopic on resource: x)',
      hint: /lacks the IAM action sns:ListSubscriptionsByTopic/,
      action: 'sns:ListSubscriptionsByTopic',
    },
    {
      what: 'the tagging API’s prefix is tag:',
      error: error('AccessDeniedException', 'no'),
      context: { service: 'ResourceGroupsTaggingAPI', operation: 'GetResources' },
      kind: 'access-denied',
      text: 'ResourceGroupsTaggingAPI GetResources: access denied (AccessDeniedException: no)',
      hint: /tag:GetResources/,
      action: 'tag:GetResources',
    },
    {
      what: 'expired credentials',
      error: error('ExpiredTokenException', 'The security token included in the request is expired'),
      context: { service: 'DynamoDB', operation: 'DescribeTable' },
      kind: 'bad-credentials',
      text: 'DynamoDB DescribeTable: credentials refused (ExpiredTokenException: The security token included in the request is expired)',
      hint: /aws sso login/,
    },
    {
      what: 'a timeout: the endpoint',
      error: error('TimeoutError', 'Request timed out'),
      context: { service: 'SQS', operation: 'ListQueues', endpoint: 'https://sqs.us-east-1.amazonaws.com/' },
      kind: 'timeout',
      text: 'SQS ListQueues: timed out (TimeoutError: Request timed out)',
      hint: /^no answer from https:\/\/sqs\.us-east-1\.amazonaws\.com\/ in time/,
    },
    {
      what: 'no region',
      error: new Error('Region is missing'),
      kind: 'no-region',
      text: 'no region (Error: Region is missing)',
      hint: /--region or set AWS_REGION/,
    },
    {
      what: 'anything else: the call and the error, no hint',
      error: error('InvalidParameterValue', 'bad value'),
      context: { service: 'SQS', operation: 'SetQueueAttributes' },
      kind: 'other',
      text: 'SQS SetQueueAttributes: InvalidParameterValue: bad value',
    },
  ];

  it.each(rows)('$what', ({ error: e, context, kind, text, hint, action }) => {
    const d = describeAwsError(e, context);
    expect(d.kind).toBe(kind);
    expect(d.text).toBe(text);
    if (hint) expect(d.hint).toMatch(hint);
    else expect(d.hint).toBeUndefined();
    expect(d.action).toBe(action);
  });

  it('prints the hint on its own line', () => {
    const d = describeAwsError(refused(), {
      service: 'SQS',
      operation: 'ListQueues',
      endpoint: 'http://h:1',
    });
    expect(formatAwsError(d).split('\n')).toEqual([d.text, `  hint: ${d.hint}`]);
    const plain = describeAwsError(new Error('boom'));
    expect(formatAwsError(plain)).toBe('Error: boom');
  });
});

describe('iamActionOf', () => {
  it.each([
    ['SQS', 'GetQueueAttributes', 'sqs:GetQueueAttributes'],
    ['Lambda', 'ListEventSourceMappings', 'lambda:ListEventSourceMappings'],
    ['EventBridge', 'ListTargetsByRule', 'events:ListTargetsByRule'],
    ['CloudWatch', 'DescribeAlarms', 'cloudwatch:DescribeAlarms'],
    ['S3', 'GetBucketNotificationConfiguration', 's3:GetBucketNotification'],
    ['Nope', 'Anything', undefined],
  ])('%s %s → %s', (service, operation, action) => {
    expect(iamActionOf(service, operation)).toBe(action);
  });
});
