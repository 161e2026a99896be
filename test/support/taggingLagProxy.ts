/**
 * A loopback proxy in front of the emulator that plays the tagging API's eventual consistency:
 * GetResources queries for the given tag key answer an empty page, as AWS can for a resource
 * tagged moments ago; every other call is forwarded unchanged.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startTaggingLagProxy(upstream: string, hiddenTagKey: string) {
  const up = new URL(upstream);
  let hidden = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.endsWith('.GetResources') && body.toString('utf8').includes(hiddenTagKey)) {
        hidden += 1;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ResourceTagMappingList: [], PaginationToken: '' }));
        return;
      }
      const proxied = request(
        {
          host: up.hostname,
          port: up.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: up.host },
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      proxied.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      proxied.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** GetResources answers that hid the tag. */
    hiddenAnswers: () => hidden,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
