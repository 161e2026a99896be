/**
 * The corpus of broken policy directories (test/fixtures/bad-policies/<case>/): every case, run
 * through the real CLI in-process, exits 2 and names each problem's file, line, column and field.
 * plan and reconcile stop at the same point, before any AWS call: they are pointed at a local
 * server that records requests, and it must see none.
 */
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_POLICY_FILE_BYTES } from '../../../src/policy/fileText.js';
import { cli } from '../../support/harness.js';
import { type RecordingServer, startRecordingServer } from '../../support/recordingServer.js';

const ROOT = 'test/fixtures/bad-policies';

interface Expected {
  /** Relative to the case's directory. */
  file: string;
  line: number;
  column: number;
  path: string;
  message: RegExp;
}

const RULES = 'spec.rules.sqs-dead-letter-queue';
const TYPES =
  'sqs:queue, lambda:function, dynamodb:table, kinesis:stream, sns:topic, events:rule, pipes:pipe';

/** Every case, with every issue it must give (in the order validate lists them). */
const CASES: Record<string, Expected[]> = {
  'yaml-unclosed-bracket': [
    { file: 'policy.yaml', line: 10, column: 3, path: '', message: /^YAML: Flow sequence .* end with a \]$/ },
  ],
  'yaml-bad-indentation': [
    { file: 'policy.yaml', line: 3, column: 11, path: '', message: /^YAML: Nested mappings are not allowed/ },
    {
      file: 'policy.yaml',
      line: 3,
      column: 11,
      path: '',
      message: /^YAML: Implicit keys need to be on a single line/,
    },
  ],
  'yaml-tab-indentation': [
    {
      file: 'policy.yaml',
      line: 5,
      column: 1,
      path: '',
      message: /^YAML: Tabs are not allowed as indentation$/,
    },
  ],
  'duplicate-keys': [
    {
      file: 'policy.yaml',
      line: 10,
      column: 3,
      path: '',
      message: /^YAML: Map keys must be unique \("rules"\)$/,
    },
  ],
  'wrong-types': [
    {
      file: 'policy.yaml',
      line: 7,
      column: 16,
      path: 'spec.enforcement',
      message: /^expected one of enforce, audit; got true$/,
    },
    {
      file: 'policy.yaml',
      line: 9,
      column: 11,
      path: 'spec.match.tags',
      message: /^`tags` is a map \(key: value\), e\.g\. \{ team: billing \}, not a list$/,
    },
    {
      file: 'policy.yaml',
      line: 13,
      column: 14,
      path: `${RULES}.maxReceiveCount.min`,
      message: /^expected a number, got "three"$/,
    },
  ],
  'unknown-field-top-level': [
    {
      file: 'policy.yaml',
      line: 10,
      column: 1,
      path: 'status',
      message: /^unknown field "status" \(known fields: apiVersion, kind, metadata, spec\)$/,
    },
  ],
  'unknown-field-nested': [
    {
      file: 'policy.yaml',
      line: 11,
      column: 7,
      path: `${RULES}.maxRecieveCount`,
      message: /^unknown field "maxRecieveCount": did you mean "maxReceiveCount"\?$/,
    },
    {
      file: 'policy.yaml',
      line: 12,
      column: 5,
      path: 'spec.rules.sqs-dlq-retension',
      message: /^unknown rule "sqs-dlq-retension": did you mean "sqs-dlq-retention"\?$/,
    },
  ],
  'out-of-range-values': [
    {
      file: 'policy.yaml',
      line: 11,
      column: 31,
      path: `${RULES}.maxReceiveCount.min`,
      message: /^must be at least 1, got -3$/,
    },
    {
      file: 'policy.yaml',
      line: 13,
      column: 19,
      path: 'spec.rules.sqs-dlq-retention.minSeconds',
      message: /^must be at most 1209600, got 1209601$/,
    },
    {
      file: 'policy.yaml',
      line: 15,
      column: 30,
      path: 'spec.rules.sqs-visibility-timeout.lambdaTimeoutMultiple',
      message: /^must be at most 20, got 21$/,
    },
    {
      file: 'policy.yaml',
      line: 17,
      column: 25,
      path: 'spec.rules.esm-stream-failure-handling.maxRetryAttempts',
      message: /^must be at least 0, got -1$/,
    },
  ],
  'inconsistent-values': [
    {
      file: 'policy.yaml',
      line: 11,
      column: 31,
      path: `${RULES}.maxReceiveCount.min`,
      message: /^min must be <= max$/,
    },
    {
      file: 'policy.yaml',
      line: 11,
      column: 51,
      path: `${RULES}.maxReceiveCount.default`,
      message: /^default must lie within \[min, max\]$/,
    },
    {
      file: 'policy.yaml',
      line: 13,
      column: 27,
      path: `${RULES}.create.retentionSeconds`,
      message: /^86400 is below sqs-dlq-retention.minSeconds \(1209600\)/,
    },
  ],
  'missing-required-fields': [
    {
      file: 'policy.yaml',
      line: 5,
      column: 3,
      path: 'metadata.name',
      message: /^required field is missing \(a string\)$/,
    },
    {
      file: 'policy.yaml',
      line: 7,
      column: 3,
      path: 'spec.rules',
      message: /^required field is missing \(a mapping\)$/,
    },
  ],
  'invalid-values': [
    { file: 'policy.yaml', line: 5, column: 9, path: 'metadata.name', message: /a DNS label/ },
    {
      file: 'policy.yaml',
      line: 8,
      column: 32,
      path: 'spec.match.resourceTypes.1',
      message: new RegExp(`^expected one of ${TYPES}; got "s3:bucket"$`),
    },
    {
      file: 'policy.yaml',
      line: 12,
      column: 21,
      path: `${RULES}.create.nameSuffix`,
      message: /letters, digits/,
    },
    {
      file: 'policy.yaml',
      line: 15,
      column: 25,
      path: 'spec.rules.esm-stream-failure-handling.onFailure.destinationArn',
      message: /^an SQS queue ARN$/,
    },
  ],
  'bad-exceptions': [
    {
      file: 'policy.yaml',
      line: 11,
      column: 7,
      path: 'spec.exceptions.0.reason',
      message: /^required field is missing \(a string\)$/,
    },
    {
      file: 'policy.yaml',
      line: 12,
      column: 15,
      path: 'spec.exceptions.0.rules.0',
      message: /^unknown rule "sqs-dead-leter-queue": did you mean "sqs-dead-letter-queue"\?$/,
    },
    {
      file: 'policy.yaml',
      line: 17,
      column: 16,
      path: 'spec.exceptions.1.expires',
      message: /^expected a date as YYYY-MM-DD, e\.g\. 2026-03-31, got "30 June 2026"$/,
    },
    {
      file: 'unknown-rule.yaml',
      line: 11,
      column: 38,
      path: 'spec.exceptions.0.rules.0',
      message: /^"sqs-visibility-timeout" is not a rule of this policy, so there is nothing to waive/,
    },
  ],
  'misspelled-rule': [
    {
      file: 'policy.yaml',
      line: 9,
      column: 5,
      path: 'spec.rules.sqs-dead-leter-queue',
      message: /^unknown rule "sqs-dead-leter-queue": did you mean "sqs-dead-letter-queue"\?$/,
    },
  ],
  'misspelled-enum': [
    {
      file: 'policy.yaml',
      line: 7,
      column: 16,
      path: 'spec.enforcement',
      message: /^expected one of enforce, audit; got "enforse": did you mean "enforce"\?$/,
    },
    {
      file: 'policy.yaml',
      line: 9,
      column: 21,
      path: 'spec.match.resourceTypes.0',
      message: new RegExp(`^expected one of ${TYPES}; got "sqs:queues": did you mean "sqs:queue"\\?$`),
    },
    {
      file: 'policy.yaml',
      line: 12,
      column: 22,
      path: 'spec.rules.sqs-dlq-alarm.periodSeconds',
      message: /^10, 30 or a multiple of 60 up to 86400 \(seconds\)$/,
    },
  ],
  'no-rules': [
    {
      file: 'policy.yaml',
      line: 8,
      column: 10,
      path: 'spec.rules',
      message: /^at least one rule is required/,
    },
  ],
  'rule-outside-types': [
    {
      file: 'policy.yaml',
      line: 11,
      column: 7,
      path: RULES,
      message:
        /^rule `sqs-dead-letter-queue` applies to sqs:queue, which `match.resourceTypes` \[lambda:function\] does not include: it could never apply/,
    },
  ],
  'not-a-policy': [
    {
      file: 'configmap.yaml',
      line: 2,
      column: 1,
      path: 'spec',
      message: /^required field is missing \(a mapping\)$/,
    },
    {
      file: 'configmap.yaml',
      line: 2,
      column: 13,
      path: 'apiVersion',
      message: /^expected "edaguard\.dev\/v1alpha1", got "v1"$/,
    },
    {
      file: 'configmap.yaml',
      line: 3,
      column: 7,
      path: 'kind',
      message: /^expected "ReliabilityPolicy", got "ConfigMap"$/,
    },
    {
      file: 'configmap.yaml',
      line: 6,
      column: 1,
      path: 'data',
      message: /^unknown field "data" \(known fields: apiVersion, kind, metadata, spec\)$/,
    },
  ],
  'duplicate-names': [
    {
      file: 'b.yaml',
      line: 5,
      column: 9,
      path: 'metadata.name',
      message:
        /^duplicate policy name "orders" \(first defined at test\/fixtures\/bad-policies\/duplicate-names\/a.yaml:2\)$/,
    },
  ],
  'conflicting-rules': [
    {
      file: 'narrow.yaml',
      line: 12,
      column: 7,
      path: RULES,
      message: /^conflicts with policy "everything" \(.*everything.yaml:2\): both select the same resources/,
    },
  ],
  'empty-file': [
    {
      file: 'empty.yaml',
      line: 1,
      column: 1,
      path: '',
      message: /^no policy document in this file, nor in any other file of the directory$/,
    },
  ],
  'scalar-document': [
    {
      file: 'policy.yaml',
      line: 2,
      column: 1,
      path: '',
      message: /^a policy document is a mapping .*, not a string$/,
    },
  ],
  'list-document': [
    {
      file: 'policy.yaml',
      line: 2,
      column: 1,
      path: '',
      message: /^a policy document is a mapping .*, not a list$/,
    },
  ],
  'multi-document-second-broken': [
    {
      file: 'policies.yaml',
      line: 21,
      column: 7,
      path: 'spec.rules.sqs-dlq-retention.minSecond',
      message: /^unknown field "minSecond": did you mean "minSeconds"\?$/,
    },
  ],
  'alias-bomb': [{ file: 'policy.yaml', line: 8, column: 12, path: '', message: /billion laughs/ }],
  'unresolved-alias': [
    { file: 'policy.yaml', line: 8, column: 11, path: '', message: /^YAML: Unresolved alias .*: tags$/ },
  ],
  'latin1-byte': [
    {
      file: 'policy.yaml',
      line: 5,
      column: 12,
      path: '',
      message: /^file is not valid UTF-8: byte 0xe9 at offset 181/,
    },
  ],
  'utf16-bom': [{ file: 'policy.yaml', line: 1, column: 1, path: '', message: /^file is UTF-16/ }],
  'too-many-documents': [
    {
      file: 'policies.yaml',
      line: 109,
      column: 1,
      path: '',
      message:
        /^more than 100 YAML documents in this file; a policy file may hold at most 100: the rest was not read$/,
    },
  ],
  'too-many-issues': [
    ...Array.from({ length: 100 }, (_, i) => ({
      file: 'policy.yaml',
      line: 10 + i,
      column: 1,
      path: `x${i}`,
      message: new RegExp(`^unknown field "x${i}" \\(known fields: apiVersion, kind, metadata, spec\\)$`),
    })),
    {
      file: 'policy.yaml',
      line: 110,
      column: 1,
      path: '',
      message: /^and 1 more issue\(s\) from here on, not listed: only the first 100 are$/,
    },
  ],
};

