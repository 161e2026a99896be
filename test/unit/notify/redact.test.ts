import { describe, expect, it } from 'vitest';
import { createScrubber, errorFacts, hostOf } from '../../../src/notify/redact.js';

describe('createScrubber', () => {
  const scrub = createScrubber(['ghp_SECRET123', 'a/b c', 'x']);

  it.each([
    { input: 'token ghp_SECRET123 rejected', output: 'token [redacted] rejected' },
    { input: 'POST https://hooks.slack.com/services/T/B/SECRET failed', output: 'POST [url] failed' },
    { input: 'see (http://127.0.0.1:4000/hooks/abc).', output: 'see ([url]).' },
    { input: 'encoded a%2Fb%20c here', output: 'encoded [redacted] here' },
    { input: 'short secrets are ignored: x', output: 'short secrets are ignored: x' },
  ])('$input', ({ input, output }) => {
    expect(scrub(input)).toBe(output);
  });
});

describe('errorFacts', () => {
  const scrub = createScrubber(['s3cr3t-token']);

  it('keeps status, network code and a scrubbed message', () => {
    const error = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    expect(errorFacts(error, scrub)).toEqual({ code: 'ECONNREFUSED', message: 'fetch failed' });
    expect(errorFacts({ status: 401, message: 'Bad credentials s3cr3t-token' }, scrub)).toEqual({
      status: 401,
      message: 'Bad credentials [redacted]',
    });
    expect(
      errorFacts({ statusCode: 429, message: 'An HTTP protocol error occurred: statusCode = 429' }, scrub),
    ).toMatchObject({
      status: 429,
    });
  });

  it('logs hosts, not URLs', () => {
    expect(hostOf('https://hooks.slack.com/services/T/B/SECRET')).toBe('hooks.slack.com');
    expect(hostOf('nonsense')).toBe('invalid-url');
  });
});
