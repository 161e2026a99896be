/** The sections about calls: the assertions, every operation per phase, and why beyond the minimum. */
import { type Row, totals } from './callRows.js';
import { mib, ratio, secs } from './format.js';
import type { ReportInput } from './report.js';

/** The bench's checks, and the calls that differ from the design. */
export function assertionsSection(input: ReportInput): string[] {
  const { checks } = input;
  const out: string[] = [];
  out.push('### Assertions');
  out.push('');
  out.push('| check | result | detail |');
  out.push('| --- | --- | --- |');
  for (const c of checks) out.push(`| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail} |`);
  if (input.notes.length > 0) {
    out.push('');
    out.push('Calls that differ from what the design makes (reported, not asserted):');
    out.push('');
    for (const n of input.notes) out.push(`- ${n}`);
  }
  return out;
}

/** Every operation each phase called, beside its minimum and what the design expects. */
export function callsSection(input: ReportInput): string[] {
  const { phases } = input;
  const out: string[] = [];
  out.push('### AWS calls per phase');
  out.push('');
  out.push(
    '"minimum" is the least any controller needs on real AWS: ⌈selected/100⌉ GetResources pages per selector query, one ' +
      'GetQueueAttributes per selected queue and per distinct existing DLQ they reference, the ' +
      'ListEventSourceMappings (100 a page) and ListFunctions (50 a page) pages, one GetFunctionEventInvokeConfig per selected ' +
      'function invoked asynchronously, the calls that find those callers (ListSubscriptions pages, ListEventBuses, ListRules per bus, ' +
      'ListTargetsByRule per rule, ListBuckets, GetBucketNotificationConfiguration per bucket), one DescribeStreamSummary per distinct ' +
      'Kinesis stream that a stream mapping of a selected function reads (its retention, for the stream rule), and one write per needed change. ' +
      'For Lambda, one read-back per write counts in the minimum (as the issue defines it: mapping updates and event-invoke configs ' +
      'take effect asynchronously); for SQS the read-backs are shown beyond the minimum, as in earlier runs of this bench. ' +
      '"expected by design" is what edaguard\'s discovery and apply are built to call against moto; a difference ' +
      'between it and "calls" is flagged. Reads are compared with the minimum as observed on moto, and with ' +
      "moto's paging replaced by AWS's (moto pages GetResources by 100 tags and does not page the Lambda lists). " +
      '"active" is when the first request of that operation started and the last one ended, in seconds from the phase start.',
  );
  for (const p of phases) {
    out.push('');
    out.push(`#### ${p.result.name}`);
    out.push('');
    out.push(
      `Wall time ${secs(p.result.wallMs)}, CPU ${secs(p.result.cpuMs)}, peak RSS ${mib(p.result.peakRssBytes)}, peak heap used ${mib(p.result.peakHeapBytes)}.` +
        (p.summary
          ? ` Report summary: ${p.summary.resources} resources, ${p.summary.compliant} compliant, ${p.summary.fixed} fixed, ${p.summary.drifted} drifted, ${p.summary.failed} failed, ${p.summary.deferred} deferred, ${p.summary.tickets} tickets.`
          : '') +
        (p.extra ? ` ${p.extra}` : ''),
    );
    out.push('');
    out.push(phaseTable(p.rows));
  }
  return out;
}

