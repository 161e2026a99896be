/**
 * A loopback HTTP proxy between the SDK and the emulator that injects the failures AWS produces:
 * throttling, 500/503, responses slower than the client's request timeout, and dropped
 * connections. The SDK reaches it through the endpoint setting, so every byte the controller
 * sends and every answer it gets crosses it.
 *
 * - Each fault is shaped the way the real service sends it on the wire, for the protocol the
 *   installed SDK client speaks (see `faultResponse`), so the SDK's own error parsing and retry
 *   classification run exactly as they would against AWS.
 * - Whether a request gets a fault is a pure function of (seed, request, how many times the same
 *   request was seen): runs with one seed inject the same faults into the same requests, whatever
 *   order concurrent requests arrive in.
 * - It counts every request forwarded to the emulator per operation, every fault per kind and
 *   operation, and keeps every write that reached the emulator with its body and resource, so a
 *   test can check what was written and where.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isWriteOperation } from '../../src/aws/callCounter.js';
import { exchangeUpstream } from './loopbackProxy.js';

/**
 * - `throttle`: the service's throttling error (per service, see `throttleShape`).
 * - `server-error`: HTTP 500 or 503 (half each).
 * - `slow`: the request is forwarded and executed, but the answer is held `slowDelayMs` (longer
 *   than the client's request timeout): the write happened, the client sees a timeout and
 *   retries. Forwarding first is the nasty case on purpose: the client cannot tell a lost answer
 *   from a lost request.
 * - `drop-before`: the connection is destroyed before anything is forwarded (nothing happened).
 * - `drop-after`: the request is executed, then the connection is destroyed instead of answering.
 */
export type FaultKind = 'throttle' | 'server-error' | 'slow' | 'drop-before' | 'drop-after';

export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'server-error',
  'slow',
  'drop-before',
  'drop-after',
];

export interface FaultRule {
  /** Service (`SQS`, `Lambda`, `CloudWatch`, `ResourceGroupsTaggingAPI`, `DynamoDB`, `SNS`, `EventBridge`, `S3`); omitted: any. */
  readonly service?: string;
  /** Operation name (`CreateQueue`); omitted: any. */
  readonly operation?: string;
  /** Probability in [0, 1] that a matching request gets a fault. */
  readonly rate: number;
  /** The fault is drawn uniformly from these. */
  readonly kinds: readonly FaultKind[];
}

export interface FaultProxyOptions {
  readonly seed: number;
  /** First matching rule wins; no rule: no fault. */
  readonly rules?: readonly FaultRule[];
  /** How long a `slow` answer is held: more than the client's request timeout. */
  readonly slowDelayMs?: number;
}

export interface OperationId {
  readonly service: string;
  readonly operation: string;
}

export interface InjectedFault extends OperationId {
  readonly kind: FaultKind;
  /** HTTP status sent, for throttle and server-error. */
  readonly status?: number;
}

export interface ForwardedWrite extends OperationId {
  /** Queue name, mapping UUID, function name, alarm name or table name the write is about. */
  readonly resource: string;
  readonly body: string;
  /** The emulator's HTTP status. */
  readonly status: number;
  /** The client never got the answer (slow or drop-after). */
  readonly answerLost: boolean;
}

export interface FaultProxy {
  readonly url: string;
  /** Requests forwarded to the emulator, per `Service.Operation`. */
  readonly forwarded: ReadonlyMap<string, number>;
  readonly faults: readonly InjectedFault[];
  /** Every write (Create/Update/Put/Set/Tag/Delete…) that reached the emulator, in arrival order. */
  readonly writes: readonly ForwardedWrite[];
  /** Faults per kind (and optionally per `Service.Operation`). */
  faultCount(kind?: FaultKind, operation?: string): number;
  setRules(rules: readonly FaultRule[]): void;
  /** Clears counters, faults and writes (the rules and the seed stay). */
  resetCounters(): void;
  close(): Promise<void>;
}

/** SigV4 credential scope service → the name the controller counts calls under. */
const SERVICE_OF_SCOPE: Record<string, string> = {
  sqs: 'SQS',
  lambda: 'Lambda',
  monitoring: 'CloudWatch',
  tagging: 'ResourceGroupsTaggingAPI',
  dynamodb: 'DynamoDB',
  sns: 'SNS',
  events: 'EventBridge',
  s3: 'S3',
};

