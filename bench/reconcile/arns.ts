import { ACCOUNT } from '../../test/support/seed.js';
import { REGION } from './parameters.js';

export const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
export const functionArnOf = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
