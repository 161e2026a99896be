/**
 * A failed call's error is remembered with its service, operation and endpoint by the clients'
 * middleware (a real SDK client against a closed loopback port), and found through `cause`.
 */
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsCallOf, rememberAwsCall } from '../../../src/aws/awsCall.js';
import { createAwsClients } from '../../../src/aws/clients.js';
import { toReadError } from '../../../src/discovery/readErrors.js';
import { freePort } from '../../support/emulator.js';

describe('awsCallOf', () => {
  it('names the service, the operation and the endpoint of a failed call', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const aws = createAwsClients({
      region: 'us-east-1',
      endpoint,
      maxAttempts: 1,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 1000,
      credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
    });
    try {
      const error = await aws.sqs.send(new ListQueuesCommand({})).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('ECONNREFUSED');
      expect(awsCallOf(error)).toEqual({ service: 'SQS', operation: 'ListQueues', endpoint: `${endpoint}/` });
      expect(awsCallOf(new Error('wrapped', { cause: error }))?.operation).toBe('ListQueues');
      expect(awsCallOf(new Error('not an AWS call'))).toBeUndefined();
    } finally {
      aws.destroy();
    }
  });
});

describe('a denied read', () => {
  it('names the IAM action to grant in its read error; other errors keep their message', () => {
    const denied = Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' });
    rememberAwsCall(denied, { service: 'SQS', operation: 'GetQueueAttributes' });
    expect(toReadError('arn:aws:sqs:us-east-1:1:orders', 'GetQueueAttributes', denied)).toEqual({
      resource: 'arn:aws:sqs:us-east-1:1:orders',
      operation: 'GetQueueAttributes',
      code: 'AccessDenied',
      message:
        "Access to the resource is denied. (hint: the credentials' role lacks the IAM action sqs:GetQueueAttributes: grant it (deploy/iam/edaguard-policy.json lists every action edaguard needs))",
    });
    const other = Object.assign(new Error('boom'), { name: 'InternalError' });
    expect(toReadError('r', 'GetQueueAttributes', other).message).toBe('boom');
  });
});
