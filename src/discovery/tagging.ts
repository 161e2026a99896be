import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { sdk } from '../aws/sdk.js';

export interface TagQuery {
  /** Type filters, e.g. `sqs`, `lambda:function`. */
  resourceTypes: readonly string[];
  tags: Readonly<Record<string, string>>;
}

export interface TaggedArn {
  arn: string;
  tags: Record<string, string>;
}

/** Times a listing (the SDK's paginator) starts over when its pagination token expired mid-way. */
const LISTING_RESTARTS = 2;

/**
 * Every resource matching one tag query, following PaginationToken to the end (100 per page).
 * A token expires (after 15 minutes on AWS; moto after its first use, so a page retried after a
 * lost answer meets it): the listing then starts over, as a partial one cannot be trusted.
 */
export async function getTaggedResources(
  client: ResourceGroupsTaggingAPIClient,
  query: TagQuery,
): Promise<TaggedArn[]> {
  for (let restart = 0; ; restart++) {
    try {
      return await listTaggedResources(client, query);
    } catch (error) {
      const expired = (error as { name?: string }).name === 'PaginationTokenExpiredException';
      if (!expired || restart >= LISTING_RESTARTS) throw error;
    }
  }
}

async function listTaggedResources(
  client: ResourceGroupsTaggingAPIClient,
  query: TagQuery,
): Promise<TaggedArn[]> {
  const { paginateGetResources } = await sdk.tagging();
  const found: TaggedArn[] = [];
  const pages = paginateGetResources(
    { client, pageSize: 100 },
    {
      ResourceTypeFilters: [...query.resourceTypes],
      TagFilters: Object.entries(query.tags).map(([Key, value]) => ({ Key, Values: [value] })),
    },
  );
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) {
      if (!mapping.ResourceARN) continue;
      const tags: Record<string, string> = {};
      for (const tag of mapping.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      found.push({ arn: mapping.ResourceARN, tags });
    }
  }
  return found;
}
