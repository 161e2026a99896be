import { createHash } from 'node:crypto';

/**
 * The delivery permission of `dlq-delivery-permission`, shared by every service that delivers to a
 * DLQ (SNS now, EventBridge later): a queue's `Policy` must let the service principal SendMessage
 * with `aws:SourceArn` = the source. Pure: (principal, source ARN, queue ARN, policy text) → verdict.
 * A missing statement is added by inserting it into the original text, so every other statement
 * stays byte-for-byte as it was; edaguard never removes or edits a statement it did not write.
 */
export interface GrantRequest {
  servicePrincipal: string;
  sourceArn: string;
  queueArn: string;
  /** The queue's `Policy` attribute; undefined or '' when it has none. */
  policyText: string | undefined;
}

export type GrantCheck =
  | { status: 'granted'; sid: string | undefined }
  | { status: 'missing'; sid: string; statement: GrantStatement; policyText: string }
  | { status: 'ticket'; sid: string; reason: string };

export interface GrantStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { Service: string };
  Action: 'sqs:SendMessage';
  Resource: string;
  Condition: { ArnEquals: { 'aws:SourceArn': string } };
}

/** `edaguard-<hash>`: stable for (principal, source, queue), so a second cycle finds its own statement. */
export function grantSid(servicePrincipal: string, sourceArn: string, queueArn: string): string {
  const hash = createHash('sha256')
    .update(`${servicePrincipal}\n${sourceArn}\n${queueArn}`)
    .digest('hex')
    .slice(0, 16);
  return `edaguard-${hash}`;
}

export function grantStatement(req: Omit<GrantRequest, 'policyText'>): GrantStatement {
  return {
    Sid: grantSid(req.servicePrincipal, req.sourceArn, req.queueArn),
    Effect: 'Allow',
    Principal: { Service: req.servicePrincipal },
    Action: 'sqs:SendMessage',
    Resource: req.queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': req.sourceArn } },
  };
}

type Json = unknown;

function list(value: Json): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function coversAction(action: Json): boolean {
  return list(action).some(
    (a) => typeof a === 'string' && ['sqs:sendmessage', 'sqs:*', '*'].includes(a.toLowerCase()),
  );
}

function coversSource(condition: Json, sourceArn: string): boolean {
  if (!isObject(condition)) return false;
  const operators = ['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'];
  return operators.some((op) => {
    const block = condition[op];
    if (!isObject(block)) return false;
    const key = Object.keys(block).find((k) => k.toLowerCase() === 'aws:sourcearn');
    return key !== undefined && list(block[key]).includes(sourceArn);
  });
}

/** An Allow statement that grants exactly this delivery (principal, action, resource, source). */
export function statementGrants(statement: Json, req: Omit<GrantRequest, 'policyText'>): boolean {
  if (!isObject(statement) || statement.Effect !== 'Allow') return false;
  const principal = statement.Principal;
  if (!isObject(principal) || !list(principal.Service).includes(req.servicePrincipal)) return false;
  if (!coversAction(statement.Action)) return false;
  if (!list(statement.Resource).some((r) => r === req.queueArn || r === '*')) return false;
  return coversSource(statement.Condition, req.sourceArn);
}

/** Check the queue policy and, when the grant is missing, the policy text with edaguard's statement added. */
export function checkDeliveryGrant(req: GrantRequest): GrantCheck {
  const statement = grantStatement(req);
  const sid = statement.Sid;
  const text = req.policyText?.trim() ? req.policyText : undefined;
  if (text === undefined) {
    const policyText = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    return { status: 'missing', sid, statement, policyText };
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: 'ticket', sid, reason: 'the queue policy is not valid JSON' };
  }
  if (!isObject(parsed)) return { status: 'ticket', sid, reason: 'the queue policy is not a JSON object' };
  const statements = list(parsed.Statement);
  const granting = statements.find((s) => statementGrants(s, req));
  if (granting !== undefined) {
    return { status: 'granted', sid: isObject(granting) ? (granting.Sid as string | undefined) : undefined };
  }
  if (statements.some((s) => isObject(s) && s.Sid === sid)) {
    return {
      status: 'ticket',
      sid,
      reason: `statement ${sid} (edaguard's) was edited and no longer grants the delivery; restore it or remove it`,
    };
  }
  const policyText = insertStatement(text, JSON.stringify(statement));
  if (policyText === undefined) {
    return { status: 'ticket', sid, reason: 'the queue policy could not be extended without rewriting it' };
  }
  return { status: 'missing', sid, statement, policyText };
}

