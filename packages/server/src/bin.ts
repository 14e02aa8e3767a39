#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { RedisUnreachableError } from './meetings/redis-meeting-store.js';
import { startServer } from './server.js';

try {
  const config = loadConfig(process.env, process.argv.slice(2));
  const server = await startServer(config);
  const stop = (signal: NodeJS.Signals) => {
    server.logger.info({ signal }, 'shutting down');
    // Whatever hangs, the process goes within the timeout.
    setTimeout(() => {
      server.logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  // A mistake in the configuration or an unreachable dependency: one clear line; anything else, the whole error.
  const operational = error instanceof ConfigError || error instanceof RedisUnreachableError;
  console.error(operational ? `parley-server: ${(error as Error).message}` : error);
  process.exit(1);
}
