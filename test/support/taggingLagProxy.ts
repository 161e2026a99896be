/**
 * A loopback proxy in front of the emulator that plays the tagging API's eventual consistency:
 * GetResources queries for the given tag key answer an empty page, as AWS can for a resource
 * tagged moments ago; every other call is forwarded unchanged.
 */
import { startLoopbackProxy } from './loopbackProxy.js';

export async function startTaggingLagProxy(upstream: string, hiddenTagKey: string) {
  let hidden = 0;
  const proxy = await startLoopbackProxy(upstream, (call) => {
    if (!call.target.endsWith('.GetResources') || !call.body.toString('utf8').includes(hiddenTagKey))
      return call.forward();
    hidden += 1;
    call.res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    call.res.end(JSON.stringify({ ResourceTagMappingList: [], PaginationToken: '' }));
  });
  return {
    url: proxy.url,
    /** GetResources answers that hid the tag. */
    hiddenAnswers: () => hidden,
    close: proxy.close,
  };
}
