import { type Finding, findingKey } from './model.js';

/**
 * A queue that several findings need (a function's on-failure queue, for its mappings and its
 * async config) is created by the first of them; the others wait for that finding's writes.
 */
export function shareCreatedQueues(findings: readonly Finding[]): Finding[] {
  // Keyed by enforcement too: an enforced finding must never wait for an audited one, which never runs.
  const creator = new Map<string, string>();
  return findings.map((f) => {
    if (f.status !== 'drift') return f;
    const dependsOn: string[] = [];
    const actions = f.actions.filter((a) => {
      if (a.kind !== 'CreateQueue') return true;
      const key = `${a.queueArn} ${f.enforcement}`;
      const first = creator.get(key);
      if (first === undefined) {
        creator.set(key, findingKey(f));
        return true;
      }
      dependsOn.push(first);
      return false;
    });
    return dependsOn.length === 0 ? f : { ...f, actions, dependsOn };
  });
}
