import { resourceTypeOfArn } from '../aws/arn.js';
import type { Inventory } from '../discovery/inventory.js';
import type { Finding } from './model.js';

/** One `read-error` finding per read that failed: that resource is not judged this cycle. */
export function readErrorFindings(inventory: Inventory): Finding[] {
  return inventory.readErrors.map((e) => ({
    resource: e.resource,
    resourceType:
      resourceTypeOfArn(e.resource) ??
      (e.resource.includes(':event-source-mapping:') ? 'lambda:event-source-mapping' : 'sqs:queue'),
    policy: '',
    rule: 'read-error',
    status: 'error',
    observed: { operation: e.operation, code: e.code },
    desired: null,
    message: `${e.operation} failed: ${e.code}: ${e.message}`,
    enforcement: 'audit',
    actions: [],
  }));
}
