/**
 * The bench's section of docs/benchmarks.md, between its markers: the rest of the file (the
 * policy-limits section, bench/policyLimits.bench.ts) is left as it is.
 */
import type { RuntimeSettings } from '../../src/config/runtime.js';
import type { DriftSummary } from '../../src/report/driftReport.js';
import { replaceDocSection } from '../docSection.js';
import type { Account } from './account.js';
import type { Row } from './callRows.js';
import type { Expected } from './expectations.js';
import type { LambdaRate } from './lambdaRate.js';
import type { PhaseResult } from './measure.js';
import { OUTPUT } from './parameters.js';
import { assertionsSection, beyondMinimumSection, callsSection } from './reportCalls.js';
import { accountSection, headerSection, lambdaRateSection, summarySection } from './reportRun.js';

export const SECTION_START =
  '<!-- reconcile: written by bench/reconcile/main.ts; do not edit by hand: run `npm run bench` to refresh -->';
export const SECTION_END = '<!-- /reconcile -->';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PhaseOutcome {
  result: PhaseResult<unknown>;
  rows: Row[];
  rate: LambdaRate;
  summary?: DriftSummary;
  extra?: string;
}

export interface ReportInput {
  account: Account;
  expected: Expected;
  phases: PhaseOutcome[];
  checks: Check[];
  notes: string[];
  seedMs: number;
  emulatorStartMs: number;
  settings: RuntimeSettings;
  rpsFromEnv: boolean;
  maxRssKiB: number;
  totalMs: number;
}

export function renderSection(input: ReportInput): string {
  const sections = [
    headerSection(input),
    accountSection(input),
    summarySection(input),
    lambdaRateSection(input),
    assertionsSection(input),
    callsSection(input),
    beyondMinimumSection(input),
  ];
  return [
    SECTION_START,
    '',
    '## Reconcile at scale',
    '',
    ...sections.flatMap((s) => [...s, '']),
    SECTION_END,
  ].join('\n');
}

/** Writes the section into docs/benchmarks.md, in place of the previous one. */
export async function writeReport(input: ReportInput): Promise<void> {
  await replaceDocSection(OUTPUT, SECTION_START, SECTION_END, renderSection(input));
}
