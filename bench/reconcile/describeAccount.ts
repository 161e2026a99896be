/**
 * The seeded account, described before anything is seeded: the seeding knows every resource's
 * drift, so the expected writes and the least reads come from this description alone.
 */
import type { Account } from './account.js';
import {
  ConsumerPool,
  describeAsyncCallers,
  describeFunctions,
  describeStreams,
} from './describeLambdaSide.js';
import { describeOtherQueues, describeSelectedQueues, queueMix, shuffledKinds } from './describeQueues.js';
import { CONSUMER_FUNCTIONS } from './parameters.js';

export function describeAccount(n: number): Account {
  const counts = queueMix(n);
  const kinds = shuffledKinds(counts);
  const functions = describeFunctions();
  const consumers = new ConsumerPool(functions.slice(0, CONSUMER_FUNCTIONS));
  const { selected, dlqs } = describeSelectedQueues(kinds, consumers);
  const others = describeOtherQueues(consumers);
  const streams = describeStreams(functions, consumers.count);
  const { rules, buckets } = describeAsyncCallers(functions);
  return { functions, dlqs, selected, others, streams, rules, buckets, mixCounts: new Map(counts) };
}
