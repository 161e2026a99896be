/**
 * Whether a record in the queue may be replayed as it says. The body names the function to invoke
 * and the stream to read, and anyone who can send to the queue can write a body: so replay invokes
 * a record's function only when that function really sends its failures to this queue (an event
 * source mapping's or an event-invoke config's on-failure destination, directly or through an SNS
 * topic the queue subscribes to), and never reads a stream in another account or region than the
 * queue's. The operator can name the function instead (`--function`); the stream rule stays.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import { parseArn, unqualifiedFunctionArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import type { FailureRecord } from './records.js';

export interface OriginClients {
  lambda: Pick<LambdaClient, 'send'>;
  /** For destinations that are SNS topics; without it such a destination is not accepted. */
  sns?: Pick<SNSClient, 'send'>;
}

const sameAccountAndRegion = (a: string, b: string) => {
  const x = parseArn(a);
  const y = parseArn(b);
  return x.partition === y.partition && x.accountId === y.accountId && x.region === y.region;
};

/** Why a stream may not be read for this queue; undefined when it may. */
export function streamRefusal(record: FailureRecord, queueArn: string): string | undefined {
  if (record.kind === 'async') return undefined;
  const stream = record.batch.streamArn;
  const service = record.kind === 'kinesis' ? 'kinesis' : 'dynamodb';
  let arn: ReturnType<typeof parseArn>;
  try {
    arn = parseArn(stream);
  } catch {
    return `the record's stream ${stream} is not an ARN`;
  }
  if (arn.service !== service) return `the record's stream ${stream} is not a ${service} stream`;
  if (!sameAccountAndRegion(stream, queueArn))
    return `the record's stream ${stream} is in another account or region than the queue ${queueArn}: not read`;
  return undefined;
}

/** Checks a function's on-failure destinations against the queue, caching each answer for the run. */
export class OriginCheck {
  private readonly answers = new Map<string, Promise<string | undefined>>();
  private readonly topics = new Map<string, Promise<boolean>>();

  constructor(
    private readonly clients: OriginClients,
    private readonly queueArn: string,
  ) {}

  /** Why the record's function may not be invoked from this queue; undefined when it may. */
  refusal(record: FailureRecord): Promise<string | undefined> {
    const key = `${record.kind}|${unqualifiedFunctionArn(record.functionArn)}|${
      record.kind === 'async' ? '' : record.batch.streamArn
    }`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = this.check(record).catch((error: { name?: string; message?: string }) => {
        return `could not check the function's on-failure destination (${error.name ?? 'Error'}: ${error.message ?? ''})`;
      });
      this.answers.set(key, answer);
    }
    return answer;
  }

  private async check(record: FailureRecord): Promise<string | undefined> {
    const fn = unqualifiedFunctionArn(record.functionArn);
    if (parseArn(fn).service !== 'lambda' || !sameAccountAndRegion(fn, this.queueArn))
      return `${record.functionArn} is not a function in the queue's account and region`;
    const destinations =
      record.kind === 'async'
        ? await this.invokeConfigDestinations(fn, record.functionArn)
        : await this.mappingDestinations(fn, record.batch.streamArn);
    for (const destination of destinations) if (await this.namesQueue(destination)) return undefined;
    const source =
      record.kind === 'async' ? 'event-invoke config' : `event source mapping of ${record.batch.streamArn}`;
    return `${fn} has no ${source} whose on-failure destination is ${this.queueArn}`;
  }

  /** The unqualified function's config and, when the record names one, its version's or alias's. */
  private async invokeConfigDestinations(fn: string, recordArn: string): Promise<string[]> {
    const { GetFunctionEventInvokeConfigCommand } = await sdk.lambda();
    const names = [...new Set([fn, recordArn.endsWith(':$LATEST') ? fn : recordArn])];
    const out: string[] = [];
    for (const name of names) {
      try {
        const config = await this.clients.lambda.send(
          new GetFunctionEventInvokeConfigCommand({ FunctionName: name }),
        );
        const destination = config.DestinationConfig?.OnFailure?.Destination;
        if (destination) out.push(destination);
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      }
    }
    return out;
  }

  private async mappingDestinations(fn: string, streamArn: string): Promise<string[]> {
    const { ListEventSourceMappingsCommand } = await sdk.lambda();
    const out: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.clients.lambda.send(
        new ListEventSourceMappingsCommand({ EventSourceArn: streamArn, Marker }),
      );
      for (const mapping of page.EventSourceMappings ?? []) {
        const destination = mapping.DestinationConfig?.OnFailure?.Destination;
        if (destination && mapping.FunctionArn && unqualifiedFunctionArn(mapping.FunctionArn) === fn)
          out.push(destination);
      }
      Marker = page.NextMarker;
    } while (Marker);
    return out;
  }

  /** The queue itself, or an SNS topic the queue subscribes to. */
  private async namesQueue(destination: string): Promise<boolean> {
    if (destination === this.queueArn) return true;
    if (!destination.startsWith('arn:') || parseArn(destination).service !== 'sns' || !this.clients.sns)
      return false;
    let subscribed = this.topics.get(destination);
    if (!subscribed) {
      subscribed = this.subscribes(destination);
      this.topics.set(destination, subscribed);
    }
    return subscribed;
  }

  private async subscribes(topicArn: string): Promise<boolean> {
    const { ListSubscriptionsByTopicCommand } = await sdk.sns();
    let NextToken: string | undefined;
    do {
      const page = await (this.clients.sns as Pick<SNSClient, 'send'>).send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }),
      );
      if ((page.Subscriptions ?? []).some((s) => s.Protocol === 'sqs' && s.Endpoint === this.queueArn))
        return true;
      NextToken = page.NextToken;
    } while (NextToken);
    return false;
  }
}
