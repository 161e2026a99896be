/**
 * The policy directory limits' benchmark: `npm run bench:limits` (also run by `npm run bench`).
 *
 * For each limit of src/policy/limits.ts, the worst case the loader still accepts (at the limit,
 * in the shape that costs the most) and the case just past it (which must be refused, with its
 * error), each loaded by loadPolicyDir in a fresh process so that its peak RSS is its own. Writes
 * the figures into docs/benchmarks.md, in a section of its own (replaced on each run), and exits
 * non-zero when a case's peak RSS reaches 200 MiB or its outcome is not the expected one.
 *
 *   tsx bench/policyLimits.bench.ts            every case, then docs/benchmarks.md
 *   tsx bench/policyLimits.bench.ts --case X   one case (what the parent runs in each child)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Lexer } from 'yaml';
import { PolicyValidationError } from '../src/errors.js';
import { POLICY_LIMITS } from '../src/policy/limits.js';
import { loadPolicyDir } from '../src/policy/loader.js';
import { replaceDocSection } from './docSection.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = path.join(ROOT, 'docs/benchmarks.md');
const START = '<!-- policy-limits: written by bench/policyLimits.bench.ts; do not edit by hand -->';
const END = '<!-- /policy-limits -->';
const RSS_LIMIT_MIB = 200;
const MiB = 1024 * 1024;

const policy = (name: string, match: string, rule = '{}') =>
  [
    'apiVersion: edaguard.dev/v1alpha1',
    'kind: ReliabilityPolicy',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  match: ${match}`,
    '  rules:',
    `    sqs-dlq-retention: ${rule}`,
    '',
  ].join('\n');
const team = (i: number) => policy(`p${i}`, `{ tags: { team: t${i} } }`);
/** Every one selects everything, each with its own setting: every pair conflicts. */
const conflicting = (i: number) => policy(`p${i}`, '{}', `{ minSeconds: ${345_600 + i} }`);
const documents = (n: number, doc: (i: number) => string, from = 0) =>
  Array.from({ length: n }, (_, i) => doc(from + i)).join('---\n');

const tokens = (text: string) => {
  let n = 0;
  for (const _ of new Lexer().lex(text)) n += 1;
  return n;
};
/** The largest `shape(n)` within `budget` YAML tokens (shapes grow with n). */
function fill(shape: (n: number) => string, budget: number): string {
  let low = 1;
  let high = 2;
  while (tokens(shape(high)) <= budget) high *= 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (tokens(shape(mid)) <= budget) low = mid;
    else high = mid;
  }
  return shape(low);
}
const SHAPES = {
  flowSequence: (n: number) => `[${'0,'.repeat(n)}0]\n`,
  blockSequence: (n: number) => '- 0\n'.repeat(n),
  keys: (n: number) => Array.from({ length: n }, (_, i) => `k${i}: 1\n`).join(''),
  nesting: (n: number) => `${'['.repeat(n)}${']'.repeat(n)}\n`,
  newlines: (n: number) => `a: 1\n${'\n'.repeat(n)}`,
};
/** A file of exactly `bytes` bytes that is cheap to parse: one valid policy and long comment lines. */
const commentFile = (name: string, bytes: number) => {
  const head = team(Number(name.replace(/\D/g, '')) || 0);
  const line = `#${'x'.repeat(998)}\n`;
  const body = line.repeat(Math.floor((bytes - head.length) / line.length));
  return `${head}${body}${'#'.repeat(bytes - head.length - body.length - 1)}\n`;
};

interface Case {
  limit: string;
  name: string;
  files: () => Record<string, string>;
  /** `valid`, or a pattern one listed issue must match. */
  expect: 'valid' | RegExp;
}

