/** What a CI job treats as failure (`--fail-on`): drift and failures only, tickets too (default), or nothing. */
export const FAIL_ON = ['drift', 'ticket', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];
