/**
 * The async-edges benchmark (issue #13), part of `npm run bench`: an account of T tagged SNS
 * topics with 3 SQS subscriptions each and R tagged EventBridge rules with 2 SQS targets each,
 * none with a DLQ. One policy: sns-subscription-dlq and eventbridge-target-dlq (create), and
 * dlq-delivery-permission. Phases, each with its own clients and CallCounter: plan (read-only),
 * reconcile #1 (fixes everything), reconcile #2 (converged: must write nothing). It reports the
 * calls per operation beside the least any controller needs (one ListSubscriptionsByTopic page
 * per topic, one ListTargetsByRule per rule, …) and writes its own section of docs/benchmarks.md.
 *
 * Environment: EDAGUARD_BENCH_TOPICS (default 200), EDAGUARD_BENCH_RULES (default 200).
 *   Quick check: EDAGUARD_BENCH_TOPICS=10 EDAGUARD_BENCH_RULES=10 npx tsx bench/asyncEdges.bench.ts
 */
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import pLimit from 'p-limit';
import pino from 'pino';
import { resolveRuntimeSettings } from '../src/config/runtime.js';
import { discoverAndPlan, runCycle } from '../src/cycle.js';
import { parsePolicySources } from '../src/policy/loader.js';
import { plannedActions } from '../src/reconcile/model.js';
import { emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { createSeeder, type Seeder } from '../test/support/seed.js';
import { replaceDocSection } from './docSection.js';
import { measure, type PhaseResult } from './reconcile/measure.js';
import { motoCpuReader } from './reconcile/moto.js';
import { OUTPUT } from './reconcile/parameters.js';

const intEnv = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
};
const TOPICS = intEnv('EDAGUARD_BENCH_TOPICS', 200);
const RULES = intEnv('EDAGUARD_BENCH_RULES', 200);
const SUBSCRIPTIONS_PER_TOPIC = 3;
const TARGETS_PER_RULE = 2;
const PAGE = { subscriptions: 100, rules: 100, targets: 100 };

const POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: bench-async-edges }
spec:
  enforcement: enforce
  match: { resourceTypes: [sns:topic, events:rule], tags: { team: bench } }
  rules:
    sns-subscription-dlq: { create: {} }
    eventbridge-target-dlq: { create: {} }
    dlq-delivery-permission: {}
`;

async function seed(seeder: Seeder): Promise<void> {
  const limit = pLimit(16);
  const consumers = await Promise.all(
    Array.from({ length: SUBSCRIPTIONS_PER_TOPIC }, (_, i) => seeder.queue(`bench-consumer-${i}`)),
  );
  const tags = [{ Key: 'team', Value: 'bench' }];
  await Promise.all(
    Array.from({ length: TOPICS }, (_, t) =>
      limit(async () => {
        const topic = await seeder.sns.send(new CreateTopicCommand({ Name: `bench-topic-${t}`, Tags: tags }));
        for (const q of consumers)
          await seeder.sns.send(
            new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: q.arn }),
          );
      }),
    ),
  );
  await Promise.all(
    Array.from({ length: RULES }, (_, r) =>
      limit(async () => {
        const name = `bench-rule-${r}`;
        await seeder.eventbridge.send(
          new PutRuleCommand({
            Name: name,
            EventPattern: JSON.stringify({ source: [`bench.${r}`] }),
            Tags: tags,
          }),
        );
        const targets = consumers
          .slice(0, TARGETS_PER_RULE)
          .map((q, i) => ({ Id: `target-${i}`, Arn: q.arn, InputPath: '$.detail' }));
        await seeder.eventbridge.send(new PutTargetsCommand({ Rule: name, Targets: targets }));
      }),
    ),
  );
}

/** The least calls of each per-resource read, and the writes the drift needs. */
const MINIMUM: Record<string, { plan: number; write?: number }> = {
  'SNS ListSubscriptionsByTopic': { plan: TOPICS * Math.ceil(SUBSCRIPTIONS_PER_TOPIC / PAGE.subscriptions) },
  'SNS GetSubscriptionAttributes': { plan: TOPICS * SUBSCRIPTIONS_PER_TOPIC },
  'EventBridge ListRules': { plan: Math.ceil(RULES / PAGE.rules) },
  'EventBridge ListTagsForResource': { plan: RULES },
  'EventBridge ListTargetsByRule': { plan: RULES * Math.ceil(TARGETS_PER_RULE / PAGE.targets) },
  'SQS CreateQueue': { plan: 0, write: TOPICS + RULES },
  'SNS SetSubscriptionAttributes': { plan: 0, write: TOPICS * SUBSCRIPTIONS_PER_TOPIC },
  'EventBridge PutTargets': { plan: 0, write: RULES },
  'SQS SetQueueAttributes': { plan: 0, write: TOPICS + RULES },
};

const callsOf = (phase: PhaseResult<unknown>) => {
  const byOp = new Map<string, number>();
  for (const c of phase.calls)
    byOp.set(`${c.service} ${c.operation}`, (byOp.get(`${c.service} ${c.operation}`) ?? 0) + c.count);
  return byOp;
};
const isWrite = (op: string) =>
  /^\S+ (Create|Update|Put|Set|Tag|Untag|Delete|Add|Remove|Start|Increase)/.test(op);
const total = (m: Map<string, number>, write: boolean) =>
  [...m].filter(([op]) => isWrite(op) === write).reduce((n, [, c]) => n + c, 0);

function section(phases: PhaseResult<unknown>[], plannedWrites: number, seedMs: number): string {
  const calls = phases.map(callsOf);
  const ops = [...new Set(calls.flatMap((m) => [...m.keys()]))].sort();
  const rows = ops.map((op) => {
    const min = MINIMUM[op];
    const minimum = min
      ? min.write !== undefined
        ? `${min.plan} / ${min.write} writes`
        : String(min.plan)
      : '';
    return `| ${op} | ${calls.map((m) => m.get(op) ?? 0).join(' | ')} | ${minimum} |`;
  });
  const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  return [
    '<!-- async-edges: written by bench/asyncEdges.bench.ts; do not edit by hand: run `npm run bench` to refresh -->',
    '',
    '## Async edges: SNS subscriptions and EventBridge targets',
    '',
    `Command: \`EDAGUARD_BENCH_TOPICS=${TOPICS} EDAGUARD_BENCH_RULES=${RULES} npx tsx bench/asyncEdges.bench.ts\` (part of \`npm run bench\`). ` +
      `${TOPICS} tagged topics × ${SUBSCRIPTIONS_PER_TOPIC} SQS subscriptions and ${RULES} tagged rules × ${TARGETS_PER_RULE} SQS targets, none with a DLQ (seeded in ${secs(seedMs)}); ` +
      'policy: `sns-subscription-dlq` and `eventbridge-target-dlq` with `create`, and `dlq-delivery-permission`. moto 5.2.1 on loopback, 2 cores.',
    '',
    '| phase | wall | CPU (edaguard) | peak RSS | reads | writes |',
    '|---|---|---|---|---|---|',
    ...phases.map(
      (p, i) =>
        `| ${p.name} | ${secs(p.wallMs)} | ${secs(p.cpuMs)} | ${mib(p.peakRssBytes)} | ${total(calls[i] as Map<string, number>, false)} | ${total(calls[i] as Map<string, number>, true)} |`,
    ),
    '',
    `The plan found ${plannedWrites} writes. Calls per operation (plan, reconcile #1, reconcile #2) beside the least any controller needs (per-resource reads of one cycle; the writes the drift needs):`,
    '',
    `| operation | ${phases.map((p) => p.name).join(' | ')} | minimum |`,
    `|---|${phases.map(() => '---|').join('')}---|`,
    ...rows,
    '',
    '<!-- /async-edges -->',
  ].join('\n');
}

