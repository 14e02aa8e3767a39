import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { LIMITS } from '@parley/protocol';
import type { ServerConfig } from './config.js';
import { createApp } from './http/app.js';
import { isOriginAllowed } from './http/origins.js';
import { createLogger, type Logger } from './logger.js';
import { MeetingService } from './meetings/meeting-service.js';
import { MemoryMeetingStore } from './meetings/memory-meeting-store.js';
import { Metrics } from './metrics.js';
import { Signaling } from './signaling/signaling.js';
import type { ParleyServer } from './signaling/types.js';

const EXPIRED_SWEEP_INTERVAL_MS = 60_000;

/** A running Parley server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly httpServer: HttpServer;
  readonly io: ParleyServer;
  readonly logger: Logger;
  /** Disconnects every socket and stops listening. */
  close(): Promise<void>;
}

/** Starts a server per `config` and resolves once it listens. Port 0 picks a free port. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const metrics = new Metrics();
  const meetings = new MeetingService(new MemoryMeetingStore(), config.meetingTtlMs);
  const app = createApp({ meetings, metrics, logger, allowedOrigins: config.allowedOrigins });
  const httpServer = createServer(app);
  const io: ParleyServer = new Server(httpServer, {
    cors: { origin: config.allowedOrigins === '*' ? true : config.allowedOrigins },
    // CORS binds only what a page may read; WebSocket handshakes escape it, so check the origin here as well.
    allowRequest: (request, callback) => callback(null, isOriginAllowed(config.allowedOrigins, request.headers.origin)),
    // parley.js bundles the client; nothing needs /socket.io/socket.io.js.
    serveClient: false,
    // Room for the largest valid message (an SDP at its limit) and framing, no more.
    maxHttpBufferSize: LIMITS.sdpLength * 4,
    // A short drop restores the socket with its rooms and replays what it missed; resume tokens cover the rest.
    connectionStateRecovery: { maxDisconnectionDuration: config.resumeWindowMs, skipMiddlewares: true },
  });
  const signaling = new Signaling({
    io,
    meetings,
    iceServers: config.iceServers,
    resumeWindowMs: config.resumeWindowMs,
    maxParticipants: config.maxParticipants,
    logger,
    metrics,
  });

  const sweep = setInterval(() => {
    meetings.deleteExpired().catch((error: unknown) => logger.error({ err: error }, 'expired sweep failed'));
  }, EXPIRED_SWEEP_INTERVAL_MS);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;

  if (config.iceServers.length === 0) {
    logger.warn(
      'ICE_SERVERS is not set: peers will only offer host candidates, so calls connect on the same network only. ' +
        'Set ICE_SERVERS (STUN/TURN) for calls across the internet.',
    );
  }
  logger.info({ url }, 'Parley server listening');

  return {
    url,
    httpServer,
    io,
    logger,
    close: async () => {
      clearInterval(sweep);
      signaling.close();
      await io.close();
      // io.close() closes the HTTP server too; wait for it when it was still open.
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
