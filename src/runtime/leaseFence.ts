import type { AttemptGuard, WriteAttempt, WriteFence } from '../aws/writeFence.js';
import type { LeaderLease } from './lease.js';
import { LeaseLostError } from './leaseRecord.js';

/**
 * The write fence of a replica with leader election: before each attempt of each write, the
 * lease is checked in DynamoDB (leaseTiming.ts: the attempt must fit before the expiry minus the
 * skew margin, or it is not started); while the attempt is in flight it is aborted when the lease
 * is lost, or when the time this replica trusts its lease runs out without a renewal.
 *
 * Aborting stops the client from sending more and from waiting; bytes already sent may still be
 * executed by AWS. What keeps an attempt inside the lease is the rule that it may start only when
 * its whole request timeout fits; the abort is the backstop for what the timeout does not bound.
 */
export class LeaseWriteFence implements WriteFence {
  constructor(
    /** The lease, once the controller has one (none yet: every write is refused). */
    private readonly lease: () => LeaderLease | undefined,
    /** How long one attempt may take: the clients' request timeout. */
    private readonly attemptTimeoutMs: number,
  ) {}

  async beforeAttempt(attempt: WriteAttempt): Promise<AttemptGuard> {
    const lease = this.lease();
    if (!lease) throw new LeaseLostError('no lease yet: writes wait for leader election');
    const grant = await lease.verify(attempt.input, this.attemptTimeoutMs);
    return watchAttempt(lease, grant.fencingToken, grant.windowMs, `${attempt.service}.${attempt.operation}`);
  }
}

/** Aborts the attempt when the lease is lost or its trusted time runs out (re-armed by renewals). */
export function watchAttempt(
  lease: Pick<LeaderLease, 'trustedWindowMs' | 'whenLost'>,
  token: number,
  windowMs: number,
  call: string,
): AttemptGuard {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const abort = (why: string) => {
    clearTimeout(timer);
    controller.abort(
      new LeaseLostError(
        `${why} while ${call} was in flight: the attempt was aborted (what was already sent may have been applied; the next cycle reads it again)`,
      ),
    );
  };
  const check = () => {
    const left = lease.trustedWindowMs(token);
    if (left <= 0) abort('the lease expired without a renewal');
    else timer = setTimeout(check, left);
  };
  timer = setTimeout(check, Math.max(0, windowMs));
  const off = lease.whenLost((reason) => abort(`lost the lease (${reason})`));
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      off();
    },
  };
}
