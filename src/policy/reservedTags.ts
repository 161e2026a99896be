/** Tags that mean something to edaguard whatever the policies say. */
export const TAGS = {
  ignore: 'edaguard.dev/ignore',
  managedBy: 'edaguard.dev/managed-by',
  dlqFor: 'edaguard.dev/dlq-for',
  failureDestinationFor: 'edaguard.dev/failure-destination-for',
} as const;
export const MANAGED_BY_VALUE = 'edaguard';
