/**
 * A sink that writes nothing: it prints what it would open, update and close, and remembers the
 * tickets it "opened" in memory so that later cycles update and close them. For the demo and for
 * trying a configuration before pointing it at a real tracker.
 */
import type { TicketRef, TicketSink } from './sink.js';
import { type TicketContent, type TicketResolution, updateComment } from './ticketContent.js';

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

export function createDryRunSink(print: (text: string) => void): TicketSink {
  const open = new Map<string, TicketRef>();
  let next = 1;
  return {
    kind: 'dry-run',
    async listOpen() {
      return [...open.values()];
    },
    async open(content: TicketContent) {
      const ref: TicketRef = {
        fingerprint: content.fingerprint,
        id: `DRY-${next++}`,
        stateHash: content.stateHash,
      };
      open.set(content.fingerprint, ref);
      print(
        `WOULD OPEN ticket ${ref.id}: ${content.title}\n    labels: ${content.labels.join(', ')}\n${indent(content.body)}\n`,
      );
      return ref;
    },
    async update(ref: TicketRef, content: TicketContent) {
      const updated = { ...ref, stateHash: content.stateHash };
      open.set(ref.fingerprint, updated);
      print(`WOULD UPDATE ticket ${ref.id} and comment:\n${indent(updateComment(content))}\n`);
      return updated;
    },
    async resolve(ref: TicketRef, resolution: TicketResolution) {
      open.delete(ref.fingerprint);
      print(`WOULD CLOSE ticket ${ref.id} with the comment:\n${indent(resolution.comment)}\n`);
    },
  };
}