/** Lambda's REST paths (the 2015-03-31 and 2019-09-25 APIs edaguard and the seeder call). */
const LAMBDA_ROUTES: ReadonlyArray<[string, RegExp, string]> = [
  ['GET', /^\/2015-03-31\/event-source-mappings\/?$/, 'ListEventSourceMappings'],
  ['POST', /^\/2015-03-31\/event-source-mappings\/?$/, 'CreateEventSourceMapping'],
  ['GET', /^\/2015-03-31\/event-source-mappings\/[^/]+$/, 'GetEventSourceMapping'],
  ['PUT', /^\/2015-03-31\/event-source-mappings\/[^/]+$/, 'UpdateEventSourceMapping'],
  ['DELETE', /^\/2015-03-31\/event-source-mappings\/[^/]+$/, 'DeleteEventSourceMapping'],
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions'],
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+$/, 'GetFunction'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/configuration$/, 'GetFunctionConfiguration'],
  ['PUT', /^\/2019-09-25\/functions\/[^/]+\/event-invoke-config$/, 'PutFunctionEventInvokeConfig'],
  ['POST', /^\/2019-09-25\/functions\/[^/]+\/event-invoke-config$/, 'UpdateFunctionEventInvokeConfig'],
  ['GET', /^\/2019-09-25\/functions\/[^/]+\/event-invoke-config$/, 'GetFunctionEventInvokeConfig'],
  ['DELETE', /^\/2019-09-25\/functions\/[^/]+\/event-invoke-config$/, 'DeleteFunctionEventInvokeConfig'],
  ['GET', /^\/2017-03-31\/tags\/.+$/, 'ListTags'],
  ['POST', /^\/2017-03-31\/tags\/.+$/, 'TagResource'],
];

/** Which service and operation an HTTP request is: X-Amz-Target, Action form field, or REST route. */
export function identifyOperation(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): OperationId {
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''));
  const service = SERVICE_OF_SCOPE[scope?.[1] ?? ''] ?? scope?.[1] ?? 'unknown';
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    return { service, operation: target.slice(target.lastIndexOf('.') + 1) };
  }
  const path = url.split('?')[0] ?? url;
  if (service === 'Lambda') {
    const route = LAMBDA_ROUTES.find(([m, re]) => m === method && re.test(path));
    if (route) return { service, operation: route[2] };
  }
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body);
  if (action?.[1]) return { service, operation: action[1] };
  if (service === 'S3') {
    if (method === 'GET' && path === '/') return { service, operation: 'ListBuckets' };
    if (url.includes('?notification')) {
      return {
        service,
        operation:
          method === 'GET' ? 'GetBucketNotificationConfiguration' : 'PutBucketNotificationConfiguration',
      };
    }
  }
  return { service, operation: `${method} ${path}` };
}

/** What a write is about, from its body or path: for the test's "what was written where". */
export function writeResource(op: OperationId, url: string, body: string): string {
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // not JSON (query or XML protocol, or an empty body)
  }
  const pick = (...keys: string[]) =>
    keys.map((k) => json[k]).find((v) => typeof v === 'string') as string | undefined;
  switch (op.service) {
    case 'SQS': {
      const name = pick('QueueName');
      if (name) return name;
      const queueUrl = pick('QueueUrl');
      return queueUrl ? (queueUrl.split('/').pop() ?? queueUrl) : '?';
    }
    case 'Lambda': {
      const segments = (url.split('?')[0] ?? '').split('/').filter(Boolean);
      // /2015-03-31/event-source-mappings/<uuid> or /2019-09-25/functions/<name>/event-invoke-config
      return decodeURIComponent(segments[2] ?? pick('FunctionName') ?? '?');
    }
    case 'CloudWatch':
      return pick('AlarmName') ?? '?';
    case 'DynamoDB':
      return pick('TableName') ?? '?';
    default:
      return pick('QueueName', 'Name', 'FunctionName') ?? (url.split('?')[0] || '?');
  }
}

