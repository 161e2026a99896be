/** Every page of an EventBridge listing (the SDK has no paginators for EventBridge). */
export async function allPages<P extends { NextToken?: string | undefined }>(
  page: (token: string | undefined) => Promise<P>,
): Promise<P[]> {
  const pages: P[] = [];
  let token: string | undefined;
  do {
    const next = await page(token);
    pages.push(next);
    token = next.NextToken || undefined;
  } while (token);
  return pages;
}
