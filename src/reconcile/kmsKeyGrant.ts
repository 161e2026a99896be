/**
 * Whether a customer-managed key's policy lets a service use the key for a DLQ it delivers to
 * (`dlq-delivery-permission`): Allow, the service principal, kms:GenerateDataKey and kms:Decrypt
 * (or a wildcard covering them), and either no condition or one whose aws:SourceArn lists the
 * source. A condition on anything else cannot be judged here, so it does not count as a grant.
 */

type Json = unknown;

const list = (value: Json): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function coversKmsAction(actions: Json, needed: string): boolean {
  return list(actions).some((a) => {
    if (typeof a !== 'string') return false;
    const action = a.toLowerCase();
    if (action === '*' || action === 'kms:*' || action === needed) return true;
    return action.endsWith('*') && needed.startsWith(action.slice(0, -1));
  });
}

function conditionAllows(condition: Json, sourceArn: string): boolean {
  if (condition === undefined) return true;
  if (!isObject(condition)) return false;
  for (const [operator, block] of Object.entries(condition)) {
    if (!['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'].includes(operator) || !isObject(block))
      return false;
    for (const [key, values] of Object.entries(block)) {
      if (key.toLowerCase() !== 'aws:sourcearn' || !list(values).includes(sourceArn)) return false;
    }
  }
  return true;
}

function statementAllows(statement: Json, servicePrincipal: string, sourceArn: string): boolean {
  if (!isObject(statement) || statement.Effect !== 'Allow') return false;
  const principal = statement.Principal;
  if (!isObject(principal) || !list(principal.Service).includes(servicePrincipal)) return false;
  return (
    coversKmsAction(statement.Action, 'kms:generatedatakey') &&
    coversKmsAction(statement.Action, 'kms:decrypt') &&
    conditionAllows(statement.Condition, sourceArn)
  );
}

/** True when some statement of the key policy grants the delivery on its own. */
export function keyPolicyGrants(policyText: string, servicePrincipal: string, sourceArn: string): boolean {
  try {
    const parsed = JSON.parse(policyText) as Json;
    if (!isObject(parsed)) return false;
    return list(parsed.Statement).some((s) => statementAllows(s, servicePrincipal, sourceArn));
  } catch {
    return false;
  }
}