interface Shaped {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (version: '1.0' | '1.1') => `application/x-amz-json-${version}`;

/**
 * Throttling as each service sends it, for the protocol the installed SDK speaks:
 * - SQS (AWS JSON 1.0, query-compatible): `RequestThrottled`, HTTP 403 as its service model
 *   declares it (the API reference says 400; the SDK classifies by name either way), with the
 *   `x-amzn-query-error: RequestThrottled;Sender` header query-compatible services add.
 * - Lambda (REST-JSON): HTTP 429 `TooManyRequestsException` in `x-amzn-ErrorType`, with the
 *   body Lambda sends (Reason CallerRateLimitExceeded). No Retry-After header: Lambda sends one
 *   only sometimes, and the SDK would wait it out (seconds) rather than back off.
 * - CloudWatch (AWS JSON 1.0, query-compatible): HTTP 400, query code `Throttling`.
 * - Resource Groups Tagging (JSON 1.1): HTTP 400 `ThrottledException`, its modelled throttle.
 * - DynamoDB (JSON 1.0) and EventBridge (JSON 1.1): HTTP 400 `ThrottlingException`.
 * - SNS (query XML): HTTP 400 `Throttling`. S3 (REST XML): HTTP 503 `SlowDown`.
 */
function throttleShape(service: string): Shaped {
  const message = 'Rate exceeded';
  switch (service) {
    case 'SQS':
      return {
        status: 403,
        headers: {
          'content-type': json('1.0'),
          'x-amzn-query-error': 'RequestThrottled;Sender',
        },
        body: JSON.stringify({
          __type: 'com.amazonaws.sqs#RequestThrottled',
          message: 'Request is throttled.',
        }),
      };
    case 'Lambda':
      return {
        status: 429,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
        body: JSON.stringify({ Reason: 'CallerRateLimitExceeded', Type: 'User', message }),
      };
    case 'CloudWatch':
      return {
        status: 400,
        headers: { 'content-type': json('1.0'), 'x-amzn-query-error': 'Throttling;Sender' },
        body: JSON.stringify({ __type: 'com.amazon.coral.availability#ThrottlingException', message }),
      };
    case 'ResourceGroupsTaggingAPI':
      return {
        status: 400,
        headers: { 'content-type': json('1.1') },
        body: JSON.stringify({ __type: 'ThrottledException', Message: message }),
      };
    case 'DynamoDB':
      return {
        status: 400,
        headers: { 'content-type': json('1.0') },
        body: JSON.stringify({ __type: 'com.amazon.coral.availability#ThrottlingException', message }),
      };
    case 'SNS':
      return xmlError(400, 'Sender', 'Throttling', message);
    case 'S3':
      return xmlError(503, 'Sender', 'SlowDown', 'Please reduce your request rate.');
    default:
      return {
        status: 400,
        headers: { 'content-type': json('1.1') },
        body: JSON.stringify({ __type: 'ThrottlingException', message }),
      };
  }
}

/** 500 or 503, in the service's protocol. */
function serverErrorShape(service: string, status: 500 | 503): Shaped {
  const code = status === 500 ? 'InternalFailure' : 'ServiceUnavailable';
  const message =
    status === 500 ? 'We encountered an internal error. Please try again.' : 'Service unavailable';
  switch (service) {
    case 'SQS':
    case 'CloudWatch':
      return {
        status,
        headers: { 'content-type': json('1.0'), 'x-amzn-query-error': `${code};Receiver` },
        body: JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }),
      };
    case 'Lambda':
      return {
        status,
        headers: {
          'content-type': 'application/json',
          'x-amzn-errortype': status === 500 ? 'ServiceException' : 'ServiceUnavailableException',
        },
        body: JSON.stringify({ Type: 'Service', message }),
      };
    case 'SNS':
    case 'S3':
      return xmlError(status, 'Receiver', code, message);
    default:
      return {
        status,
        headers: { 'content-type': json(service === 'DynamoDB' ? '1.0' : '1.1') },
        body: JSON.stringify({ __type: code, message }),
      };
  }
}

