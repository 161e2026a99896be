/**
 * An SQS-only policy set loads the SQS and tagging clients' packages and no other: `plan` and
 * `reconcile --dry-run` run in a child process (a fresh module cache), preloaded with the
 * footprint probe of the benchmark, which lists the `@aws-sdk/client-*` packages loaded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorEnv } from '../support/emulator.js';
import { emulatorEndpoint, testSeeder, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

const POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: sqs-only }
spec:
  enforcement: enforce
  match: { tags: { team: orders } }
  rules:
    sqs-dead-letter-queue: { maxReceiveCount: { min: 3, max: 5, default: 3 }, create: { nameSuffix: -dlq } }
    sqs-dlq-retention: { minSeconds: 1209600 }
`;

function runProbed(args: string[]): { exitCode: number; clientPackages: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'edaguard-footprint-'));
  const out = join(dir, 'probe.json');
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './bench/footprint/probe.mjs', 'src/main.ts', ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, ...emulatorEnv(emulatorEndpoint()), EDAGUARD_FOOTPRINT_OUT: out },
      timeout: 60_000,
    },
  );
  if (child.error) throw child.error;
  expect(child.stderr).not.toContain('AWS_CLIENT_NOT_LOADED');
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe('an SQS-only policy set', () => {
  it('loads only the SQS and tagging clients, in plan and in reconcile --dry-run', async () => {
    const seeder = testSeeder();
    const dlq = await seeder.queue('orders-wired-dlq');
    await seeder.queue('orders-wired', {
      tags: { team: 'orders' },
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) },
    });
    await seeder.queue('orders-bare', { tags: { team: 'orders' } });
    seeder.destroy();
    const dir = mkdtempSync(join(tmpdir(), 'edaguard-policies-'));
    writeFileSync(join(dir, 'sqs.yaml'), POLICY);
    for (const args of [
      ['plan', '--policies', dir, '-o', 'json'],
      ['reconcile', '--dry-run', '--policies', dir, '-o', 'json'],
    ]) {
      const probe = runProbed(args);
      // 1: drift remains (the queue without a DLQ); not a crash.
      expect(probe.exitCode, args.join(' ')).toBe(1);
      expect(probe.clientPackages, args.join(' ')).toEqual([
        '@aws-sdk/client-resource-groups-tagging-api',
        '@aws-sdk/client-sqs',
      ]);
    }
  });

  it('validate loads no SDK client at all', () => {
    expect(runProbed(['validate', 'policies/example']).clientPackages).toEqual([]);
  });
});
