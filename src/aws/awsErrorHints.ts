/**
 * Pure: an AWS error as a person can act on it. The SDK's own messages ("Could not load
 * credentials from any providers", "connect ECONNREFUSED 127.0.0.1:9") name neither the call nor
 * what to do; this names the service and the operation, and says what to check: the default
 * credential chain, the endpoint, or the IAM action the credentials lack.
 */

/** What kind of failure it is: a stable code for tests and logs. */
export type AwsErrorKind =
  | 'no-credentials'
  | 'bad-credentials'
  | 'access-denied'
  | 'unreachable'
  | 'timeout'
  | 'no-region'
  | 'other';

export interface AwsErrorContext {
  /** The service as calls are counted (`SQS`, `Lambda`…), when known. */
  service?: string;
  operation?: string;
  /** The endpoint of the call, else the one configured (`--endpoint-url`, `AWS_ENDPOINT_URL`). */
  endpoint?: string;
  region?: string;
  /** The environment, to say which credential files and switches the default chain saw. */
  env?: NodeJS.ProcessEnv;
}

export interface AwsErrorDescription {
  readonly kind: AwsErrorKind;
  readonly service?: string;
  readonly operation?: string;
  /** The IAM action of the call, e.g. `sqs:GetQueueAttributes` (access denied only). */
  readonly action?: string;
  /** What to check or do; absent when there is nothing better to say than the error. */
  readonly hint?: string;
  /** One line: the call, what happened, and the SDK's error. */
  readonly text: string;
}

/** IAM action prefixes of the services edaguard calls, by the name calls are counted under. */
const IAM_PREFIX: Record<string, string> = {
  SQS: 'sqs',
  Lambda: 'lambda',
  ResourceGroupsTaggingAPI: 'tag',
  DynamoDB: 'dynamodb',
  DynamoDBStreams: 'dynamodb',
  SNS: 'sns',
  EventBridge: 'events',
  S3: 's3',
  CloudWatch: 'cloudwatch',
  Kinesis: 'kinesis',
  Pipes: 'pipes',
  KMS: 'kms',
  STS: 'sts',
  Organizations: 'organizations',
};

/** Operations whose IAM action is not named after them. */
const IAM_ACTION_OF: Record<string, string> = {
  'S3.GetBucketNotificationConfiguration': 's3:GetBucketNotification',
  'S3.PutBucketNotificationConfiguration': 's3:PutBucketNotification',
};

/** The IAM action of a call, e.g. `sqs:GetQueueAttributes`. */
export function iamActionOf(service: string, operation: string): string | undefined {
  const special = IAM_ACTION_OF[`${service}.${operation}`];
  if (special) return special;
  const prefix = IAM_PREFIX[service];
  return prefix ? `${prefix}:${operation}` : undefined;
}

interface ErrorFacts {
  names: string[];
  codes: string[];
  messages: string[];
  hostname?: string;
  address?: string;
}

/** Names, codes and messages of the error and its causes (network errors hide in `cause`). */
function factsOf(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { names: [], codes: [], messages: [] };
  const seen = new Set<unknown>();
  for (let e: unknown = error; typeof e === 'object' && e !== null && !seen.has(e); ) {
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const [key, into] of [
      ['name', facts.names],
      ['code', facts.codes],
      ['Code', facts.codes],
      ['message', facts.messages],
    ] as const)
      if (typeof o[key] === 'string' && o[key] !== '') into.push(o[key] as string);
    if (typeof o.hostname === 'string') facts.hostname ??= o.hostname;
    if (typeof o.address === 'string')
      facts.address ??= typeof o.port === 'number' ? `${o.address}:${o.port}` : o.address;
    e = o.cause;
  }
  return facts;
}

const UNREACHABLE_CODES = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE)$/;
const BAD_CREDENTIALS =
  /^(ExpiredToken|ExpiredTokenException|InvalidClientTokenId|UnrecognizedClientException|InvalidSignatureException|SignatureDoesNotMatch|InvalidAccessKeyId|AuthFailure|InvalidToken)$/;
const ACCESS_DENIED =
  /^(AccessDenied|AccessDeniedException|AuthorizationError|AuthorizationErrorException|UnauthorizedOperation|.*\.AccessDenied)$/;

function kindOf(f: ErrorFacts): AwsErrorKind {
  const any = (re: RegExp, values: string[]) => values.some((v) => re.test(v));
  const idents = [...f.names, ...f.codes];
  if (any(/^CredentialsProviderError$/, f.names) || any(/Could not load credentials/i, f.messages))
    return 'no-credentials';
  if (any(BAD_CREDENTIALS, idents)) return 'bad-credentials';
  if (any(ACCESS_DENIED, idents)) return 'access-denied';
  if (any(UNREACHABLE_CODES, f.codes)) return 'unreachable';
  if (
    any(/^(TimeoutError|RequestTimeout|RequestTimeoutException)$/, f.names) ||
    f.codes.includes('ETIMEDOUT')
  )
    return 'timeout';
  if (any(/^Region is missing$/i, f.messages)) return 'no-region';
  return 'other';
}

