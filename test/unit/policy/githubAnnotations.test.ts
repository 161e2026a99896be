/**
 * `validate --format github` prints one workflow command per issue. Policy text ends up in them
 * (an unknown key, a file name): escaped, it cannot end the command and start another one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeCommandData, escapeCommandProperty } from '../../../src/cli/githubAnnotation.js';
import { cli } from '../../support/harness.js';

/** A policy whose unknown keys carry line breaks, percent escapes and a second workflow command. */
const HOSTILE = [
  'apiVersion: edaguard.dev/v1alpha1',
  'kind: ReliabilityPolicy',
  'metadata:',
  '  name: orders',
  'spec:',
  '  match: { tags: { team: orders } }',
  '  rules:',
  '    sqs-dlq-retention: {}',
  '"x\\n::warning file=evil.yaml,line=1::injected": 1',
  '"y\\r\\n::add-mask::hunter2 and %0A::error::also injected, 100%": 2',
  '',
].join('\n');

/** What GitHub does with a command's data and properties. */
const decodeCommand = (text: string) =>
  text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edaguard-gh-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate --format github', () => {
  it('a hostile policy text and file name give exactly one ::error line per issue, nothing injected', async () => {
    // A file name with the characters that end a property (`,`) and the property list (`::`).
    const file = path.join(dir, 'a,title=pwned::x %0A.yaml');
    await writeFile(file, HOSTILE);
    const json = await cli(['validate', dir, '--format', 'json']);
    const issues = JSON.parse(json.stdout).errors as Array<{ file: string; path: string; message: string }>;
    expect(issues).toHaveLength(2);

    const run = await cli(['validate', dir, '--format', 'github']);
    expect(run.code).toBe(2);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(issues.length);
    issues.forEach((issue, i) => {
      const match = /^::error file=([^,:]*),line=(\d+),col=(\d+),title=edaguard policy::([^\r\n]*)$/.exec(
        lines[i] ?? '',
      );
      expect(match, lines[i]).not.toBeNull();
      expect(decodeCommand(match?.[1] ?? '')).toBe(issue.file);
      // GitHub decodes the message back to exactly the issue's text, line breaks and all.
      expect(decodeCommand(match?.[4] ?? '')).toBe(`${issue.path}: ${issue.message}`);
    });
    expect(run.stdout).not.toMatch(/^::(warning|add-mask)/m);
    expect(run.stdout).not.toContain('\r');
  });
});

describe('escaping (as @actions/core does)', () => {
  it.each([
    ['100%', '100%25', '100%25'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['file:1,title=x', 'file:1,title=x', 'file%3A1%2Ctitle=x'],
    ['%0A', '%250A', '%250A'],
  ])('%j', (text, data, property) => {
    expect(escapeCommandData(text)).toBe(data);
    expect(escapeCommandProperty(text)).toBe(property);
    expect(decodeCommand(property)).toBe(text);
  });
});
