import { parseRedrivePolicy } from '../discovery/sqs.js';

/** Compare attribute values by meaning: numbers as numbers, RedrivePolicy as parsed JSON. */
export function sameAttributeValue(name: string, a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (name === 'RedrivePolicy') {
    const pa = parseRedrivePolicy(a);
    const pb = parseRedrivePolicy(b);
    return (
      !!pa &&
      !!pb &&
      pa.deadLetterTargetArn === pb.deadLetterTargetArn &&
      pa.maxReceiveCount === pb.maxReceiveCount
    );
  }
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na === nb;
  return a.toLowerCase() === b.toLowerCase() && /^(true|false)$/i.test(a);
}

/** Attribute names whose read-back value differs from what was written. */
export function attributesNotYetVisible(
  wanted: Readonly<Record<string, string>>,
  actual: Readonly<Record<string, string>>,
): string[] {
  return Object.keys(wanted).filter((name) => !sameAttributeValue(name, wanted[name], actual[name]));
}