interface JsonIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

function expectIssues(actual: JsonIssue[], dir: string, expected: Expected[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((want, i) => {
    const got = actual[i];
    expect(got).toMatchObject({
      file: path.join(dir, want.file),
      line: want.line,
      column: want.column,
      path: want.path,
    });
    expect(got?.message).toMatch(want.message);
  });
}

/** Each stderr line is `file:line:col[ path]: message`, and nothing looks like a stack trace. */
function expectLocatedStderr(stderr: string, dir: string, expected: Expected[]): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(expected.length);
  expected.forEach((want, i) => {
    const where = `${path.join(dir, want.file)}:${want.line}:${want.column}`;
    expect(lines[i]?.startsWith(want.path ? `${where} ${want.path}: ` : `${where} `)).toBe(true);
  });
  expect(stderr).not.toMatch(/^\s+at /m);
}

let aws: RecordingServer;
beforeAll(async () => {
  aws = await startRecordingServer();
});
afterAll(async () => {
  await aws.close();
});

/** plan/reconcile against the recording server: any AWS call would be recorded there. */
const awsArgs = () => ['--region', 'us-east-1', '--endpoint-url', aws.url, '--max-attempts', '1'];

describe('the bad-policy corpus', () => {
  it('every fixture directory has its expected issues here, and every file says what is broken', async () => {
    const dirs = (await readdir(ROOT, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(dirs.sort()).toEqual(Object.keys(CASES).sort());
    for (const dir of dirs) {
      for (const file of await readdir(path.join(ROOT, dir))) {
        const bytes = await readFile(path.join(ROOT, dir, file));
        // The UTF-16 case says it in UTF-16; every other file starts with an ASCII comment.
        const text =
          dir === 'utf16-bom' ? bytes.toString('utf16le').replace(/^\ufeff/, '') : bytes.toString('latin1');
        expect(text, `${dir}/${file}`).toMatch(/^# broken: \S/);
      }
    }
  });

  describe.each(Object.entries(CASES))('%s', (name, expected) => {
    const dir = path.join(ROOT, name);

    it('validate --format json: exit 2 and exactly these issues', async () => {
      const run = await cli(['validate', dir, '--format', 'json']);
      expect(run.code).toBe(2);
      const report = JSON.parse(run.stdout) as { valid: boolean; errors: JsonIssue[] };
      expect(report.valid).toBe(false);
      expectIssues(report.errors, dir, expected);
    });

    it('validate: exit 2, one file:line:col line per issue on stderr', async () => {
      const run = await cli(['validate', dir]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expectLocatedStderr(run.stderr, dir, expected);
    });

    it('plan and reconcile: exit 2 with the same errors, and not one AWS request', async () => {
      const before = aws.requests.length;
      for (const command of [['plan'], ['reconcile', '--once']]) {
        const run = await cli([...awsArgs(), ...command, '--policies', dir]);
        expect(run.code, command[0]).toBe(2);
        expectLocatedStderr(run.stderr, dir, expected);
      }
      expect(aws.requests.length - before).toBe(0);
    });
  });
});

describe('generated cases', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'edaguard-bad-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const VALID = [
    'apiVersion: edaguard.dev/v1alpha1',
    'kind: ReliabilityPolicy',
    'metadata:',
    '  name: orders',
    'spec:',
    '  match: { tags: { team: orders } }',
    '  rules:',
    '    sqs-dlq-retention: {}',
    '',
  ].join('\n');

  /** A valid policy padded with a trailing comment to exactly `bytes` bytes. */
  const padded = (bytes: number) => {
    const comment = '# padding\n';
    return `${VALID}${comment}${'#'.repeat(bytes - VALID.length - comment.length - 1)}\n`;
  };

  async function caseDir(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
    const dir = path.join(tmp, name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content);
    return dir;
  }
  const shown = (file: string) => path.relative(process.cwd(), file);

  it('a file one byte over the 1 MiB limit: exit 2 at line 1, before it is parsed', async () => {
    const dir = await caseDir('large', { 'big.yaml': padded(MAX_POLICY_FILE_BYTES + 1) });
    const run = await cli(['validate', dir, '--format', 'json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).errors).toEqual([
      {
        file: shown(path.join(dir, 'big.yaml')),
        line: 1,
        column: 1,
        path: '',
        message: `file is ${MAX_POLICY_FILE_BYTES + 1} bytes; a policy file may hold at most ${MAX_POLICY_FILE_BYTES} bytes (1 MiB)`,
      },
    ]);
  });

  it('a file of exactly 1 MiB is read (the limit is inclusive)', async () => {
    const dir = await caseDir('at-limit', { 'big.yaml': padded(MAX_POLICY_FILE_BYTES) });
    const run = await cli(['validate', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('a 50 MiB file is refused just as fast as the 1 MiB one: it is never read', async () => {
    const dir = await caseDir('huge', {});
    // A sparse file: its size is 50 MiB, its content never touched.
    const handle = await open(path.join(dir, 'huge.yaml'), 'w');
    await handle.truncate(50 * 1024 * 1024);
    await handle.close();
    const run = await cli(['validate', dir, '--format', 'json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).errors[0].message).toMatch(
      /^file is 52428800 bytes; a policy file may hold at most/,
    );
  });

  it.each([
    [99, 0],
    [100, 2],
  ])(
    '%i aliases of one anchor: exit %i (100 copies, the anchor included, is the limit)',
    async (aliases, code) => {
      const annotations = Array.from({ length: aliases }, (_, i) => `    k${i}: *v`).join('\n');
      const text = VALID.replace(
        '  name: orders\n',
        `  name: orders\n  annotations:\n    anchor: &v value\n${annotations}\n`,
      );
      const dir = await caseDir(`aliases-${aliases}`, { 'p.yaml': text });
      const run = await cli(['validate', dir, '--format', 'json']);
      expect(run.code).toBe(code);
      if (code === 2)
        expect(JSON.parse(run.stdout).errors).toMatchObject([
          { line: 7, column: 9, message: /billion laughs/ },
        ]);
    },
  );

  it('a zero-byte file alone: exit 2 naming it', async () => {
    const dir = await caseDir('zero', { 'empty.yaml': '' });
    const run = await cli(['validate', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `${shown(path.join(dir, 'empty.yaml'))}:1:1 no policy document in this file, nor in any other file of the directory\n`,
    );
  });

  it('an empty file next to a valid policy is fine (a placeholder), as before', async () => {
    const dir = await caseDir('placeholder', { 'empty.yaml': '', 'orders.yaml': VALID });
    const run = await cli(['validate', dir]);
    expect(run.code).toBe(0);
  });

  it('a UTF-16 big-endian file and a UTF-8 file with a byte order mark', async () => {
    const be = Buffer.from(`\ufeff${VALID}`, 'utf16le').swap16();
    const dir = await caseDir('boms', { 'be.yaml': be });
    const run = await cli(['validate', dir, '--format', 'json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).errors).toMatchObject([{ line: 1, column: 1, message: /^file is UTF-16/ }]);

    const ok = await caseDir('utf8-bom', { 'bom.yaml': `\ufeff${VALID}` });
    expect((await cli(['validate', ok])).code).toBe(0);
  });

  it('a broken file and a bad byte in another: both listed, in file order', async () => {
    const dir = await caseDir('two', {
      'a.yaml': VALID.replace('name: orders', 'name: Orders'),
      'b.yaml': Buffer.concat([
        Buffer.from(VALID.replace('orders', 'billing')),
        Buffer.from([0x23, 0x20, 0xfc, 0x0a]),
      ]),
    });
    const run = await cli(['validate', dir, '--format', 'json']);
    expect(run.code).toBe(2);
    expect(
      JSON.parse(run.stdout).errors.map((e: JsonIssue) => [path.basename(e.file), e.line, e.column]),
    ).toEqual([
      ['a.yaml', 4, 9],
      ['b.yaml', 9, 3], // VALID is 8 lines; the comment with the bad byte is the 9th
    ]);
  });

  describe('the limits of a policy directory (src/policy/limits.ts)', () => {
    const named = (name: string) =>
      VALID.replace('name: orders', `name: ${name}`).replace('team: orders', `team: ${name}`);
    const errorsOf = async (dir: string) => {
      const run = await cli(['validate', dir, '--format', 'json']);
      expect(run.code, run.stderr).toBe(2);
      return JSON.parse(run.stdout).errors as JsonIssue[];
    };

    it('60,000 `{}` documents in one 420 KB file: refused at the 101st, issues capped (was ~400 MB, then a RangeError)', async () => {
      const dir = await caseDir('many-documents', { 'docs.yaml': '{}\n---\n'.repeat(60_000) });
      const errors = await errorsOf(dir);
      expect(errors).toHaveLength(102); // 100 listed, the limit's own, and how many more
      expect(errors).toContainEqual({
        file: shown(path.join(dir, 'docs.yaml')),
        line: 200,
        column: 1,
        path: '',
        message:
          'more than 100 YAML documents in this file; a policy file may hold at most 100: the rest was not read',
      });
      expect(errors[101]?.message).toMatch(
        /^and \d+ more issue\(s\) from here on, not listed: only the first 100 are$/,
      );
    });

    it('201 policy files: refused before any is read', async () => {
      const files = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`p${i}.yaml`, named(`p${i}`)]));
      const dir = await caseDir('many-files', files);
      expect(await errorsOf(dir)).toEqual([
        {
          file: dir,
          line: 1,
          column: 1,
          path: '',
          message:
            'more than 200 policy files (*.yaml, *.yml); a policy directory may hold at most 200: nothing was read',
        },
      ]);
      await rm(path.join(dir, 'p200.yaml'));
      expect((await cli(['validate', dir])).code).toBe(0);
    });

    it('files of more than 4 MiB together: refused before any is read', async () => {
      const dir = await caseDir('many-bytes', { 'orders.yaml': VALID });
      for (const i of [1, 2, 3, 4]) {
        // Sparse files of exactly the per-file limit: never read, so never really written.
        const handle = await open(path.join(dir, `big${i}.yaml`), 'w');
        await handle.truncate(MAX_POLICY_FILE_BYTES);
        await handle.close();
      }
      expect(await errorsOf(dir)).toEqual([
        {
          file: dir,
          line: 1,
          column: 1,
          path: '',
          message: `the policy files hold ${4 * MAX_POLICY_FILE_BYTES + VALID.length} bytes together; a policy directory may hold at most 4194304 bytes (4 MiB): nothing was read`,
        },
      ]);
    });

    it('more than 65,536 YAML tokens in one file: refused where the budget ran out', async () => {
      // `- 0\n` is 5 tokens after the lexer's one at the start: token 65,537 starts line 13,108.
      const dir = await caseDir('many-tokens', { 'list.yaml': '- 0\n'.repeat(20_000) });
      expect(await errorsOf(dir)).toEqual([
        {
          file: shown(path.join(dir, 'list.yaml')),
          line: 13_108,
          column: 1,
          path: '',
          message:
            'more than 65536 YAML tokens in this file; a policy file may hold at most 65536: the rest was not read',
        },
      ]);
    });

    it('more than 262,144 YAML tokens in the directory: the file where they ran out says so', async () => {
      const list = '- 0\n'.repeat(13_000); // 65,001 tokens: within the file's limit
      const dir = await caseDir(
        'many-tokens-dir',
        Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((f) => [`${f}.yaml`, list])),
      );
      const errors = await errorsOf(dir);
      expect(errors.map((e) => [path.basename(e.file), e.message.slice(0, 30)])).toEqual([
        ...['a', 'b', 'c', 'd'].map((f) => [`${f}.yaml`, 'a policy document is a mapping']),
        ['e.yaml', 'more than 262144 YAML tokens i'],
      ]);
    });

    it('more than 500 documents in the directory: refused at the 501st', async () => {
      const files: Record<string, string> = {};
      for (let f = 0; f < 5; f++) {
        files[`p${f}.yaml`] = Array.from({ length: 100 }, (_, i) => named(`p${f * 100 + i}`)).join('---\n');
      }
      files['q.yaml'] = named('q');
      const dir = await caseDir('many-documents-dir', files);
      expect(await errorsOf(dir)).toEqual([
        {
          file: shown(path.join(dir, 'q.yaml')),
          line: 1,
          column: 1,
          path: '',
          message:
            "more than 500 YAML documents in the policy directory's files together; a directory may hold at most 500: the rest was not read",
        },
      ]);
      await rm(path.join(dir, 'q.yaml'));
      expect((await cli(['validate', dir])).code).toBe(0);
    });
  });

  it('control: a valid directory does reach the recording server (so zero above means something)', async () => {
    const dir = await caseDir('valid', { 'orders.yaml': VALID });
    const before = aws.requests.length;
    await cli([...awsArgs(), 'plan', '--policies', dir]);
    expect(aws.requests.length - before).toBeGreaterThan(0);
  });
});
