#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { RedisUnreachableError } from './meetings/redis-meeting-store.js';
import { startServer } from './server.js';

const USAGE = `Usage: parley-server [--port <port>] [--host <address>]

Starts Parley: the signaling server, /parley.js and the demo pages (open the URL it prints).

Options:
  --port <port>     Port to listen on (default: PORT, else 3000; 0 picks a free one)
  --host <address>  Interface to bind (default: HOST, else every interface)
  -h, --help        Show this help and exit
  -v, --version     Show the version and exit

Everything else is set in environment variables, for example:
  ICE_SERVERS       JSON array of STUN/TURN servers; without it, calls connect only between
                    machines that can reach each other directly
  TLS_CERT, TLS_KEY PEM files: HTTPS, which browsers on other machines need for camera and microphone
  DATA_DIR          Folder of the SQLite database (default: ./data)
  MAX_PARTICIPANTS  Most people in one meeting (default: 8)
  LOG_LEVEL         info, warn, error, debug… (default: info)
  LOG_FORMAT        json or text (default: text in a terminal, json otherwise)
  WEBHOOK_URL       Comma list of URLs that get signed webhooks (meeting.started, participant.joined…)
  WEBHOOK_SECRET    Their signing secret, whsec_<base64>; WEBHOOK_MAX_ATTEMPTS (default: 8),
                    WEBHOOK_RETRY_BASE_MS (default: 1000), WEBHOOK_TIMEOUT_MS (default: 10000)

Every setting: docs/self-hosting.md in the Parley repository.
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (args.includes('--version') || args.includes('-v')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

try {
  // A person at a terminal reads plain lines; a service manager or a pipe gets JSON for its log processor.
  const env = { ...process.env, LOG_FORMAT: process.env.LOG_FORMAT || (process.stdout.isTTY ? 'text' : 'json') };
  const config = loadConfig(env, args);
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
  // A mistake in the configuration, a port it cannot have or an unreachable dependency: one clear line; anything
  // else, the whole error.
  const operational = error instanceof ConfigError || error instanceof RedisUnreachableError;
  const listenProblem = listenFailure(error);
  console.error(operational ? `parley-server: ${(error as Error).message}` : listenProblem ? `parley-server: ${listenProblem}` : error);
  process.exit(1);
}

/** Why the server could not listen, in words, or `undefined` for any other error. */
function listenFailure(error: unknown): string | undefined {
  const { code, port, address } = error as { code?: string; port?: number; address?: string };
  if (code === 'EADDRINUSE') return `port ${port} is already in use${address ? ` on ${address}` : ''}: stop what uses it, or set PORT (or --port) to another`;
  if (code === 'EACCES') return `no permission to listen on port ${port}: ports below 1024 need privileges; set PORT (or --port) to 1024 or above`;
  if (code === 'EADDRNOTAVAIL') return `this machine has no address ${address}: check HOST (or --host)`;
  return undefined;
}