/** The default chain of the SDK for Node.js, in order, as this environment sets it up. */
function credentialChainHint(env: NodeJS.ProcessEnv): string {
  const file = (name: string, fallback: string) => env[name] || fallback;
  const imds = /^true$/i.test(env.AWS_EC2_METADATA_DISABLED ?? '')
    ? 'EC2 instance metadata (turned off by AWS_EC2_METADATA_DISABLED)'
    : 'EC2 instance metadata (IMDS)';
  return (
    "the AWS SDK's default credential chain found none; it looks, in order, at: environment variables " +
    '(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN); ' +
    `the profile ${env.AWS_PROFILE ? `"${env.AWS_PROFILE}"` : '"default"'} (AWS_PROFILE) in ` +
    `${file('AWS_SHARED_CREDENTIALS_FILE', '~/.aws/credentials')} and ${file('AWS_CONFIG_FILE', '~/.aws/config')} ` +
    '(SSO, credential_process, role_arn); a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN: ' +
    'EKS IRSA); the ECS task role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI); ' +
    `${imds}. Set one of them, e.g. export AWS_PROFILE=<profile> after \`aws sso login\``
  );
}

function hintOf(
  kind: AwsErrorKind,
  f: ErrorFacts,
  context: AwsErrorContext,
  action: string | undefined,
): string | undefined {
  const endpoint = context.endpoint ?? f.hostname ?? f.address;
  switch (kind) {
    case 'no-credentials':
      return credentialChainHint(context.env ?? {});
    case 'bad-credentials':
      return 'the credentials were found but AWS refused them (expired or revoked): refresh them, e.g. `aws sso login`, and check `aws sts get-caller-identity`';
    case 'access-denied':
      return action
        ? `the credentials' role lacks the IAM action ${action}: grant it (deploy/iam/edaguard-policy.json lists every action edaguard needs)`
        : 'the credentials lack an IAM permission: deploy/iam/edaguard-policy.json lists every action edaguard needs';
    case 'unreachable':
      return f.codes.includes('ENOTFOUND') || f.codes.includes('EAI_AGAIN')
        ? `cannot resolve ${f.hostname ?? endpoint ?? 'the endpoint'}: check the region${context.region ? ` (${context.region})` : ''} and --endpoint-url / AWS_ENDPOINT_URL`
        : `cannot connect to ${endpoint ?? 'the endpoint'}: is it up and reachable from here? (--endpoint-url / AWS_ENDPOINT_URL sets it)`;
    case 'timeout':
      return `no answer from ${endpoint ?? 'the endpoint'} in time: check the network path (proxy, VPC endpoint) or raise --request-timeout`;
    case 'no-region':
      return 'no region is set: pass --region or set AWS_REGION';
    default:
      return undefined;
  }
}

const SUMMARY: Record<AwsErrorKind, string> = {
  'no-credentials': 'no AWS credentials',
  'bad-credentials': 'credentials refused',
  'access-denied': 'access denied',
  unreachable: 'endpoint unreachable',
  timeout: 'timed out',
  'no-region': 'no region',
  other: '',
};

/** "AccessDenied … is not authorized to perform: sqs:listqueues on …": the action AWS named. */
function actionInMessage(messages: string[]): string | undefined {
  for (const m of messages) {
    const found = /perform:\s*([a-z0-9-]+):([a-z0-9*]+)/i.exec(m);
    // IAM prefixes are lower case; some services write them upper case ("SNS:Publish").
    if (found) return `${found[1]?.toLowerCase()}:${found[2]}`;
  }
  return undefined;
}

/** The error, its call and what to check. */
export function describeAwsError(error: unknown, context: AwsErrorContext = {}): AwsErrorDescription {
  const f = factsOf(error);
  const kind = kindOf(f);
  const { service, operation } = context;
  const action =
    kind !== 'access-denied'
      ? undefined
      : ((service && operation ? iamActionOf(service, operation) : undefined) ?? actionInMessage(f.messages));
  const hint = hintOf(kind, f, context, action);
  const call = [service, operation].filter(Boolean).join(' ');
  const sdk = `${f.names[0] ?? 'Error'}: ${f.messages[0] ?? String(error)}`;
  const what = SUMMARY[kind] ? `${SUMMARY[kind]} (${sdk})` : sdk;
  const text = `${call ? `${call}: ` : ''}${what}`;
  return {
    kind,
    ...(service ? { service } : {}),
    ...(operation ? { operation } : {}),
    ...(action ? { action } : {}),
    ...(hint ? { hint } : {}),
    text,
  };
}

/** The description as a command prints it: the line, then the hint. */
export function formatAwsError(description: AwsErrorDescription): string {
  return description.hint ? `${description.text}\n  hint: ${description.hint}` : description.text;
}
