import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface ExampleSite {
  url: string;
  close(): Promise<void>;
}

/** The folder of `examples/<name>`. */
export function exampleFolder(name: string): string {
  return fileURLToPath(new URL(`../../../examples/${name}/`, import.meta.url));
}

/**
 * Serves the files of `folder` from a loopback port of its own: an origin other than the Parley server's. An address
 * without an extension gets `index.html`. `rewrite` may change a file's text on its way out.
 * The Vite apps read `?server=…&code=…&name=…&hostKey=…`; with `parleyUrl`, an address without `server` is
 * redirected to one naming it, so `MeetingPage.open`, which passes the rest, opens them as it opens the plain embedder.
 */
export async function serveFolder(
  folder: string,
  { parleyUrl, rewrite }: { parleyUrl?: string; rewrite?: (text: string) => string } = {},
): Promise<ExampleSite> {
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://example');
    if (parleyUrl && !url.searchParams.has('server') && !extname(url.pathname)) {
      url.searchParams.set('server', parleyUrl);
      response.writeHead(302, { Location: `${url.pathname}${url.search}` }).end();
      return;
    }
    const file = join(folder, normalize(extname(url.pathname) ? url.pathname : '/index.html'));
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(rewrite && extname(file) === '.html' ? rewrite(body.toString('utf8')) : body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Builds `examples/<name>` with its own Vite config into `outDir` and serves the result (see `serveFolder`). Built
 * here rather than in `npm run build`, which only the e2e tests would need: seconds per app, and what the test runs
 * is never stale.
 */
export async function buildAndServe(name: string, parleyUrl: string, outDir: string): Promise<ExampleSite> {
  await build({ root: exampleFolder(name), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return serveFolder(outDir, { parleyUrl });
}
