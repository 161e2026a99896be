/**
 * The image's runtime: a Node LTS that is still supported, pinned to an exact release in every
 * stage, and the AWS SDK's warning about an unsupported Node left on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

/**
 * End of life of the even-numbered (LTS) Node lines (nodejs.org release schedule). When the
 * image's line reaches it, this test fails on purpose: move the image to a supported line.
 */
const LTS_END_OF_LIFE: Record<number, string> = {
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
};

describe('Dockerfile runtime', () => {
  const images = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] as string);

  it('every stage runs the same exactly pinned Node release', () => {
    expect(images.length).toBeGreaterThanOrEqual(2);
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?$/);
  });

  it('is a Node LTS line that is still supported', () => {
    const major = Number(/^node:(\d+)\./.exec(images[0] as string)?.[1]);
    const endOfLife = LTS_END_OF_LIFE[major];
    expect(endOfLife, `node ${major} is not an LTS line this test knows`).toBeDefined();
    expect(new Date(`${endOfLife}T00:00:00Z`).getTime()).toBeGreaterThan(Date.now());
    // The AWS SDK requires Node 22 from January 2027.
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it('does not silence the AWS SDK’s warning about the Node version', () => {
    expect(dockerfile).not.toMatch(/AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED/);
  });
});