/** Index just past the JSON string starting at `start` (a '"'). */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index just past the JSON value (object or array) starting at `start`. */
function skipContainer(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i) - 1;
    } else if (c === '{' || c === '[') {
      depth += 1;
    } else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

interface Member {
  key: string;
  valueStart: number;
}

/** The top-level members of the object in `text` (keys decoded) and the index of its closing brace. */
function topMembers(text: string): { members: Member[]; close: number } | undefined {
  const open = text.indexOf('{');
  if (open < 0) return undefined;
  const members: Member[] = [];
  let i = open + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '}') return { members, close: i };
    if (c === '"') {
      const end = skipString(text, i);
      const key = JSON.parse(text.slice(i, end)) as string;
      let j = end;
      while (j < text.length && text[j] !== ':') j += 1;
      j += 1;
      while (j < text.length && /\s/.test(text[j] as string)) j += 1;
      members.push({ key, valueStart: j });
      i = text[j] === '{' || text[j] === '[' ? skipContainer(text, j) : skipScalar(text, j);
      if (i < 0) return undefined;
      continue;
    }
    i += 1;
  }
  return undefined;
}

function skipScalar(text: string, start: number): number {
  if (text[start] === '"') return skipString(text, start);
  let i = start;
  while (i < text.length && !/[,}\]\s]/.test(text[i] as string)) i += 1;
  return i;
}

/** Insert one statement (JSON text) into the policy text, leaving every other byte where it was. */
export function insertStatement(text: string, statementJson: string): string | undefined {
  const top = topMembers(text);
  if (top === undefined) return undefined;
  const member = top.members.filter((m) => m.key === 'Statement').at(-1);
  let result: string;
  if (member === undefined) {
    const before = text.slice(0, top.close);
    const comma = top.members.length > 0 ? ',' : '';
    result = `${before}${comma}"Statement":[${statementJson}]${text.slice(top.close)}`;
  } else if (text[member.valueStart] === '[') {
    const end = skipContainer(text, member.valueStart);
    if (end < 0) return undefined;
    const inner = text.slice(member.valueStart + 1, end - 1);
    const sep = inner.trim() === '' ? '' : ',';
    result = `${text.slice(0, end - 1)}${sep}${statementJson}${text.slice(end - 1)}`;
  } else if (text[member.valueStart] === '{') {
    const end = skipContainer(text, member.valueStart);
    if (end < 0) return undefined;
    const single = text.slice(member.valueStart, end);
    result = `${text.slice(0, member.valueStart)}[${single},${statementJson}]${text.slice(end)}`;
  } else {
    return undefined;
  }
  return checkedInsert(text, result, statementJson);
}

/** The insertion must parse to the original policy with exactly one statement appended. */
function checkedInsert(original: string, result: string, statementJson: string): string | undefined {
  try {
    const before = JSON.parse(original) as Record<string, Json>;
    const after = JSON.parse(result) as Record<string, Json>;
    const expected = { ...before, Statement: [...list(before.Statement), JSON.parse(statementJson)] };
    return JSON.stringify(after) === JSON.stringify(expected) ? result : undefined;
  } catch {
    return undefined;
  }
}

/** What a customer-managed KMS key's policy must allow for the service to deliver (edaguard never edits it). */
export function kmsKeyPolicyGuidance(servicePrincipal: string, sourceArn: string, kmsKeyId: string): string {
  const statement = {
    Sid: 'AllowDeliveryToEncryptedDlq',
    Effect: 'Allow',
    Principal: { Service: servicePrincipal },
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: '*',
    Condition: { ArnEquals: { 'aws:SourceArn': sourceArn } },
  };
  return `the DLQ is encrypted with ${kmsKeyId}: add this statement to that key's policy so ${servicePrincipal} can deliver to it (edaguard never edits key policies): ${JSON.stringify(statement)}`;
}

/** Keys SQS manages itself need no key policy change. */
export function needsKmsKeyGrant(kmsMasterKeyId: string | undefined): boolean {
  return kmsMasterKeyId !== undefined && kmsMasterKeyId !== '' && kmsMasterKeyId !== 'alias/aws/sqs';
}
