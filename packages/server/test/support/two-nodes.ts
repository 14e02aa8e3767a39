import { after, before } from 'node:test';
import type { RunningServer } from '../../src/index.js';
import { connect, startTestServer, type TestClient } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

/**
 * Two servers sharing one real Redis (a cluster of two nodes) for the enclosing suite, started before its tests and
 * stopped after them, and a way to open client sockets on either node that are all disconnected at the end. `env` adds
 * to both nodes' settings; as a function it is read when they start, after the suite's earlier `before` hooks.
 */
export function useTwoNodes(env: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv) = {}): { readonly nodes: readonly RunningServer[]; on(node: 0 | 1): Promise<TestClient> } {
  let redis: TestRedis;
  const nodes: RunningServer[] = [];
  const sockets: TestClient[] = [];
  before(async () => {
    redis = await startRedis();
    const settings = { ...(typeof env === 'function' ? env() : env), REDIS_URL: redis.url };
    for (let node = 0; node < 2; node++) nodes.push(await startTestServer(settings));
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(nodes.map((node) => node.close()));
    await redis.stop();
  });
  return {
    nodes,
    async on(node) {
      const socket = await connect(nodes[node]!);
      sockets.push(socket);
      return socket;
    },
  };
}