/** Why edaguard makes more calls than the minimum. */
export function beyondMinimumSection(input: ReportInput): string[] {
  const e = input.expected;
  const out: string[] = [];
  out.push('### Beyond the minimum, and why');
  out.push('');
  const first = input.phases.find((p) => p.result.name === 'reconcile #1');
  if (first) {
    const t = totals(first.rows);
    const aroundWrites = e.sqsReadBack
      ? 2 * e.setQueueAttributes - e.queuesWrittenTwice
      : e.setQueueAttributes;
    const sqsFloor = t.minReads + aroundWrites;
    out.push(
      `Issue #15 aims at a first reconcile of at most 1.5× its minimum reads: here ${ratio(t.reads, t.minReads)} ` +
        `(${ratio(t.readsOnAws, t.minReads)} with AWS page sizes), ${t.reads <= 1.5 * t.minReads ? 'within' : '**not within**'} it. ` +
        `The reads around the ${e.setQueueAttributes} SetQueueAttributes put the floor at ${sqsFloor} reads (${ratio(sqsFloor, t.minReads)}): ` +
        "a precondition read before each (it guards against overwriting someone else's edit, and is never skipped unless the queue " +
        'was read after the last write of this cycle to it)' +
        (e.sqsReadBack
          ? ' and a read-back after each (sqsVerification read-back; SetQueueAttributes answers nothing).'
          : '; none is read back in the cycle (sqsVerification next-cycle, the default: SQS takes up to 60 s to show a change, ' +
            "and the next cycle's discovery reads every selected queue anyway)."),
    );
    out.push('');
  }
  out.push(
    '- **Two more GetResources queries per cycle**: `edaguard.dev/ignore=true` (resources that opted out) and ' +
      '`edaguard.dev/managed-by=edaguard` (queues edaguard created, which it may adopt and whose source it knows). ' +
      'On moto the selector queries also take more pages than on AWS: moto closes a page before it reaches 100 tags.',
  );
  out.push(
    "- **Is a queue lacking a DLQ itself a DLQ?** A queue that is some queue's DLQ must not get a DLQ of its own. What the " +
      'cycle read answers first (redrive policies, managed-by tags, the DLQ graph); then the cheaper of one ' +
      "ListDeadLetterSourceQueues per candidate and reading the account's unread queues (strategy in the report's " +
      "`discovery.dlqSources`). moto's ListQueues answers at most 1,000 queues without a NextToken, so on moto the account " +
      'list of this bench is cut short and only ListDeadLetterSourceQueues can answer; on AWS the listing pages. A converged account pays nothing.',
  );
  out.push(
    '- **Queue names edaguard would create, from ListQueues pages**: CreateQueue on an existing name with the same attributes ' +
      'silently returns the existing queue, so edaguard checks first and never adopts a queue it did not create.',
  );
  out.push(
    '- **Reads around writes: each resource at most once per purpose per cycle.** A SetQueueAttributes is checked by the ' +
      "next cycle's discovery (SQS attributes can take up to 60 s to become visible), or with sqsVerification read-back read " +
      'back up to verifyAttempts times (one each on moto); CreateQueue, ' +
      'UpdateEventSourceMapping and PutFunctionEventInvokeConfig are not read back: their answers show the result (CreateQueue fails ' +
      'unless the queue has exactly the attributes sent; the other two answer with the config as stored). The read-back or ' +
      "answer of one finding's write is the precondition of the next finding on the same resource (findings on one resource " +
      'run one after the other; a remembered read stands in for at most 2 s and never across a write).',
  );
  out.push(
    '- **Two UpdateEventSourceMapping on one mapping**: stream failure handling and partial batch responses are separate ' +
      "findings, each with its own write. One update carrying both rules' fields would do. On AWS an update leaves the " +
      'mapping `Updating` for a while, and Lambda documents ResourceConflictException ("another operation is in progress") ' +
      'for such overlaps; edaguard retries that verifyAttempts times, verifyDelayMs apart.',
  );
  if (e.alarmRule)
    out.push(
      '- **DescribeAlarms read-back after each PutMetricAlarm**: PutMetricAlarm answers nothing; each alarm is read back by name.',
    );
  out.push(
    '- **A re-read before each SetQueueAttributes, UpdateEventSourceMapping and PutFunctionEventInvokeConfig**: ' +
      'SQS and Lambda have no conditional writes, so what a write would overwrite is read again just before it; a ' +
      'resource changed or deleted since discovery is deferred, never overwritten or recreated (README, "Concurrent changes"). ' +
      'Each written queue is read by discovery and again before its write.',
  );
  return out;
}

function phaseTable(rows: Row[]): string {
  const lines = [
    '| operation | calls | minimum | expected by design (moto) | active (s) | note |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    if (r.calls === 0 && r.minimum === 0 && r.expected === 0) continue;
    const flag = r.calls !== r.expected ? ` **Differs from the design's ${r.expected}.**` : '';
    const answers = [
      r.notFound > 0 ? `${r.notFound} not found` : '',
      r.errors > 0 ? `${r.errors} errors` : '',
    ].filter(Boolean);
    const active = r.active ? `${r.active[0].toFixed(1)}–${r.active[1].toFixed(1)}` : '';
    lines.push(
      `| ${r.operation} | ${r.calls}${answers.length ? ` (${answers.join(', ')})` : ''} | ${r.minimum} | ${r.expected} | ${active} | ${r.note}${flag} |`,
    );
  }
  const t = totals(rows);
  const l = totals(rows, 'Lambda');
  lines.push(
    `| **reads** | **${t.reads}** | **${t.minReads}** | | | ${ratio(t.reads, t.minReads)} of the minimum; ${t.readsOnAws} with AWS page sizes (${ratio(t.readsOnAws, t.minReads)}) |`,
  );
  lines.push(`| **writes** | **${t.writes}** | **${t.minWrites}** | | | ${ratio(t.writes, t.minWrites)} |`);
  lines.push(
    `| of which Lambda | ${l.reads} reads + ${l.writes} writes | ${l.minReads} + ${l.minWrites} | | | ` +
      `reads ${ratio(l.reads, l.minReads)} (${l.readsOnAws} with AWS page sizes, ${ratio(l.readsOnAws, l.minReads)}); writes ${ratio(l.writes, l.minWrites)} |`,
  );
  return lines.join('\n');
}
