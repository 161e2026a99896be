import { describe, expect, it } from 'vitest';
import { readErrorFindings } from '../../../src/reconcile/readErrorFindings.js';
import { arnOf, inventory } from '../fixtures.js';

describe('readErrorFindings', () => {
  it('makes one audit-only error finding per failed read, typed by the resource it names', () => {
    const mapping = 'arn:aws:lambda:us-east-1:123456789012:event-source-mapping:uuid-1';
    const inv = inventory({
      readErrors: [
        { resource: arnOf('orders'), operation: 'GetQueueAttributes', code: 'AccessDenied', message: 'no' },
        { resource: mapping, operation: 'DescribeStreamSummary', code: 'Throttling', message: 'slow down' },
      ],
    });
    const findings = readErrorFindings(inv);
    expect(findings.map((f) => [f.resourceType, f.rule, f.status, f.enforcement, f.actions.length])).toEqual([
      ['sqs:queue', 'read-error', 'error', 'audit', 0],
      ['lambda:event-source-mapping', 'read-error', 'error', 'audit', 0],
    ]);
    expect(findings[1]?.message).toBe('DescribeStreamSummary failed: Throttling: slow down');
    expect(findings[1]?.observed).toEqual({ operation: 'DescribeStreamSummary', code: 'Throttling' });
  });
});
