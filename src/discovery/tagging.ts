import {
  GetResourcesCommand,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';

export interface TagQuery {
  /** Type filters, e.g. `sqs`, `lambda:function`. */
  resourceTypes: readonly string[];
  tags: Readonly<Record<string, string>>;
}

export interface TaggedArn {
  arn: string;
  tags: Record<string, string>;
}

/** Every resource matching one tag query, following PaginationToken to the end (100 per page). */
export async function getTaggedResources(
  client: ResourceGroupsTaggingAPIClient,
  query: TagQuery,
): Promise<TaggedArn[]> {
  const found: TaggedArn[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetResourcesCommand({
        ResourceTypeFilters: [...query.resourceTypes],
        TagFilters: Object.entries(query.tags).map(([Key, value]) => ({ Key, Values: [value] })),
        ResourcesPerPage: 100,
        ...(token ? { PaginationToken: token } : {}),
      }),
    );
    for (const mapping of page.ResourceTagMappingList ?? []) {
      if (!mapping.ResourceARN) continue;
      const tags: Record<string, string> = {};
      for (const tag of mapping.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      found.push({ arn: mapping.ResourceARN, tags });
    }
    token = page.PaginationToken || undefined;
  } while (token);
  return found;
}