const L = POLICY_LIMITS;
const perFile = (shape: (n: number) => string) => () => ({ 'a.yaml': fill(shape, L.yamlTokensPerFile) });
const CASES: Case[] = [
  {
    limit: 'baseline',
    name: 'one small valid policy',
    files: () => ({ 'a.yaml': team(0) }),
    expect: 'valid',
  },
  {
    limit: 'file bytes',
    name: `one file of ${L.fileBytes} bytes (a policy and comment lines)`,
    files: () => ({ 'a.yaml': commentFile('a0', L.fileBytes) }),
    expect: 'valid',
  },
  {
    limit: 'file bytes',
    name: `one file of ${L.fileBytes + 1} bytes`,
    files: () => ({ 'a.yaml': commentFile('a0', L.fileBytes + 1) }),
    expect: /^file is 1048577 bytes/,
  },
  {
    limit: 'files per directory',
    name: `${L.filesPerDirectory} files, one policy each`,
    files: () =>
      Object.fromEntries(Array.from({ length: L.filesPerDirectory }, (_, i) => [`p${i}.yaml`, team(i)])),
    expect: 'valid',
  },
  {
    limit: 'files per directory',
    name: `${L.filesPerDirectory + 1} files`,
    files: () =>
      Object.fromEntries(Array.from({ length: L.filesPerDirectory + 1 }, (_, i) => [`p${i}.yaml`, team(i)])),
    expect: /^more than 200 policy files/,
  },
  {
    limit: 'directory bytes',
    name: `4 files of ${L.fileBytes} bytes (${L.directoryBytes} together)`,
    files: () =>
      Object.fromEntries([0, 1, 2, 3].map((i) => [`p${i}.yaml`, commentFile(`p${i}`, L.fileBytes)])),
    expect: 'valid',
  },
  {
    limit: 'directory bytes',
    name: `the same and one more small policy file (over ${L.directoryBytes} bytes together)`,
    files: () => ({
      ...Object.fromEntries([0, 1, 2, 3].map((i) => [`p${i}.yaml`, commentFile(`p${i}`, L.fileBytes)])),
      'p4.yaml': team(4),
    }),
    expect: /^the policy files hold \d+ bytes together/,
  },
  {
    limit: 'documents per file',
    name: `${L.documentsPerFile} policies in one file`,
    files: () => ({ 'a.yaml': documents(L.documentsPerFile, team) }),
    expect: 'valid',
  },
  {
    limit: 'documents per file',
    name: '60,000 `{}` documents in one 420 KB file (took ~400 MB, then a RangeError)',
    files: () => ({ 'a.yaml': '{}\n---\n'.repeat(60_000) }),
    expect: /^more than 100 YAML documents in this file/,
  },
  {
    limit: 'documents per directory',
    name: `${L.documentsPerDirectory} policies (5 files of 100), checked pairwise for conflicts`,
    files: () =>
      Object.fromEntries(Array.from({ length: 5 }, (_, f) => [`p${f}.yaml`, documents(100, team, f * 100)])),
    expect: 'valid',
  },
  {
    limit: 'documents per directory',
    name: `${L.documentsPerDirectory} policies that all conflict: 124,750 issues, ${L.listedIssues} listed`,
    files: () =>
      Object.fromEntries(
        Array.from({ length: 5 }, (_, f) => [`p${f}.yaml`, documents(100, conflicting, f * 100)]),
      ),
    expect: /^and 124650 more issue\(s\)/,
  },
  {
    limit: 'documents per directory',
    name: `${L.documentsPerDirectory + 1} policies`,
    files: () => ({
      ...Object.fromEntries(
        Array.from({ length: 5 }, (_, f) => [`p${f}.yaml`, documents(100, team, f * 100)]),
      ),
      'q.yaml': team(500),
    }),
    expect: /^more than 500 YAML documents in the policy directory/,
  },
  ...Object.entries(SHAPES).map(([shape, make]) => ({
    limit: 'YAML tokens per file',
    name: `${L.yamlTokensPerFile} tokens of ${shape}`,
    files: perFile(make),
    expect: /./,
  })),
  {
    limit: 'YAML tokens per file',
    name: 'a 1 MiB flow sequence `[0,0,…]` (took ~580 MiB)',
    files: () => ({ 'a.yaml': SHAPES.flowSequence(MiB / 2 - 2) }),
    expect: /^more than 65536 YAML tokens in this file/,
  },
  {
    limit: 'YAML tokens per directory',
    name: `4 files of ${L.yamlTokensPerFile} tokens of keys`,
    files: () => {
      const text = fill(SHAPES.keys, L.yamlTokensPerFile);
      return Object.fromEntries([0, 1, 2, 3].map((i) => [`p${i}.yaml`, text]));
    },
    expect: /^unknown field/,
  },
  {
    limit: 'YAML tokens per directory',
    name: `5 files of ${L.yamlTokensPerFile} tokens of keys`,
    files: () => {
      const text = fill(SHAPES.keys, L.yamlTokensPerFile);
      return Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`p${i}.yaml`, text]));
    },
    expect: /^more than 262144 YAML tokens in the policy directory/,
  },
];

