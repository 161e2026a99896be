/** The sections about the run: how it was made, the seeded account, time and memory, the Lambda rate. */
import os from 'node:os';
import type { AsyncConfig, AsyncSource, StreamKind } from './account.js';
import { totals } from './callRows.js';
import { mib, perSec, secs } from './format.js';
import { motoVersion } from './moto.js';
import {
  CONSUMER_FUNCTIONS,
  CUSTOM_BUS,
  LAMBDA_POLICY,
  OTHER_BUCKETS,
  OTHER_RULES,
  SEED_CONCURRENCY,
} from './parameters.js';
import type { ReportInput } from './report.js';

/** How the run was made: machine, versions, settings, policies, and the overall result. */
export function headerSection(input: ReportInput): string[] {
  const { settings, checks } = input;
  const e = input.expected;
  const cpus = os.cpus();
  const passed = checks.every((c) => c.ok);
  const rps = settings.lambdaRequestsPerSecond;
  const out: string[] = [];
  out.push('Reproduce with:');
  out.push('');
  out.push('```sh');
  out.push('npm run bench');
  out.push('```');
  out.push('');
  out.push(`- Date: ${new Date().toISOString()}`);
  out.push(
    `- Machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
  );
  out.push(`- Node ${process.version}; moto ${motoVersion()} (\`python3 -m moto.server\`, its own process)`);
  out.push(
    `- Settings: applyConcurrency ${settings.applyConcurrency}, readConcurrency ${settings.readConcurrency}, ` +
      `maxChanges ${settings.maxChanges}, verifyAttempts ${settings.verifyAttempts}, verifyDelayMs ${settings.verifyDelayMs}, ` +
      `maxAttempts ${settings.maxAttempts}, **lambdaRequestsPerSecond ${rps}** ` +
      (input.rpsFromEnv
        ? '(from EDAGUARD_LAMBDA_RPS)'
        : '(the bench sets EDAGUARD_LAMBDA_RPS=15, the most the settings allow, instead of the default 10, so that the Lambda-heavy phases take less time; set it to measure another rate)'),
  );
  out.push(
    `- Policies: examples/sandbox/policies/orders.yaml (SQS) and examples/sandbox/policies/orders-lambda.yaml (Lambda side${e.alarmRule ? ' with the stream-iterator-age-alarm rule' : ''}, idempotency stores, FIFO ordering), copied verbatim`,
  );
  out.push(`- Whole run (emulator start, seeding, three phases): ${secs(input.totalMs)}`);
  out.push(`- Result: **${passed ? 'PASS' : 'FAIL'}**`);
  return out;
}

/** The seeded account: its queue mix, its Lambda side, and the changes it needs. */
export function accountSection(input: ReportInput): string[] {
  const { account, expected: e } = input;
  const mix = [...account.mixCounts].map(([kind, count]) => `| ${kind} | ${count} |`).join('\n');
  const asyncBy = (source: AsyncSource) => account.functions.filter((f) => f.async?.source === source).length;
  const asyncConfig = (config: AsyncConfig) =>
    account.functions.filter((f) => f.async?.config === config).length;
  const streamsOf = (kind: StreamKind) => account.streams.filter((s) => s.kind === kind).length;
  const sqsConsumers = [...account.selected, ...account.others].flatMap((q) => q.consumers);
  const out: string[] = [];
  out.push('### The seeded account');
  out.push('');
  out.push(
    `${e.selected} queues tagged \`team=orders\` (all selected by the SQS policy), in this mix (shuffled, deterministic):`,
  );
  out.push('');
  out.push('| kind | queues |');
  out.push('| --- | ---: |');
  out.push(mix);
  out.push('');
  out.push(
    `Besides: ${account.dlqs.length} existing DLQs (untagged; the retention-drifted queues share theirs two by two), ` +
      `${account.others.length} queues of another team (\`team=payments\`, not selected). A tenth of the queues without a DLQ are FIFO.`,
  );
  out.push('');
  out.push(
    `The Lambda side: **${e.functions} functions**, all tagged \`team=orders\` (selected by the Lambda-side policy), ` +
      `timeouts 5–60 s; every other one carries the opt-in tag \`${LAMBDA_POLICY.optInTag.key}=${LAMBDA_POLICY.optInTag.value}\` ` +
      `(the rest an unrelated second tag). **${e.mappings} event source mappings**:`,
  );
  out.push('');
  out.push('| mappings | count | state |');
  out.push('| --- | ---: | --- |');
  out.push(
    `| SQS, from the selected queues and the other team's queues, on ${CONSUMER_FUNCTIONS} consumer functions | ${e.sqsMappings} | ` +
      `${sqsConsumers.filter((c) => c.reportsBatchItemFailures).length} already report batch item failures; the others on opted-in functions need it, on the rest it is a ticket |`,
  );
  out.push(
    `| Kinesis / DynamoDB streams with AWS's defaults (no bisect, infinite retries and record age, no on-failure destination) | ${streamsOf('AWS defaults')} | drifted: bounds and an on-failure queue edaguard creates |`,
  );
  out.push(
    `| streams that bisect and have a destination but retry forever (-1, -1) | ${streamsOf('retries and record age unbounded')} | drifted: bounds only |`,
  );
  out.push(
    `| compliant streams (bisect, 2 retries, 1800 s, destination; ReportBatchItemFailures where opted in) | ${streamsOf('compliant')} | compliant (a ticket where not opted in) |`,
  );
  out.push('');
  out.push(
    `${e.streamMappings} stream mappings, Kinesis and DynamoDB alternately, each on its own stream or table, ` +
      `on ${new Set(account.streams.map((s) => s.fn)).size} functions (some read two). ` +
      `Stream mappings of opted-in functions lacking partial batch responses: these need both rules' fields (${e.mappingsUpdatedTwice} mappings).`,
  );
  out.push('');
  out.push(
    `**${e.asyncFunctions} functions invoked asynchronously**: ${asyncBy('SNS subscription')} by an SNS subscription (one topic each), ` +
      `${asyncBy('EventBridge rule')} by an EventBridge rule (on the default bus and on \`${CUSTOM_BUS}\`), ${asyncBy('S3 notification')} by an S3 bucket notification; ` +
      `${OTHER_RULES} more rules target a queue and ${OTHER_BUCKETS} more buckets notify nothing. Their event-invoke configs: ` +
      `${asyncConfig('none')} have none (2 retries over 6 h, then dropped), ${asyncConfig('retries and event age above the policy')} retry twice for 6 h ` +
      `(with a destination), ${asyncConfig('compliant')} are compliant.`,
  );
  out.push('');
  out.push(
    `Seeding took ${secs(input.seedMs)} (${SEED_CONCURRENCY} calls at a time); moto started in ${secs(input.emulatorStartMs)}.`,
  );
  out.push('');
  out.push(
    `Changes needed to converge, derived from the seeding alone: **${e.writes}** writes as edaguard makes them, ${e.minWrites} at least: ` +
      `${e.createDlq} CreateQueue for the missing DLQs + ${e.setQueueAttributes} SetQueueAttributes (a RedrivePolicy per queue without a DLQ ` +
      `or with maxReceiveCount outside [3, 5], a VisibilityTimeout per queue below 6 × its consumer's timeout + batching window, ` +
      `a MessageRetentionPeriod per distinct DLQ keeping messages < 14 days); ${e.failureQueues} CreateQueue for the functions' on-failure queues; ` +
      `${e.mappingUpdates} UpdateEventSourceMapping (${e.mappingsToUpdate} mappings); ${e.putInvokeConfigs} PutFunctionEventInvokeConfig` +
      (e.alarmRule
        ? `; ${e.iteratorAlarms} PutMetricAlarm (an IteratorAge alarm per function reading a stream). `
        : '. ') +
      `${e.ticketMappings} mappings of functions that did not opt in lack partial batch responses: tickets, no write.`,
  );
  return out;
}

/** Each phase in one row: time, CPU, memory, calls. */
export function summarySection(input: ReportInput): string[] {
  const { phases, settings } = input;
  const rps = settings.lambdaRequestsPerSecond;
  const out: string[] = [];
  out.push('### Summary');
  out.push('');
  out.push(
    '| phase | wall time | controller CPU | moto CPU | peak RSS (at start) | peak heap used (at start) | AWS reads (min) | AWS writes (min) | HTTP requests | Lambda requests, max in any 1 s |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of phases) {
    const t = totals(p.rows);
    const r = p.result;
    out.push(
      `| ${r.name} | ${secs(r.wallMs)} | ${secs(r.cpuMs)} | ${r.motoCpuMs !== undefined ? secs(r.motoCpuMs) : 'n/a'} | ` +
        `${mib(r.peakRssBytes)} (${mib(r.rssAtStartBytes)}) | ${mib(r.peakHeapBytes)} (${mib(r.heapAtStartBytes)}) | ` +
        `${t.reads} (${t.minReads}) | ${t.writes} (${t.minWrites}) | ${r.requests.length} | ${p.rate.requests}, ${p.rate.maxStarted.count} |`,
    );
  }
  out.push('');
  out.push(
    `Peak RSS of the bench process over the whole run (\`process.resourceUsage().maxRSS\`): ${mib(input.maxRssKiB * 1024)}. ` +
      'The same process seeds the account first, so each phase also shows RSS and heap sampled every 20 ms ' +
      '(`process.memoryUsage()`) with their values when the phase started. moto runs in its own process and is ' +
      "not counted in RSS; its CPU time is read from /proc. Both share the machine's cores, so wall time is " +
      `bounded by moto's latency as much as by the controller: discovery reads ${settings.readConcurrency} at a time, apply writes ` +
      `${settings.applyConcurrency} at a time, and Lambda requests wait for the rate limit (${rps}/s). ` +
      "moto's server also answers every request with `Connection: close`, so each call opens a new TCP connection " +
      '(against AWS the SDK keeps connections alive). Timings vary by tens of percent between runs on a shared machine ' +
      '(other work was running on it during this run). "HTTP requests" counts attempts (retries included); equal to the call count, it means no call was retried.',
  );
  return out;
}

/** The Lambda request rate of each phase, against edaguard's limit. */
export function lambdaRateSection(input: ReportInput): string[] {
  const { phases, settings } = input;
  const rps = settings.lambdaRequestsPerSecond;
  const out: string[] = [];
  out.push('### Lambda request rate');
  out.push('');
  out.push(
    `Lambda's control-plane quota (about 15 requests/s per account and region, reads and writes together) is shared with deploy ` +
      `pipelines; edaguard limits its own Lambda requests to lambdaRequestsPerSecond (${rps} here). The bench times every Lambda HTTP ` +
      "request from the outside: a middleware in the deserialize step, which runs once per attempt after edaguard's rate limit " +
      '(finalizeRequest step) let it go. "max started in any 1 s" slides a 1-second window over those start times; "max completed" does the same with ' +
      'the CallCounter.onCall times (when each command finished). "span" runs from the first Lambda request to the end of the last.',
  );
  out.push('');
  out.push(
    '| phase | Lambda calls | HTTP requests | phase wall | calls / wall | span | requests / span | max started in any 1 s (window start) | max started in any 0.9 s | max completed in any 1 s | limit | result | seconds with only Lambda requests starting |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const p of phases) {
    const r = p.rate;
    out.push(
      `| ${p.result.name} | ${r.calls} | ${r.requests} | ${secs(r.wallMs)} | ${perSec(r.calls, r.wallMs)} | ${secs(r.spanMs)} (from ${secs(r.firstStartMs)}) | ` +
        `${perSec(r.requests, r.spanMs)} | ${r.maxStarted.count} (at ${secs(r.maxStarted.from)}) | ${r.maxStartedShort.count} | ${r.maxCompleted.count} | ${rps} | ` +
        `${r.maxStarted.count <= rps ? 'within' : '**exceeded**'} | ${r.lambdaOnlySeconds} |`,
    );
  }
  out.push('');
  if (phases.some((p) => p.rate.maxStarted.count > rps)) {
    out.push(
      `**More than ${rps} Lambda requests started within one second.** edaguard's limiter (src/aws/rateLimit.ts) is a p-queue ` +
        'with intervalCap and a 1000 ms interval in its default fixed-window mode: the count starts again at each window boundary, ' +
        'so requests started late in one window and early in the next fall within the same second. Counted per whole second ' +
        'from the phase start (below) the rate mostly holds; over a sliding second it does not.',
    );
    out.push('');
  }
  out.push(
    '"seconds with only Lambda requests starting": whole seconds of the phase in which Lambda requests started and no other ' +
      "service's request did: a lower bound on the time the phase spent on rate-limited Lambda requests alone.",
  );
  out.push('');
  out.push('Lambda requests started in each whole second of the phase (from the phase start):');
  out.push('');
  for (const p of phases) out.push(`- ${p.result.name}: ${p.rate.perSecond.join(' ')}`);
  return out;
}
