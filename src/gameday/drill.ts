/**
 * The game-day drill: a poison message goes through a real queue with a DLQ, a consumer fails on
 * it until SQS moves it to the DLQ after maxReceiveCount receives, the "fix" is deployed, and the
 * message is redriven back and processed. It creates its own two queues, tagged as drill
 * resources, and deletes only those (checking the tags first).
 */

import { sdk } from '../aws/sdk.js';
import type { SqsSender } from '../redrive/queues.js';
import { redrive } from '../redrive/redrive.js';

export const DRILL_TAG = 'edaguard.dev/drill';
export const DRILL_RUN_TAG = 'edaguard.dev/drill-run';

export interface DrillStep {
  step: string;
  ok: boolean;
  detail: string;
}

export interface DrillOptions {
  runId: string;
  maxReceiveCount: number;
  /** Keep the drill's queues for a look afterwards. */
  keep: boolean;
  /** How long to wait for SQS to move the message (AWS: up to a minute of lag in the counts). */
  timeoutMs: number;
  pollMs: number;
  endpoint?: string;
  onStep?: (step: DrillStep) => void;
}

export interface DrillResult {
  passed: boolean;
  steps: DrillStep[];
  sourceUrl?: string;
  dlqUrl?: string;
  cleanedUp: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class DrillFailed extends Error {}

/** One drill's fixed facts and its step log, shared by its steps. */
interface Drill {
  sqs: SqsSender;
  options: DrillOptions;
  name: string;
  poison: string;
  deadline: number;
  /** Records a step; a failed step ends the drill (DrillFailed). */
  record: (step: string, ok: boolean, detail: string) => void;
  /** Queues this run created, for the clean-up. */
  created: string[];
  /** The queues as far as they were created, for the result. */
  urls: { sourceUrl?: string; dlqUrl?: string };
}

export async function runDrill(sqs: SqsSender, options: DrillOptions): Promise<DrillResult> {
  const steps: DrillStep[] = [];
  const report = (s: DrillStep) => {
    steps.push(s);
    options.onStep?.(s);
  };
  const drill: Drill = {
    sqs,
    options,
    name: `edaguard-gameday-${options.runId}`,
    poison: JSON.stringify({ drill: 'gameday', runId: options.runId, poison: true }),
    deadline: 0,
    record: (step, ok, detail) => {
      report({ step, ok, detail });
      if (!ok) throw new DrillFailed(detail);
    },
    created: [],
    urls: {},
  };
  let passed = false;
  try {
    const queues = await createDrillQueues(drill);
    await sendPoison(drill, queues.sourceUrl);
    drill.deadline = Date.now() + options.timeoutMs;
    const receives = await failingConsumer(drill, queues.sourceUrl);
    await awaitDeadLetter(drill, queues, receives);
    await redriveBack(drill, queues.dlqUrl);
    await fixedConsumer(drill, queues.sourceUrl);
    const left = await depth(sqs, queues.dlqUrl);
    drill.record('dlq-empty', left === 0, `the DLQ holds ${left} message(s)`);
    passed = true;
  } catch (error) {
    if (!(error instanceof DrillFailed))
      report({ step: 'error', ok: false, detail: (error as Error).message });
  }
  const cleanedUp = options.keep ? false : await cleanUp(sqs, drill.created, options.runId, report);
  const { sourceUrl, dlqUrl } = drill.urls;
  return { passed, steps, cleanedUp, ...(sourceUrl ? { sourceUrl } : {}), ...(dlqUrl ? { dlqUrl } : {}) };
}

/** The DLQ, then the source queue that dead-letters into it; both tagged as this run's. */
async function createDrillQueues(drill: Drill): Promise<{ sourceUrl: string; dlqUrl: string }> {
  const { CreateQueueCommand } = await sdk.sqs();
  const { sqs, options, name } = drill;
  const tags = { [DRILL_TAG]: 'gameday', [DRILL_RUN_TAG]: options.runId };
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, tags })))
    .QueueUrl as string;
  drill.created.push(dlqUrl);
  drill.urls.dlqUrl = dlqUrl;
  const dlqArn = await queueArn(sqs, dlqUrl);
  const sourceUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        tags,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: options.maxReceiveCount,
          }),
        },
      }),
    )
  ).QueueUrl as string;
  drill.created.push(sourceUrl);
  drill.urls.sourceUrl = sourceUrl;
  drill.record(
    'setup',
    true,
    `created ${name} (maxReceiveCount ${options.maxReceiveCount}) and its DLQ ${name}-dlq`,
  );
  return { sourceUrl, dlqUrl };
}

async function sendPoison(drill: Drill, sourceUrl: string): Promise<void> {
  const { SendMessageCommand } = await sdk.sqs();
  await drill.sqs.send(
    new SendMessageCommand({
      QueueUrl: sourceUrl,
      MessageBody: drill.poison,
      MessageAttributes: { drill: { DataType: 'String', StringValue: drill.options.runId } },
    }),
  );
  drill.record('poison', true, 'sent a poison message the consumer cannot process');
}

