import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { unqualifiedFunctionArn } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { sdk } from '../aws/sdk.js';
import { allPages } from './eventBridgePages.js';

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** One caller of a function: the function ARN as the caller names it, and the caller's ARN. */
interface Invocation {
  readonly functionArn: string | undefined;
  readonly source: string;
}

/**
 * Functions that AWS invokes asynchronously, and what invokes them: SNS subscriptions with the
 * lambda protocol, EventBridge rule targets (every bus) and S3 bucket notifications. Keyed by
 * unqualified function ARN. These are the callers whose failed events only an event-invoke
 * config's retry limits and on-failure destination catch.
 */
export async function findAsyncInvokers(aws: AwsClients, limit: Limit): Promise<Map<string, string[]>> {
  const found = await Promise.all([
    snsInvocations(aws.sns),
    eventBridgeInvocations(aws.eventbridge, limit),
    s3Invocations(aws.s3, limit),
  ]);
  return invokersByFunction(found.flat());
}

/** Pure: invocations → callers per unqualified function ARN (targets that are not functions dropped). */
export function invokersByFunction(invocations: readonly Invocation[]): Map<string, string[]> {
  const invokers = new Map<string, string[]>();
  for (const { functionArn, source } of invocations) {
    if (!functionArn?.includes(':function:')) continue;
    const key = unqualifiedFunctionArn(functionArn);
    const list = invokers.get(key) ?? [];
    if (!list.includes(source)) list.push(source);
    invokers.set(key, list);
  }
  return invokers;
}

async function snsInvocations(sns: SNSClient): Promise<Invocation[]> {
  const { paginateListSubscriptions } = await sdk.sns();
  const found: Invocation[] = [];
  for await (const page of paginateListSubscriptions({ client: sns }, {})) {
    for (const s of page.Subscriptions ?? [])
      if (s.Protocol === 'lambda' && s.TopicArn) found.push({ functionArn: s.Endpoint, source: s.TopicArn });
  }
  return found;
}

async function eventBridgeInvocations(eventbridge: EventBridgeClient, limit: Limit): Promise<Invocation[]> {
  const { ListEventBusesCommand, ListRulesCommand } = await sdk.eventbridge();
  const busPages = await allPages((token) =>
    eventbridge.send(new ListEventBusesCommand(token ? { NextToken: token } : {})),
  );
  const buses = busPages.flatMap((p) => p.EventBuses ?? []).flatMap((b) => (b.Name ? [b.Name] : []));
  const rules: Array<{ name: string; arn: string; bus: string }> = [];
  for (const bus of buses) {
    const pages = await allPages((token) =>
      eventbridge.send(new ListRulesCommand({ EventBusName: bus, ...(token ? { NextToken: token } : {}) })),
    );
    for (const r of pages.flatMap((p) => p.Rules ?? []))
      if (r.Name && r.Arn) rules.push({ name: r.Name, arn: r.Arn, bus });
  }
  const perRule = await Promise.all(
    rules.map((rule) =>
      limit(async () => {
        const { ListTargetsByRuleCommand } = await sdk.eventbridge();
        const pages = await allPages((token) =>
          eventbridge.send(
            new ListTargetsByRuleCommand({
              Rule: rule.name,
              EventBusName: rule.bus,
              ...(token ? { NextToken: token } : {}),
            }),
          ),
        );
        return pages.flatMap((p) => p.Targets ?? []).map((t) => ({ functionArn: t.Arn, source: rule.arn }));
      }),
    ),
  );
  return perRule.flat();
}

async function s3Invocations(s3: S3Client, limit: Limit): Promise<Invocation[]> {
  const { paginateListBuckets } = await sdk.s3();
  const names: string[] = [];
  for await (const page of paginateListBuckets({ client: s3 }, {}))
    for (const bucket of page.Buckets ?? []) if (bucket.Name) names.push(bucket.Name);
  const perBucket = await Promise.all(
    names.map((name) =>
      limit(async () => {
        const { GetBucketNotificationConfigurationCommand } = await sdk.s3();
        const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: name }));
        return (config.LambdaFunctionConfigurations ?? []).map((c) => ({
          functionArn: c.LambdaFunctionArn,
          source: `arn:aws:s3:::${name}`,
        }));
      }),
    ),
  );
  return perBucket.flat();
}
