/** The SQS side of the seeded account, as data: the selected queues in a known drift mix, their DLQs. */
import { seededRandom } from '../../test/support/seededRandom.js';
import type { DlqSpec, Kind, QueueSpec } from './account.js';
import { pad } from './account.js';
import type { ConsumerPool } from './describeLambdaSide.js';
import { OTHER_QUEUES, POLICY } from './parameters.js';
import { requiredVisibility } from './rules.js';

/** How many selected queues of each kind: ¾ drifted, the rest compliant. */
export function queueMix(n: number): Array<[Kind, number]> {
  const drift = (fraction: number) => Math.round(n * fraction);
  const retentionPairs = Math.round(drift(0.15) / 2);
  const counts: Array<[Kind, number]> = [
    ['no DLQ', drift(0.2)],
    ['maxReceiveCount out of range', drift(0.15)],
    ['DLQ retention too short', retentionPairs * 2],
    ['visibility too low for its Lambda consumer', drift(0.15)],
    ['no DLQ + visibility too low', drift(0.05)],
    ['maxReceiveCount out of range + DLQ retention too short', drift(0.05)],
  ];
  const drifted = counts.reduce((s, [, c]) => s + c, 0);
  counts.unshift(['compliant', n - drifted]);
  return counts;
}

/** One kind per selected queue, shuffled with a fixed seed: the same account every run. */
export function shuffledKinds(counts: ReadonlyArray<[Kind, number]>): Kind[] {
  const kinds: Kind[] = counts.flatMap(([kind, c]) => Array.from({ length: c }, () => kind));
  const random = seededRandom(20_240_601);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }
  return kinds;
}

const SHORT_RETENTIONS = [345_600, 86_400, POLICY.minRetention - 1];
const BAD_COUNTS = [1, 2, 6, 10, 50];
const GOOD_COUNTS = [3, 4, 5];

/** The selected queues (in `kinds` order) and the DLQs they already have. */
export function describeSelectedQueues(
  kinds: readonly Kind[],
  consumers: ConsumerPool,
): { selected: QueueSpec[]; dlqs: DlqSpec[] } {
  const dlqs: DlqSpec[] = [];
  const ownDlq = (queue: string, retention: number) => {
    const name = `bench-dlq-${queue}`;
    dlqs.push({ name, retention });
    return name;
  };
  let sharedDlq: string | undefined;
  /** Two retention-drifted queues share each DLQ: one write fixes both. */
  const sharedShortDlq = (k: number) => {
    if (k % 2 === 0) {
      sharedDlq = `bench-dlq-shared-${pad(k / 2)}`;
      dlqs.push({
        name: sharedDlq,
        retention: SHORT_RETENTIONS[(k / 2) % SHORT_RETENTIONS.length] as number,
      });
    }
    return sharedDlq as string;
  };
  const perKind = new Map<Kind, number>();
  const selected = kinds.map((kind, i): QueueSpec => {
    const k = perKind.get(kind) ?? 0;
    perKind.set(kind, k + 1);
    const base: QueueSpec = {
      name: `bench-q-${pad(i)}`,
      kind,
      fifo: false,
      tags: { team: 'orders' },
      consumers: [],
    };
    return describeQueue(base, k, { consumers, ownDlq, sharedShortDlq });
  });
  return { selected, dlqs };
}

interface QueueContext {
  consumers: ConsumerPool;
  ownDlq(queue: string, retention: number): string;
  sharedShortDlq(k: number): string;
}

/** The `k`-th queue of its kind: the drift its kind names, and nothing else. */
function describeQueue(base: QueueSpec, k: number, ctx: QueueContext): QueueSpec {
  const name = base.name;
  const slowest = (q: QueueSpec) => Math.max(...q.consumers.map((c) => c.timeout));
  switch (base.kind) {
    case 'compliant': {
      // Half have a consumer (every fifth of those two), visibility at or above what it needs.
      const consumers = k % 2 === 0 ? ctx.consumers.take(k % 10 === 0 ? 2 : 1) : [];
      return {
        ...base,
        dlq: ctx.ownDlq(name, POLICY.minRetention),
        maxReceiveCount: GOOD_COUNTS[k % GOOD_COUNTS.length] as number,
        consumers,
        ...(consumers.length > 0
          ? { visibility: requiredVisibility(consumers) + (k % 4 === 0 ? 0 : 30) }
          : {}),
      };
    }
    case 'no DLQ': {
      const fifo = k % 10 === 0;
      return { ...base, name: fifo ? `${name}.fifo` : name, fifo };
    }
    case 'maxReceiveCount out of range':
      return {
        ...base,
        dlq: ctx.ownDlq(name, POLICY.minRetention),
        maxReceiveCount: BAD_COUNTS[k % BAD_COUNTS.length] as number,
      };
    case 'DLQ retention too short':
      return { ...base, dlq: ctx.sharedShortDlq(k), maxReceiveCount: 3 };
    case 'visibility too low for its Lambda consumer': {
      const q = { ...base, dlq: ctx.ownDlq(name, POLICY.minRetention), maxReceiveCount: 3 };
      q.consumers = ctx.consumers.take(k % 10 === 0 ? 2 : 1);
      // At least the function timeout (what AWS itself requires of a mapping), below 6×.
      return { ...q, visibility: slowest(q) };
    }
    case 'no DLQ + visibility too low': {
      const q = { ...base, consumers: ctx.consumers.take(1) };
      return { ...q, visibility: slowest(q) };
    }
    case 'maxReceiveCount out of range + DLQ retention too short':
      return {
        ...base,
        dlq: ctx.ownDlq(name, SHORT_RETENTIONS[k % SHORT_RETENTIONS.length] as number),
        maxReceiveCount: BAD_COUNTS[k % BAD_COUNTS.length] as number,
      };
  }
  throw new Error(`no seeding for kind ${base.kind satisfies never}`);
}

/** Queues of another team (not selected) that Lambda also consumes: they fill the mapping list. */
export function describeOtherQueues(consumers: ConsumerPool): QueueSpec[] {
  return Array.from({ length: OTHER_QUEUES }, (_, i): QueueSpec => {
    const queueConsumers = i % 5 === 4 ? [] : consumers.take(1);
    return {
      name: `bench-other-${pad(i)}`,
      kind: 'no DLQ',
      fifo: false,
      tags: { team: 'payments' },
      consumers: queueConsumers,
      visibility: 30,
    };
  });
}