/** The failing consumer: receives, fails, hands the message back at once (visibility 0). */
async function failingConsumer(drill: Drill, sourceUrl: string): Promise<number> {
  const { ChangeMessageVisibilityCommand, ReceiveMessageCommand } = await sdk.sqs();
  const { sqs, options } = drill;
  let receives = 0;
  while (receives < options.maxReceiveCount && Date.now() < drill.deadline) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sourceUrl, WaitTimeSeconds: 1, VisibilityTimeout: 30 }),
    );
    const message = got.Messages?.[0];
    if (!message) continue;
    receives += 1;
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: sourceUrl,
        ReceiptHandle: message.ReceiptHandle as string,
        VisibilityTimeout: 0,
      }),
    );
    drill.record(
      'consumer-fails',
      true,
      `receive ${receives}/${options.maxReceiveCount}: processing failed, message returned`,
    );
  }
  if (receives < options.maxReceiveCount)
    drill.record('consumer-fails', false, `only ${receives} receive(s) before the timeout`);
  return receives;
}

/** SQS moves the message on the next receive attempt past maxReceiveCount. */
async function awaitDeadLetter(
  drill: Drill,
  queues: { sourceUrl: string; dlqUrl: string },
  receives: number,
): Promise<void> {
  const { ReceiveMessageCommand } = await sdk.sqs();
  let inDlq = 0;
  while (Date.now() < drill.deadline) {
    await drill.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.sourceUrl, WaitTimeSeconds: 1, VisibilityTimeout: 30 }),
    );
    inDlq = await depth(drill.sqs, queues.dlqUrl);
    if (inDlq >= 1) break;
    await sleep(drill.options.pollMs);
  }
  drill.record(
    'dead-lettered',
    inDlq >= 1,
    inDlq >= 1 ? `the message is in the DLQ after ${receives} receives` : 'the message never reached the DLQ',
  );
}

/** The "fix" is deployed, then the message goes back with edaguard's own redrive. */
async function redriveBack(drill: Drill, dlqUrl: string): Promise<void> {
  const { options } = drill;
  drill.record('fix', true, 'fix deployed: the consumer now processes the message');
  const outcome = await redrive(drill.sqs, {
    dlq: dlqUrl,
    mode: 'auto',
    dryRun: false,
    wait: true,
    moveTaskPollMs: options.pollMs,
    waitTimeSeconds: 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const moved =
    outcome.kind === 'mover' ? outcome.result.moved : outcome.kind === 'move-task' ? outcome.task.moved : 0;
  const how = outcome.kind === 'move-task' ? 'StartMessageMoveTask' : 'the receive → send → delete mover';
  drill.record('redrive', moved >= 1, `redrove ${moved} message(s) to ${drill.name} with ${how}`);
}

/** The fixed consumer: takes the message and deletes it once processed. */
async function fixedConsumer(drill: Drill, sourceUrl: string): Promise<void> {
  const { DeleteMessageCommand, ReceiveMessageCommand } = await sdk.sqs();
  const { sqs } = drill;
  let processed = false;
  while (!processed && Date.now() < drill.deadline) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: sourceUrl,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
      }),
    );
    const message = got.Messages?.[0];
    if (!message) continue;
    processed =
      message.Body === drill.poison && message.MessageAttributes?.drill?.StringValue === drill.options.runId;
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: sourceUrl, ReceiptHandle: message.ReceiptHandle as string }),
    );
  }
  drill.record(
    'processed',
    processed,
    processed
      ? 'the fixed consumer processed the redriven message (body and attributes intact)'
      : 'the redriven message was not received intact',
  );
}

async function queueArn(sqs: SqsSender, url: string): Promise<string> {
  const { GetQueueAttributesCommand } = await sdk.sqs();
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return out.Attributes?.QueueArn as string;
}

async function depth(sqs: SqsSender, url: string): Promise<number> {
  const { GetQueueAttributesCommand } = await sdk.sqs();
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Deletes only the queues this run created, after checking they carry this run's drill tags. */
async function cleanUp(
  sqs: SqsSender,
  urls: string[],
  runId: string,
  onStep: (step: DrillStep) => void,
): Promise<boolean> {
  const { DeleteQueueCommand, ListQueueTagsCommand } = await sdk.sqs();
  let all = true;
  for (const url of urls) {
    const tags = (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
    if (tags[DRILL_TAG] !== 'gameday' || tags[DRILL_RUN_TAG] !== runId) {
      onStep({ step: 'cleanup', ok: false, detail: `${url} does not carry this drill's tags: left alone` });
      all = false;
      continue;
    }
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  }
  if (all) onStep({ step: 'cleanup', ok: true, detail: `deleted the drill's ${urls.length} queue(s)` });
  return all;
}
