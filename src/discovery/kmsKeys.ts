import type { KMSClient } from '@aws-sdk/client-kms';
import { sdk } from '../aws/sdk.js';
import { needsKmsKeyGrant } from '../reconcile/queuePolicyGrant.js';
import type { KmsKeyFacts, QueueFacts } from './inventory.js';
import type { ReadRunner } from './readRequeue.js';

/** The keys (as the queues name them) of the given DLQs that may need a key policy grant (pure). */
export function kmsKeysToRead(queues: ReadonlyMap<string, QueueFacts>, dlqArns: Iterable<string>): string[] {
  const keys = new Set<string>();
  for (const arn of dlqArns) {
    const key = queues.get(arn)?.kmsMasterKeyId;
    if (key !== undefined && needsKmsKeyGrant(key)) keys.add(key);
  }
  return [...keys].sort();
}

/** DescribeKey, then GetKeyPolicy of a customer-managed key: read-only, one key at a time. */
async function readKey(kms: KMSClient, keyRef: string): Promise<KmsKeyFacts> {
  const { DescribeKeyCommand, GetKeyPolicyCommand } = await sdk.kms();
  const described = await kms.send(new DescribeKeyCommand({ KeyId: keyRef }));
  const metadata = described.KeyMetadata;
  const keyManager = metadata?.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER';
  const arn = metadata?.Arn;
  if (keyManager === 'AWS' || !arn) return { keyRef, keyManager, ...(arn ? { arn } : {}) };
  const policy = await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }));
  return { keyRef, keyManager, arn, ...(policy.Policy ? { policy: policy.Policy } : {}) };
}

/**
 * The key facts of each key: a read that fails (a key in another account whose policy does not
 * let edaguard read it, say) is kept as that key's readError, so the rule can say it could not
 * check, and the cycle goes on.
 */
export async function readKmsKeys(
  kms: KMSClient,
  keyRefs: readonly string[],
  run: ReadRunner,
): Promise<Map<string, KmsKeyFacts>> {
  const keys = new Map<string, KmsKeyFacts>();
  await Promise.all(
    keyRefs.map(async (keyRef) => {
      try {
        keys.set(keyRef, await run(() => readKey(kms, keyRef)));
      } catch (error) {
        const e = error as { name?: string; Code?: string };
        keys.set(keyRef, { keyRef, readError: e.Code ?? e.name ?? 'Error' });
      }
    }),
  );
  return new Map([...keys].sort(([a], [b]) => a.localeCompare(b)));
}
