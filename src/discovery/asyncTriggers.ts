import {
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetBucketNotificationConfigurationCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListSubscriptionsCommand } from '@aws-sdk/client-sns';
import { unqualifiedFunctionArn } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';

/**
 * Functions that AWS invokes asynchronously, and what invokes them: SNS subscriptions with the
 * lambda protocol, EventBridge rule targets (every bus) and S3 bucket notifications. Keyed by
 * unqualified function ARN. These are the callers whose failed events only an event-invoke
 * config's retry limits and on-failure destination catch.
 */
export async function findAsyncInvokers(
  aws: AwsClients,
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<Map<string, string[]>> {
  const invokers = new Map<string, string[]>();
  const add = (functionArn: string | undefined, source: string) => {
    if (!functionArn?.includes(':function:')) return;
    const key = unqualifiedFunctionArn(functionArn);
    const list = invokers.get(key) ?? [];
    if (!list.includes(source)) list.push(source);
    invokers.set(key, list);
  };
  await Promise.all([
    (async () => {
      let token: string | undefined;
      do {
        const page = await aws.sns.send(new ListSubscriptionsCommand(token ? { NextToken: token } : {}));
        for (const s of page.Subscriptions ?? [])
          if (s.Protocol === 'lambda' && s.TopicArn) add(s.Endpoint, s.TopicArn);
        token = page.NextToken || undefined;
      } while (token);
    })(),
    (async () => {
      const buses: string[] = [];
      let busToken: string | undefined;
      do {
        const page = await aws.eventbridge.send(
          new ListEventBusesCommand(busToken ? { NextToken: busToken } : {}),
        );
        for (const b of page.EventBuses ?? []) if (b.Name) buses.push(b.Name);
        busToken = page.NextToken || undefined;
      } while (busToken);
      const rules: Array<{ name: string; arn: string; bus: string }> = [];
      for (const bus of buses) {
        let token: string | undefined;
        do {
          const page = await aws.eventbridge.send(
            new ListRulesCommand({ EventBusName: bus, ...(token ? { NextToken: token } : {}) }),
          );
          for (const r of page.Rules ?? [])
            if (r.Name && r.Arn) rules.push({ name: r.Name, arn: r.Arn, bus });
          token = page.NextToken || undefined;
        } while (token);
      }
      await Promise.all(
        rules.map((rule) =>
          limit(async () => {
            let token: string | undefined;
            do {
              const page = await aws.eventbridge.send(
                new ListTargetsByRuleCommand({
                  Rule: rule.name,
                  EventBusName: rule.bus,
                  ...(token ? { NextToken: token } : {}),
                }),
              );
              for (const t of page.Targets ?? []) add(t.Arn, rule.arn);
              token = page.NextToken || undefined;
            } while (token);
          }),
        ),
      );
    })(),
    (async () => {
      const buckets = (await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? [];
      await Promise.all(
        buckets.map((bucket) =>
          limit(async () => {
            if (!bucket.Name) return;
            const config = await aws.s3.send(
              new GetBucketNotificationConfigurationCommand({ Bucket: bucket.Name }),
            );
            for (const c of config.LambdaFunctionConfigurations ?? [])
              add(c.LambdaFunctionArn, `arn:aws:s3:::${bucket.Name}`);
          }),
        ),
      );
    })(),
  ]);
  return invokers;
}
