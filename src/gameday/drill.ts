/**
 * The game-day drill: a poison message goes through a real queue with a DLQ, a consumer fails on
 * it until SQS moves it to the DLQ after maxReceiveCount receives, the "fix" is deployed, and the
 * message is redriven back and processed. It creates its own two queues, tagged as drill
 * resources, and deletes only those (checking the tags first).
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
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

export async function runDrill(sqs: SqsSender, options: DrillOptions): Promise<DrillResult> {
  const steps: DrillStep[] = [];
  const record = (step: string, ok: boolean, detail: string) => {
    const s = { step, ok, detail };
    steps.push(s);
    options.onStep?.(s);
    if (!ok) throw new DrillFailed(detail);
  };
  const tags = { [DRILL_TAG]: 'gameday', [DRILL_RUN_TAG]: options.runId };
  const name = `edaguard-gameday-${options.runId}`;
  const created: string[] = [];
  let sourceUrl: string | undefined;
  let dlqUrl: string | undefined;
  const poison = JSON.stringify({ drill: 'gameday', runId: options.runId, poison: true });
  let passed = false;
  try {
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, tags }))).QueueUrl as string;
    created.push(dlqUrl);
    const dlqArn = await queueArn(sqs, dlqUrl);
    sourceUrl = (
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
    created.push(sourceUrl);
    record(
      'setup',
      true,
      `created ${name} (maxReceiveCount ${options.maxReceiveCount}) and its DLQ ${name}-dlq`,
    );

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: sourceUrl,
        MessageBody: poison,
        MessageAttributes: { drill: { DataType: 'String', StringValue: options.runId } },
      }),
    );
    record('poison', true, 'sent a poison message the consumer cannot process');

    // The failing consumer: receives, fails, hands the message back at once (visibility 0).
    let receives = 0;
    const deadline = Date.now() + options.timeoutMs;
    while (receives < options.maxReceiveCount && Date.now() < deadline) {
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
      record(
        'consumer-fails',
        true,
        `receive ${receives}/${options.maxReceiveCount}: processing failed, message returned`,
      );
    }
    if (receives < options.maxReceiveCount)
      record('consumer-fails', false, `only ${receives} receive(s) before the timeout`);

    // SQS moves the message on the next receive attempt past maxReceiveCount.
    let inDlq = 0;
    while (Date.now() < deadline) {
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: sourceUrl, WaitTimeSeconds: 1, VisibilityTimeout: 30 }),
      );
      inDlq = await depth(sqs, dlqUrl);
      if (inDlq >= 1) break;
      await sleep(options.pollMs);
    }
    record(
      'dead-lettered',
      inDlq >= 1,
      inDlq >= 1
        ? `the message is in the DLQ after ${receives} receives`
        : 'the message never reached the DLQ',
    );

    record('fix', true, 'fix deployed: the consumer now processes the message');
    const outcome = await redrive(sqs, {
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
    record('redrive', moved >= 1, `redrove ${moved} message(s) to ${name} with ${how}`);

    // The fixed consumer: takes the message and deletes it once processed.
    let processed = false;
    while (!processed && Date.now() < deadline) {
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
      processed = message.Body === poison && message.MessageAttributes?.drill?.StringValue === options.runId;
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: sourceUrl, ReceiptHandle: message.ReceiptHandle as string }),
      );
    }
    record(
      'processed',
      processed,
      processed
        ? 'the fixed consumer processed the redriven message (body and attributes intact)'
        : 'the redriven message was not received intact',
    );
    const left = await depth(sqs, dlqUrl);
    record('dlq-empty', left === 0, `the DLQ holds ${left} message(s)`);
    passed = true;
  } catch (error) {
    if (!(error instanceof DrillFailed)) {
      steps.push({ step: 'error', ok: false, detail: (error as Error).message });
      options.onStep?.(steps[steps.length - 1] as DrillStep);
    }
  }
  const cleanedUp = options.keep
    ? false
    : await cleanUp(sqs, created, options.runId, (s) => {
        steps.push(s);
        options.onStep?.(s);
      });
  return { passed, steps, cleanedUp, ...(sourceUrl ? { sourceUrl } : {}), ...(dlqUrl ? { dlqUrl } : {}) };
}

async function queueArn(sqs: SqsSender, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return out.Attributes?.QueueArn as string;
}

async function depth(sqs: SqsSender, url: string): Promise<number> {
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