async function main(): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const emulator = await startEmulator({ timeoutMs: 60_000 });
  Object.assign(process.env, emulatorEnv(emulator.endpoint), {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const seeder = createSeeder(emulator.endpoint);
  try {
    log(
      `async-edges bench: ${TOPICS} topics × ${SUBSCRIPTIONS_PER_TOPIC}, ${RULES} rules × ${TARGETS_PER_RULE}; seeding...`,
    );
    const seedStart = performance.now();
    await seed(seeder);
    const seedMs = performance.now() - seedStart;
    const policySet = parsePolicySources([{ file: 'bench-async-edges.yaml', text: POLICY }]);
    const settings = { ...resolveRuntimeSettings({}, process.env), maxChanges: 100_000, verifyDelayMs: 10 };
    const logger = pino({ level: process.env.EDAGUARD_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const motoCpu = motoCpuReader(emulator.port);
    const plan = await measure('plan', settings, motoCpu, (aws) =>
      discoverAndPlan(policySet, aws, { settings, logger }),
    );
    const plannedWrites = plannedActions(plan.value.plan).length;
    log(`plan: ${(plan.wallMs / 1000).toFixed(2)} s, ${plannedWrites} writes planned`);
    const cycle = (name: string) =>
      measure(name, settings, motoCpu, (aws) =>
        runCycle(policySet, aws, { settings, dryRun: false, logger }),
      );
    const first = await cycle('reconcile #1');
    log(`reconcile #1: ${(first.wallMs / 1000).toFixed(2)} s`);
    const second = await cycle('reconcile #2');
    log(`reconcile #2: ${(second.wallMs / 1000).toFixed(2)} s`);
    const phases = [plan, first, second] as PhaseResult<unknown>[];
    await replaceDocSection(
      OUTPUT,
      '<!-- async-edges:',
      '<!-- /async-edges -->',
      section(phases, plannedWrites, seedMs),
    );
    const failures: string[] = [];
    const expectedWrites = Object.values(MINIMUM).reduce((n, m) => n + (m.write ?? 0), 0);
    if (plannedWrites !== expectedWrites)
      failures.push(`planned ${plannedWrites} writes, expected ${expectedWrites}`);
    const secondWrites = total(callsOf(second), true);
    if (secondWrites !== 0) failures.push(`reconcile #2 made ${secondWrites} writes, expected 0`);
    for (const [op, min] of Object.entries(MINIMUM)) {
      const got = callsOf(plan).get(op) ?? 0;
      if (min.plan > 0 && got > min.plan) failures.push(`plan: ${op} ${got} calls, minimum ${min.plan}`);
    }
    for (const f of failures) log(`FAIL ${f}`);
    log(failures.length === 0 ? 'async-edges bench: all checks passed' : 'async-edges bench: checks failed');
    return failures.length === 0 ? 0 : 1;
  } finally {
    seeder.destroy();
    await emulator.stop();
  }
}

process.exitCode = await main();