interface Measured {
  ms: number;
  maxRssMiB: number;
  valid: boolean;
  issues: number;
  messages: string[];
}

/** In the child: one case, loaded once; prints what it measured as JSON. */
async function measure(index: number, dir: string): Promise<void> {
  const start = performance.now();
  let result: Omit<Measured, 'ms' | 'maxRssMiB'>;
  try {
    await loadPolicyDir(dir);
    result = { valid: true, issues: 0, messages: [] };
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    result = { valid: false, issues: error.issues.length, messages: error.issues.map((i) => i.message) };
  }
  const ms = performance.now() - start;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ index, ms, maxRssMiB, ...result })}\n`);
}

async function runAll(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'edaguard-limits-'));
  const rows: string[] = [];
  const failures: string[] = [];
  let peak = 0;
  try {
    for (const [index, c] of CASES.entries()) {
      const dir = path.join(tmp, String(index));
      await mkdir(dir);
      for (const [file, text] of Object.entries(c.files())) await writeFile(path.join(dir, file), text);
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), '--case', String(index), dir],
        { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * MiB },
      );
      const m = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Measured;
      await rm(dir, { recursive: true, force: true });
      peak = Math.max(peak, m.maxRssMiB);
      const outcome = m.valid ? 'valid' : `refused: ${m.issues} issue(s) listed`;
      const ok =
        m.maxRssMiB < RSS_LIMIT_MIB &&
        (c.expect === 'valid'
          ? m.valid
          : !m.valid && m.messages.some((msg) => (c.expect as RegExp).test(msg)));
      if (!ok)
        failures.push(`${c.name}: ${outcome}, ${m.maxRssMiB.toFixed(1)} MiB; first: ${m.messages[0] ?? ''}`);
      const shown = m.valid
        ? ''
        : (m.messages.find((msg) => c.expect !== 'valid' && c.expect.test(msg)) ?? m.messages[0] ?? '');
      rows.push(
        `| ${c.limit} | ${c.name} | ${m.ms.toFixed(0)} ms | ${m.maxRssMiB.toFixed(1)} MiB | ${outcome}${shown ? `: ${shown.slice(0, 90).replace(/\|/g, '\\|')}${shown.length > 90 ? '…' : ''}` : ''} |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    START,
    '',
    '## Policy directory limits',
    '',
    'Reproduce with:',
    '',
    '```sh',
    'npm run bench:limits',
    '```',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${os.type()} ${os.release()} ${os.arch()}, ${os.cpus().length} cores (${cpu}); Node ${process.version}`,
    `- Limits (src/policy/limits.ts): ${L.fileBytes} bytes per file, ${L.filesPerDirectory} files and ${L.directoryBytes} bytes per directory, ${L.documentsPerFile} documents per file and ${L.documentsPerDirectory} per directory, ${L.yamlTokensPerFile} YAML tokens per file and ${L.yamlTokensPerDirectory} per directory, ${L.listedIssues} issues listed`,
    `- Result: **${failures.length === 0 ? 'PASS' : 'FAIL'}** (every case under ${RSS_LIMIT_MIB} MiB peak RSS, with its expected outcome; highest: ${peak.toFixed(1)} MiB)`,
    '',
    'Each case is one `loadPolicyDir` in a fresh process (`node --import tsx`), so its peak RSS (`process.resourceUsage().maxRSS`) includes the runtime itself: the baseline row is that floor. Time is the load alone. "At the limit" cases are the costliest shape the loader still reads; the others are one step past it and must be refused with the error shown (the first issue that names the limit).',
    '',
    '| limit | case | load time | peak RSS | outcome |',
    '| --- | --- | ---: | ---: | --- |',
    ...rows,
    ...(failures.length > 0 ? ['', 'Failures:', '', ...failures.map((f) => `- ${f}`)] : []),
    '',
    END,
  ].join('\n');
  await replaceDocSection(OUTPUT, START, END, section);
  process.stderr.write(`policy limits: ${failures.length === 0 ? 'PASS' : 'FAIL'}; wrote ${OUTPUT}\n`);
  if (failures.length > 0) {
    process.stderr.write(`${failures.join('\n')}\n`);
    process.exitCode = 1;
  }
}

const caseFlag = process.argv.indexOf('--case');
if (caseFlag >= 0) await measure(Number(process.argv[caseFlag + 1]), String(process.argv[caseFlag + 2]));
else await runAll();
