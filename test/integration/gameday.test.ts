/**
 * `edaguard gameday` against the emulator through the real SDK: the poison message really goes
 * through moto's redrive policy (dead-lettered on the receive after maxReceiveCount), and the
 * redrive back uses the mover (moto has no StartMessageMoveTask).
 */
import { CreateQueueCommand, ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, testSeeder, useCleanEmulator } from '../support/harness.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();
let seed: Seeder;
afterEach(() => seed?.destroy());

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function queueUrls(): Promise<string[]> {
  return (await seed.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
}

describe('edaguard gameday', () => {
  it('runs the drill: poison → DLQ after maxReceiveCount receives → fix → redrive → processed; deletes only its own queues', async () => {
    seed = testSeeder();
    // Someone else's queue with a similar name: the drill must leave it alone.
    await seed.sqs.send(new CreateQueueCommand({ QueueName: 'edaguard-gameday-someone-else' }));

    const run = await cli(['gameday', '--max-receive-count', '3', '--timeout', '20']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    const steps = lines.filter((l) => l.gameday).map((l) => `${l.gameday}:${l.ok}`);
    expect(steps).toEqual([
      'setup:true',
      'poison:true',
      'consumer-fails:true',
      'consumer-fails:true',
      'consumer-fails:true',
      'dead-lettered:true',
      'fix:true',
      'redrive:true',
      'processed:true',
      'dlq-empty:true',
      'cleanup:true',
    ]);
    expect(String(lines.find((l) => l.gameday === 'dead-lettered')?.detail)).toMatch(/after 3 receives/);
    expect(String(lines.find((l) => l.gameday === 'redrive')?.detail)).toMatch(
      /redrove 1 message\(s\) .* mover/,
    );
    expect(lines.find((l) => l.result === 'gameday')).toEqual({
      result: 'gameday',
      passed: true,
      cleanedUp: true,
    });
    expect((await queueUrls()).map((u) => u.split('/').pop())).toEqual(['edaguard-gameday-someone-else']);
  });

  it('--keep leaves the two drill queues, tagged as drill resources', async () => {
    seed = testSeeder();
    const run = await cli(['gameday', '--keep', '--timeout', '20']);
    expect(run.code).toBe(0);
    const result = jsonLines(run.stdout).find((l) => l.result === 'gameday');
    expect(result).toMatchObject({ passed: true, cleanedUp: false });
    const urls = await queueUrls();
    expect(urls).toHaveLength(2);
    expect(urls).toEqual(expect.arrayContaining([result?.sourceUrl, result?.dlqUrl]));
    for (const url of urls) {
      const tags = (await seed.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags;
      expect(tags?.['edaguard.dev/drill']).toBe('gameday');
    }
  });

  it('refuses (exit 2) without an endpoint unless --allow-aws', async () => {
    seed = testSeeder();
    const run = await cli(['gameday'], { AWS_ENDPOINT_URL: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--endpoint-url .* or pass --allow-aws/);
    expect(await queueUrls()).toEqual([]);
  });
});
