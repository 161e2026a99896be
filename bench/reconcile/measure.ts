/** Runs one phase with its own clients and CallCounter, and records its calls, requests, time and memory. */
import { performance } from 'node:perf_hooks';
import type { MiddlewareStack } from '@smithy/types';
import { CallCounter, type CallRecord } from '../../src/aws/callCounter.js';
import { type AwsClients, createAwsClients, forEachClient, SERVICE_NAMES } from '../../src/aws/clients.js';
import type { RuntimeSettings } from '../../src/config/runtime.js';

/** One HTTP attempt, timed from when it got past edaguard's middleware (rate limit included). */
export interface RequestRecord {
  service: string;
  operation: string;
  /** ms since the phase started. */
  start: number;
  end: number;
}

export interface PhaseResult<T> {
  name: string;
  value: T;
  wallMs: number;
  cpuMs: number;
  /** CPU moto used during the phase (Linux only). */
  motoCpuMs: number | undefined;
  calls: CallRecord[];
  /** HTTP requests sent, retries included (the CallCounter counts commands). */
  requests: RequestRecord[];
  /** When each Lambda command finished (CallCounter.onCall), ms since the phase started. */
  lambdaCompletions: number[];
  rssAtStartBytes: number;
  peakRssBytes: number;
  heapAtStartBytes: number;
  peakHeapBytes: number;
  maxRssKiBAfter: number;
}

/**
 * Records every HTTP attempt: the deserialize step runs once per attempt, inside the retry loop
 * and inside edaguard's Lambda rate limit (finalizeRequest step), so `start` is when the limiter
 * let the request go.
 */
function recordRequests<I extends object, O extends object>(
  stack: MiddlewareStack<I, O>,
  service: string,
  sink: RequestRecord[],
  origin: () => number,
) {
  stack.add(
    (next, context) => async (args) => {
      const record: RequestRecord = {
        service,
        operation: String(context.commandName ?? 'Unknown').replace(/Command$/, ''),
        start: performance.now() - origin(),
        end: Number.NaN,
      };
      sink.push(record);
      try {
        return await next(args);
      } finally {
        record.end = performance.now() - origin();
      }
    },
    { step: 'deserialize', name: 'benchRequestRecorder', priority: 'low' },
  );
}

export async function measure<T>(
  name: string,
  settings: RuntimeSettings,
  motoCpu: () => number | undefined,
  run: (aws: AwsClients) => Promise<T>,
): Promise<PhaseResult<T>> {
  const counter = new CallCounter();
  const aws = createAwsClients(settings, counter);
  let origin = 0;
  const requests: RequestRecord[] = [];
  forEachClient(aws, (key, stack) =>
    recordRequests(stack as MiddlewareStack<object, object>, SERVICE_NAMES[key], requests, () => origin),
  );
  const lambdaCompletions: number[] = [];
  counter.onCall((c) => {
    if (c.service === 'Lambda') lambdaCompletions.push(performance.now() - origin);
  });
  const atStart = process.memoryUsage();
  let peakRss = atStart.rss;
  let peakHeap = atStart.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const motoBefore = motoCpu();
  const cpu = process.cpuUsage();
  origin = performance.now();
  try {
    const value = await run(aws);
    const wallMs = performance.now() - origin;
    const used = process.cpuUsage(cpu);
    const motoAfter = motoCpu();
    sample();
    return {
      name,
      value,
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      motoCpuMs: motoBefore !== undefined && motoAfter !== undefined ? motoAfter - motoBefore : undefined,
      calls: counter.snapshot(),
      requests,
      lambdaCompletions,
      rssAtStartBytes: atStart.rss,
      peakRssBytes: peakRss,
      heapAtStartBytes: atStart.heapUsed,
      peakHeapBytes: peakHeap,
      maxRssKiBAfter: process.resourceUsage().maxRSS,
    };
  } finally {
    clearInterval(sampler);
    aws.destroy();
  }
}
