import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/runtime/metrics.js';
import { PolicyReloader } from '../../../src/runtime/policyReloader.js';
import { recordingLogger } from '../../support/harness.js';
import { dlqPolicy, INVALID_POLICY, policyDir } from '../../support/runtime.js';

const gauge = async (metrics: Metrics, name: string) =>
  (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;

describe('PolicyReloader', () => {
  it('no set before a valid read: not ready, no notice, the errors logged once then warned', async () => {
    const { dir } = await policyDir(INVALID_POLICY);
    const { logger, lines } = recordingLogger();
    const metrics = new Metrics({ defaultMetrics: false });
    const reloader = new PolicyReloader(dir, logger, metrics);
    await reloader.reload();
    await reloader.reload();
    expect(reloader.current).toBeUndefined();
    expect(reloader.staleNotice()).toBeUndefined();
    const probe = reloader.readiness();
    expect(probe.ok).toBe(false);
    expect(probe.reason).toBe('no valid policy set has been read yet');
    expect((probe.errors as string[]).length).toBeGreaterThan(0);
    expect(
      lines().filter((l) => l.level === 50 && String(l.msg).startsWith('invalid policies')),
    ).toHaveLength(1);
    expect(lines().filter((l) => String(l.msg).startsWith('policies still invalid'))).toHaveLength(1);
    expect(await gauge(metrics, 'edaguard_policy_reload_errors_total')).toBe(2);
    expect(await gauge(metrics, 'edaguard_policies_valid')).toBe(0);
  });

  it('an invalid change keeps the last valid set in force, with a notice, until the directory is valid again', async () => {
    const { dir, file } = await policyDir(dlqPolicy());
    const metrics = new Metrics({ defaultMetrics: false });
    const reloader = new PolicyReloader(dir, recordingLogger().logger, metrics);
    await reloader.reload();
    const set = reloader.current;
    expect(set?.policies.length).toBe(1);
    expect(reloader.readiness()).toMatchObject({ ok: true, directoryValid: true });
    expect(await gauge(metrics, 'edaguard_policies_loaded')).toBe(1);

    await writeFile(file, INVALID_POLICY);
    await reloader.reload();
    expect(reloader.current).toBe(set);
    expect(reloader.readiness()).toMatchObject({ ok: true, directoryValid: false });
    expect(reloader.staleNotice()).toMatchObject({
      code: 'policies-invalid',
      message: expect.stringMatching(
        /^the policy directory has \d+ error\(s\) since .* this cycle used the last valid policies/,
      ),
    });
    expect(await gauge(metrics, 'edaguard_policies_valid')).toBe(0);

    await writeFile(file, dlqPolicy());
    await reloader.reload();
    expect(reloader.staleNotice()).toBeUndefined();
    expect(await gauge(metrics, 'edaguard_policies_valid')).toBe(1);
  });
});
