import type { Target } from '../../discovery/inventory.js';
import type { TicketContent, TicketResolution } from './ticketContent.js';

/** An open ticket as its sink knows it. */
export interface TicketRef {
  readonly fingerprint: string;
  /** The sink's id: a GitHub issue number, a Jira key, the fingerprint for the webhook. */
  readonly id: string;
  /** Where a person reads it (for Slack links), when the sink has one. */
  readonly url?: string;
  /** The state hash written with the ticket's last content; a different one means update it. */
  readonly stateHash?: string;
}

/**
 * A place tickets live. Each method makes its own retries and throws when they are spent;
 * `reconcileTickets` turns a throw into a counted failure for that one ticket.
 */
export interface TicketSink {
  readonly kind: 'github' | 'jira' | 'webhook' | 'dry-run';
  /**
   * The open edaguard tickets of `target` (a sink may return other targets' too: they are left
   * alone): the basis for dedup and for closing.
   */
  listOpen(target: Target): Promise<TicketRef[]>;
  open(content: TicketContent): Promise<TicketRef>;
  /** Rewrites the ticket with the current content and comments on what changed. */
  update(ref: TicketRef, content: TicketContent): Promise<TicketRef>;
  /** Comments why, then closes (or transitions to done). `target` is the ticket's. */
  resolve(ref: TicketRef, resolution: TicketResolution, target: Target): Promise<void>;
}
