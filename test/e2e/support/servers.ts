import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, startServer, type RunningServer } from '@parley/server';

/**
 * The Parley server under test, on a free loopback port, with no ICE servers (host candidates only).
 * `env` adds configuration variables, e.g. `{ RESUME_WINDOW_MS: '5000' }`.
 */
export function startParley(env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  return startServer(
    loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_PATH: ':memory:',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      ...env,
    }),
  );
}

export interface Embedder {
  /** A different origin than the Parley server's: same host, another port. */
  url: string;
  close(): Promise<void>;
}

/**
 * A third-party site that embeds Parley the documented way: one script tag from the Parley server and a
 * `<meeting-room autojoin>`. `GET /?code=…&name=…[&hostKey=…]` serves the page; `&prejoin=1` leaves out `autojoin`
 * so the prejoin screen shows, `&lang=…` sets the element's language, `&ice=relay` its `ice-transport-policy` and
 * `&hide=…` its `hide`.
 */
export async function startEmbedder(parleyUrl: string): Promise<Embedder> {
  const server: Server = createServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://embedder').searchParams;
    const attribute = (value: string | null) => (value ?? '').replace(/[^\w -]/g, '');
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Embedder</title>
<style>body { margin: 0 } meeting-room { height: 100vh }</style></head>
<body>
<meeting-room code="${attribute(query.get('code'))}" name="${attribute(query.get('name'))}"
  host-key="${attribute(query.get('hostKey'))}" ${query.get('lang') ? `lang="${attribute(query.get('lang'))}"` : ''}
  ${query.get('ice') ? `ice-transport-policy="${attribute(query.get('ice'))}"` : ''}
  ${query.get('hide') ? `hide="${attribute(query.get('hide'))}"` : ''}
  ${query.get('prejoin') === '1' ? '' : 'autojoin'}></meeting-room>
<script type="module" src="${parleyUrl}/parley.js"></script>
</body>
</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function createMeeting(parleyUrl: string): Promise<{ code: string; hostKey: string }> {
  const response = await fetch(`${parleyUrl}/api/meetings`, { method: 'POST' });
  if (response.status !== 201) throw new Error(`POST /api/meetings answered ${response.status}`);
  return (await response.json()) as { code: string; hostKey: string };
}
