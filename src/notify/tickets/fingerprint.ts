/**
 * One ticket per (target, resource, rule). The fingerprint is how a sink finds a ticket again,
 * after a restart or on another replica: a label (`edaguard-<fp>`) and a hidden marker in the body.
 */
import { createHash } from 'node:crypto';
import type { Target } from '../../discovery/inventory.js';

/** Every edaguard ticket carries this label, so that one query lists the open ones. */
export const TICKET_LABEL = 'edaguard';

const FP_LENGTH = 16;

/** sha256 of the target, resource and rule, as 16 hex characters (64 bits: no collision in practice). */
export function ticketFingerprint(target: Target, resource: string, rule: string): string {
  return createHash('sha256')
    .update([target.partition, target.accountId, target.region, resource, rule].join('\n'))
    .digest('hex')
    .slice(0, FP_LENGTH);
}

export const fingerprintLabel = (fp: string) => `${TICKET_LABEL}-${fp}`;

const LABEL_PATTERN = new RegExp(`^${TICKET_LABEL}-([0-9a-f]{${FP_LENGTH}})$`);
const FP_MARKER_PATTERN = new RegExp(`edaguard:fingerprint=([0-9a-f]{${FP_LENGTH}})`);
const STATE_MARKER_PATTERN = /edaguard:state=([0-9a-f]+)/;

export function fingerprintFromLabels(labels: readonly string[]): string | undefined {
  for (const label of labels) {
    const match = LABEL_PATTERN.exec(label);
    if (match) return match[1];
  }
  return undefined;
}

/** The hidden markers at the end of a Markdown body: found again by `markersIn`. */
export function markdownMarkers(fp: string, stateHash: string): string {
  return `<!-- edaguard:fingerprint=${fp} -->\n<!-- edaguard:state=${stateHash} -->`;
}

/** Fingerprint and state hash from any text that carries the markers (a body, a JSON document). */
export function markersIn(text: string | null | undefined): { fingerprint?: string; stateHash?: string } {
  if (!text) return {};
  const fp = FP_MARKER_PATTERN.exec(text)?.[1];
  const state = STATE_MARKER_PATTERN.exec(text)?.[1];
  return { ...(fp ? { fingerprint: fp } : {}), ...(state ? { stateHash: state } : {}) };
}