function xmlError(status: number, type: string, code: string, message: string): Shaped {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`,
  };
}

/** A number in [0, 1) from a string: the fault decision, independent of arrival order. */
function unitFromHash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

function matches(rule: FaultRule, op: OperationId): boolean {
  return (
    (rule.service === undefined || rule.service === op.service) &&
    (rule.operation === undefined || rule.operation === op.operation)
  );
}

export async function startFaultProxy(upstream: string, options: FaultProxyOptions): Promise<FaultProxy> {
  const up = new URL(upstream);
  const slowDelayMs = options.slowDelayMs ?? 3_000;
  let rules: readonly FaultRule[] = options.rules ?? [];
  const forwarded = new Map<string, number>();
  const faults: InjectedFault[] = [];
  const writes: ForwardedWrite[] = [];
  /** How many times each request (by content) was seen: a retry is a new draw. */
  const seen = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let selfHost = '';

  const decide = (op: OperationId, key: string): { kind: FaultKind; draw: number } | undefined => {
    const rule = rules.find((r) => matches(r, op));
    if (!rule || rule.rate <= 0 || rule.kinds.length === 0) return undefined;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const base = `${options.seed}\u0000${key}\u0000${n}`;
    if (unitFromHash(`${base}\u0000fault`) >= rule.rate) return undefined;
    const draw = unitFromHash(`${base}\u0000kind`);
    return { kind: rule.kinds[Math.floor(draw * rule.kinds.length)] as FaultKind, draw };
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    op: OperationId,
    onAnswer: (status: number, headers: IncomingMessage['headers'], payload: Buffer) => void,
    onError: () => void,
  ) => {
    const label = `${op.service}.${op.operation}`;
    forwarded.set(label, (forwarded.get(label) ?? 0) + 1);
    exchangeUpstream(up, req, body).then((a) => onAnswer(a.status, a.headers, a.body), onError);
  };

  const send = (res: ServerResponse, shaped: Shaped) => {
    if (res.destroyed) return;
    res.writeHead(shaped.status, { ...shaped.headers, 'content-length': Buffer.byteLength(shaped.body) });
    res.end(shaped.body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const url = req.url ?? '/';
      const op = identifyOperation(req.method ?? 'GET', url, req.headers, text);
      // The request's identity without the ports that change from run to run.
      const key = `${op.service}.${op.operation} ${req.method} ${url} ${text}`.replaceAll(selfHost, 'proxy');
      const fault = decide(op, key);
      const record = (status?: number) =>
        faults.push({ ...op, kind: fault?.kind as FaultKind, ...(status !== undefined ? { status } : {}) });
      const recordWrite = (status: number, answerLost: boolean) => {
        if (isWriteOperation(op.operation)) {
          writes.push({ ...op, resource: writeResource(op, url, text), body: text, status, answerLost });
        }
      };
      const upstreamFailed = () => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(502);
          res.end();
        }
      };
      switch (fault?.kind) {
        case 'throttle': {
          const shaped = throttleShape(op.service);
          record(shaped.status);
          return send(res, shaped);
        }
        case 'server-error': {
          const shaped = serverErrorShape(op.service, (fault.draw * 2) % 1 < 0.5 ? 500 : 503);
          record(shaped.status);
          return send(res, shaped);
        }
        case 'drop-before':
          record();
          req.socket.destroy();
          return;
        case 'drop-after':
          record();
          return forward(
            req,
            body,
            op,
            (status) => {
              recordWrite(status, true);
              req.socket.destroy();
            },
            () => req.socket.destroy(),
          );
        case 'slow':
          record();
          return forward(
            req,
            body,
            op,
            (status, headers, payload) => {
              recordWrite(status, true);
              const timer = setTimeout(() => {
                timers.delete(timer);
                if (res.destroyed) return;
                res.writeHead(status, headers);
                res.end(payload);
              }, slowDelayMs);
              timers.add(timer);
            },
            upstreamFailed,
          );
        default:
          return forward(
            req,
            body,
            op,
            (status, headers, payload) => {
              recordWrite(status, false);
              if (res.destroyed) return;
              res.writeHead(status, headers);
              res.end(payload);
            },
            upstreamFailed,
          );
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  selfHost = `127.0.0.1:${port}`;

  return {
    url: `http://${selfHost}`,
    forwarded,
    faults,
    writes,
    faultCount(kind, operation) {
      return faults.filter(
        (f) =>
          (kind === undefined || f.kind === kind) &&
          (operation === undefined ||
            `${f.service}.${f.operation}` === operation ||
            f.operation === operation),
      ).length;
    },
    setRules(next) {
      rules = next;
    },
    resetCounters() {
      forwarded.clear();
      faults.length = 0;
      writes.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One rule for every service and operation. */
export const everywhere = (rate: number, kinds: readonly FaultKind[] = FAULT_KINDS): FaultRule[] => [
  { rate, kinds },
];
