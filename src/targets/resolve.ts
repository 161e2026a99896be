/**
 * Which targets the config names: listed accounts, or the ACTIVE accounts under an organisation's
 * roots and OUs (recursively), with every `accountTags` tag. A function to call again: the
 * organisation changes while edaguard runs.
 */
import type {
  Account,
  ListOrganizationalUnitsForParentCommandOutput,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { type AwsClientSettings, awsClientConfig } from '../aws/clients.js';
import { sdk } from '../aws/sdk.js';
import type { OrganizationTargets, TargetsConfig } from './schema.js';
import { crossTargets, type TargetRef } from './targetRef.js';

async function accountsUnder(client: OrganizationsClient, parentId: string): Promise<Account[]> {
  const { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand } = await sdk.organizations();
  const accounts: Account[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListAccountsForParentCommand({ ParentId: parentId, ...(token ? { NextToken: token } : {}) }),
    );
    accounts.push(...(page.Accounts ?? []));
    token = page.NextToken;
  } while (token);
  token = undefined;
  do {
    const page: ListOrganizationalUnitsForParentCommandOutput = await client.send(
      new ListOrganizationalUnitsForParentCommand({
        ParentId: parentId,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const ou of page.OrganizationalUnits ?? [])
      if (ou.Id) accounts.push(...(await accountsUnder(client, ou.Id)));
    token = page.NextToken;
  } while (token);
  return accounts;
}

async function tagsOf(client: OrganizationsClient, accountId: string): Promise<Map<string, string>> {
  const { ListTagsForResourceCommand } = await sdk.organizations();
  const tags = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListTagsForResourceCommand({ ResourceId: accountId, ...(token ? { NextToken: token } : {}) }),
    );
    for (const t of page.Tags ?? []) if (t.Key) tags.set(t.Key, t.Value ?? '');
    token = page.NextToken;
  } while (token);
  return tags;
}

/** The ids of the ACTIVE accounts under the roots/OUs that carry every wanted tag, sorted. */
export async function organizationAccounts(
  client: OrganizationsClient,
  organization: OrganizationTargets,
): Promise<string[]> {
  const found = new Set<string>();
  for (const parentId of organization.parentIds)
    for (const account of await accountsUnder(client, parentId))
      if (account.Id && (account.State ?? account.Status) === 'ACTIVE') found.add(account.Id);
  const wanted = Object.entries(organization.accountTags ?? {});
  const ids = [...found].sort();
  if (wanted.length === 0) return ids;
  const kept: string[] = [];
  for (const id of ids) {
    const tags = await tagsOf(client, id);
    if (wanted.every(([k, v]) => tags.get(k) === v)) kept.push(id);
  }
  return kept;
}

/** The targets of the config: each account in each region. Organizations is read with the controller's own credentials. */
export async function resolveTargets(
  targets: TargetsConfig,
  settings: AwsClientSettings,
  makeClient?: () => OrganizationsClient,
): Promise<TargetRef[]> {
  if (targets.accounts) return crossTargets(targets.accounts, targets.regions);
  const client = makeClient
    ? makeClient()
    : new (await sdk.organizations()).OrganizationsClient(awsClientConfig(settings));
  try {
    return crossTargets(
      await organizationAccounts(client, targets.organization ?? { parentIds: [] }),
      targets.regions,
    );
  } finally {
    client.destroy();
  }
}
