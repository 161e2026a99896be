/**
 * The audit bench's accounts (issue #15): 1,250 queues, 1,000 tagged `team=audit`.
 *
 * drifted: every fourth tagged queue (4k) is wired to the next one (4k+1, tagged too), so 250
 *   tagged queues are DLQs that the tagged queues' own redrive policies show. Of the 250 untagged
 *   queues, every fifth (50) redrives to a tagged queue 4k+2: DLQs that only the untagged queues'
 *   redrive policies (or ListDeadLetterSourceQueues) show. The rest have no DLQ and are no DLQ.
 *   Correct answer for "no DLQ": 450 drifted, 300 skipped (they are DLQs), 250 compliant. A
 *   policy that does not ask "is it a DLQ?" (Cloud Custodian's) reports 750.
 * converged: every tagged queue wired, four to each of 250 untagged DLQs.
 */
import pLimit from 'p-limit';
import type { Seeder } from '../../test/support/seed.js';

export const TAGGED = 1_000;
export const UNTAGGED = 250;
export const TAG = { team: 'audit' };
const ARN = 'arn:aws:sqs:us-east-1:123456789012';

const pad = (n: number, width = 4) => String(n).padStart(width, '0');
export const taggedName = (i: number) => `audit-${pad(i)}`;
export const otherName = (i: number) => `other-${pad(i, 3)}`;
const redrive = (name: string) =>
  JSON.stringify({ deadLetterTargetArn: `${ARN}:${name}`, maxReceiveCount: 3 });

export interface AccountShape {
  readonly kind: 'drifted' | 'converged';
  /** What a correct "no DLQ" audit reports. */
  readonly drifted: number;
  readonly dlqsSkipped: number;
  readonly compliant: number;
  /** Tagged queues lacking a DLQ that nothing the selected queues say shows to be a DLQ. */
  readonly candidates: number;
  /** Queues of the account not read when only the tagged queues and their DLQs are. */
  readonly unread: number;
  /** Distinct untagged DLQs the tagged queues name (read for their existence). */
  readonly untaggedDlqs: number;
}

export const DRIFTED: AccountShape = {
  kind: 'drifted',
  drifted: 450,
  dlqsSkipped: 300,
  compliant: 250,
  candidates: 500,
  unread: UNTAGGED,
  untaggedDlqs: 0,
};

export const CONVERGED: AccountShape = {
  kind: 'converged',
  drifted: 0,
  dlqsSkipped: 0,
  compliant: TAGGED,
  candidates: 0,
  unread: 0,
  untaggedDlqs: UNTAGGED,
};

export async function seedAccount(seed: Seeder, shape: AccountShape): Promise<void> {
  const limit = pLimit(16);
  const all = <T>(items: T[], fn: (item: T) => Promise<unknown>) =>
    Promise.all(items.map((item) => limit(() => fn(item))));
  const tagged = Array.from({ length: TAGGED }, (_, i) => i);
  const others = Array.from({ length: UNTAGGED }, (_, i) => i);
  if (shape.kind === 'converged') {
    await all(others, (i) => seed.queue(otherName(i)));
    await all(tagged, (i) =>
      seed.queue(taggedName(i), {
        tags: TAG,
        attributes: { RedrivePolicy: redrive(otherName(Math.floor(i / 4))) },
      }),
    );
    return;
  }
  // A DLQ must exist before a queue names it: 4k+1 and 4k+2 first.
  await all(
    tagged.filter((i) => i % 4 !== 0),
    (i) => seed.queue(taggedName(i), { tags: TAG }),
  );
  await all(
    tagged.filter((i) => i % 4 === 0),
    (i) =>
      seed.queue(taggedName(i), { tags: TAG, attributes: { RedrivePolicy: redrive(taggedName(i + 1)) } }),
  );
  await all(others, (i) =>
    seed.queue(
      otherName(i),
      i % 5 === 0 ? { attributes: { RedrivePolicy: redrive(taggedName(4 * (i / 5) + 2)) } } : {},
    ),
  );
}

export const POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: bench-audit-no-dlq }
spec:
  enforcement: audit
  match: { resourceTypes: [sqs:queue], tags: { team: audit } }
  rules:
    sqs-dead-letter-queue: {}
`;
