import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server } from 'socket.io';
import { LIMITS } from '@parley/protocol';
import { ConfigError, type ServerConfig } from './config.js';
import { createApp, type Readiness } from './http/app.js';
import { isOriginAllowed } from './http/origins.js';
import type { MeetingAdministration } from './http/server-api.js';
import { createLogger, LISTENING_MESSAGE, type DestinationStream, type Logger } from './logger.js';
import { MeetingService } from './meetings/meeting-service.js';
import type { MeetingStore } from './meetings/meeting.js';
import { connectRedis, RedisMeetingStore, type RedisClient } from './meetings/redis-meeting-store.js';
import { SqliteMeetingStore } from './meetings/sqlite-meeting-store.js';
import { Metrics } from './metrics.js';
import { ParticipantTokens } from './participant-tokens.js';
import { RateLimits } from './rate-limits.js';
import { SfuRooms } from './sfu/sfu-rooms.js';
import { ResumeTokens } from './signaling/resume-tokens.js';
import { ConnectionGuard, type EngineConnection } from './signaling/connection-guard.js';
import { NODE_HEARTBEAT_MS, NODE_TIMEOUT_MS, Signaling } from './signaling/signaling.js';
import type { ParleyServer } from './signaling/types.js';
import { WebhookDeliveries } from './webhooks/deliveries.js';
import { LocalWebhookClaims, RedisWebhookClaims, Webhooks } from './webhooks/webhooks.js';

const EXPIRED_SWEEP_INTERVAL_MS = 60_000;
/** Longest a shutdown waits for the webhooks of the last events to be claimed (Redis may be away). */
const WEBHOOK_CLAIMS_SHUTDOWN_MS = 2000;
/** Longest a readiness probe waits for storage: a load balancer needs an answer, not a hang. */
export const READINESS_TIMEOUT_MS = 1000;
/**
 * How long a resume token is accepted. Connected participants get a new one half way through, so this bounds how
 * long after a crash (or a demotion from host) an old one still works.
 */
const RESUME_TOKEN_LIFETIME_MS = 6 * 60 * 60 * 1000;

/** A running Parley server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3000` (`https://` with TLS). */
  readonly url: string;
  readonly httpServer: HttpServer;
  readonly io: ParleyServer;
  readonly logger: Logger;
  readonly meetings: MeetingService;
  /**
   * Shuts down gracefully: refuses readiness, stops accepting connections, closes every socket so that clients
   * reconnect (they see `transport close`), hands the participants over to the next process through storage, and
   * closes storage. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where logs go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
}

/** Starts a server per `config` and resolves once it listens. Port 0 picks a free port. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = createLogger(config.logLevel, options.logDestination, config.logFormat);
  const metrics = new Metrics();
  // With REDIS_URL, meetings live in Redis and Socket.IO fans out through its streams (docs/scaling.md).
  let redis: RedisClient | undefined;
  if (config.redisUrl) {
    let lastError = '';
    redis = await connectRedis(config.redisUrl, (error) => {
      // node-redis reports every failed reconnection attempt: log each distinct problem once.
      if (error.message === lastError) return;
      lastError = error.message;
      logger.error({ err: error }, 'Redis connection error (reconnecting)');
    });
    redis.on('ready', () => {
      if (lastError) logger.info('Redis connection restored');
      lastError = '';
    });
  }
  const nodeId = redis ? randomUUID() : undefined;
  const store: MeetingStore = redis ? new RedisMeetingStore(redis) : openStore(config.databasePath);
  const meetings = new MeetingService(store, { ttlMs: config.meetingTtlMs, emptyGraceMs: config.emptyMeetingGraceMs });
  const rateLimits = new RateLimits(config, redis);
  let shuttingDown = false;
  const ready = async (): Promise<Readiness> => {
    if (shuttingDown) return { ready: false, reason: 'shutting down' };
    // node-redis queues commands while it reconnects: a ping then waits for Redis to come back. Answer at once.
    if (redis && !redis.isReady) return { ready: false, reason: 'redis unreachable' };
    const reason = await bounded(store.ping(), READINESS_TIMEOUT_MS).then(
      (answered) => (answered ? undefined : 'storage not answering'),
      (error: unknown) => {
        logger.error({ err: error }, 'storage unreachable');
        return 'storage unreachable';
      },
    );
    return reason ? { ready: false, reason } : { ready: true };
  };
  // The server API acts through the signaling, made below on the HTTP server this app serves; nothing reaches the app
  // before that server listens, after both exist.
  let signaling!: Signaling;
  const administration: MeetingAdministration = {
    participantsOf: (code) => signaling.participantsOf(code),
    waitingCount: (code) => signaling.waitingCount(code),
    endMeeting: (code) => signaling.endMeeting(code),
    removeParticipant: (code, participantId) => signaling.removeParticipant(code, participantId),
    updateMeeting: (code, changes) => signaling.updateMeeting(code, changes),
  };
  const app = createApp({
    meetings,
    metrics,
    logger,
    allowedOrigins: config.allowedOrigins,
    rateLimits,
    tls: !!config.tls,
    createMeetingKey: config.createMeetingKey,
    apiKey: config.apiKey ?? config.createMeetingKey,
    administration,
    maxParticipants: config.maxParticipants,
    ready,
    mediaServers: config.sfu?.instances.map((instance) => instance.publicUrl) ?? [],
  });
  const guard = new ConnectionGuard({ ...config.connections, clientIp: (request) => rateLimits.clientIp(request), metrics, logger });
  const httpServer: HttpServer = config.tls ? createHttpsServer({ ...config.tls }, app) : createHttpServer(app);
  const io: ParleyServer = new Server(httpServer, {
    cors: { origin: config.allowedOrigins === '*' ? true : config.allowedOrigins },
    // CORS binds only what a page may read; WebSocket handshakes escape it, so check the origin here as well.
    // One address may hold only so many connections (MAX_CONNECTIONS_PER_ADDRESS): refused before the upgrade.
    allowRequest: (request, callback) =>
      callback(null, isOriginAllowed(config.allowedOrigins, request.headers.origin, request.headers.host) && guard.allows(request)),
    // parley.js bundles the client; nothing needs /socket.io/socket.io.js.
    serveClient: false,
    // The largest valid message is an SDP at its limit, every byte of it escaped to two in JSON at worst.
    maxHttpBufferSize: LIMITS.messageBytes,
    // A short drop restores the socket with its rooms and replays what it missed; resume tokens cover the rest.
    connectionStateRecovery: { maxDisconnectionDuration: config.resumeWindowMs, skipMiddlewares: true },
    // The streams adapter keeps recovery working across nodes: sessions and missed packets are stored in Redis.
    // Several nodes: websocket only, so that a session is one TCP connection to one node and no load balancer needs
    // sticky sessions (HTTP long-polling would need them). The SDK connects with websocket only anyway.
    ...(redis ? { adapter: createAdapter(handledPublishes(redis, logger)), transports: ['websocket' as const] } : {}),
  });
  const resumeSecret = config.resumeTokenSecret ? Buffer.from(config.resumeTokenSecret) : await store.resumeSecret();
  const processId = nodeId ?? randomUUID();
  const recoverUntil = await recoveryEnd(store, processId, config.resumeWindowMs);
  if (recoverUntil > 0) logger.warn({ until: new Date(recoverUntil).toISOString() }, 'started after a crash: taking participants back by resume token');
  // Nodes starting from now on see this one running (Redis).
  const running = setInterval(() => {
    store.markRunning(processId, Date.now()).catch((error: unknown) => logger.warn({ err: error }, 'marking this node running failed'));
  }, NODE_HEARTBEAT_MS);
  running.unref();
  await store.markRunning(processId, Date.now());
  io.engine.on('connection', (connection: EngineConnection) => guard.track(connection));
  guard.startIdleSweep(() => io.of('/').sockets.values());
  // SFU mode: the meetings' Janus rooms, on the instances this server watches (a dead one's meetings move).
  const sfu = config.sfu && new SfuRooms(config.sfu, logger, store);
  // With several nodes, the node that claims an event first in Redis sends it: once per cluster.
  const deliveries = config.webhooks && new WebhookDeliveries(config.webhooks, logger, metrics);
  const webhooks = deliveries && new Webhooks(deliveries, redis ? new RedisWebhookClaims(redis) : new LocalWebhookClaims(), logger);
  signaling = new Signaling({
    io,
    meetings,
    iceServers: config.iceServers,
    turn: config.turn,
    resumeWindowMs: config.resumeWindowMs,
    recoverUntil,
    resumeTokens: new ResumeTokens(resumeSecret, RESUME_TOKEN_LIFETIME_MS),
    maxParticipants: config.maxParticipants,
    rateLimits,
    participantTokens: config.participantTokens && new ParticipantTokens(config.participantTokens),
    logger,
    metrics,
    sfu,
    autoMedia: config.mediaMode === 'auto',
    cluster: nodeId ? { nodeId } : undefined,
    webhooks,
  });
  sfu?.watch();
  if (redis) {
    // Heartbeats missed while Redis is away prove nothing: signaling judges other nodes only while the link is up.
    const dropped = () => {
      if (!redis.isReady) signaling.redisLinkChanged(false);
    };
    redis.on('error', dropped);
    redis.on('reconnecting', dropped);
    redis.on('ready', () => signaling.redisLinkChanged(true));
  }

  // Participants the previous process handed over at shutdown may resume here; meetings it left occupied without
  // handing anyone over (it crashed) count as emptied now.
  // With several nodes, an occupied meeting may be another live node's: only its own participants leave it empty.
  const restored = signaling.restore(await store.takeParticipants());
  if (!redis) await meetings.vacateAll(restored);

  const sweep = setInterval(() => {
    meetings.deleteExpired().catch((error: unknown) => logger.error({ err: error }, 'expired sweep failed'));
    signaling.sweepWaitingRooms().catch((error: unknown) => logger.error({ err: error }, 'waiting room sweep failed'));
    signaling.renewResumeTokens();
    signaling.forgetEmptyMeetings();
    sfu
      ?.sweep(async (code) => typeof (await meetings.findResumable(code)) !== 'object')
      .catch((error: unknown) => logger.error({ err: error }, 'Janus room sweep failed'));
  }, EXPIRED_SWEEP_INTERVAL_MS);
  sweep.unref();
  // Participants' Janus tokens are renewed half way through their life: looked at four times as often.
  const mediaTokens =
    config.sfu && setInterval(() => signaling.renewMediaTokens(), Math.min(EXPIRED_SWEEP_INTERVAL_MS, config.sfu.tokenLifetimeMs / 4));
  mediaTokens?.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(sweep);
    clearInterval(mediaTokens);
    clearInterval(running);
    guard.close();
    signaling.close();
    deliveries?.close();
    await sfu?.close();
    // Nobody was served: the next start is no crash.
    await store.markHandedOver(processId);
    await store.close();
    await redis?.close();
    throw error;
  }
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${config.tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;

  if (config.iceServers.length === 0 && !config.turn) logger.warn(noIceServersWarning(!!config.tls));
  logger.info(
    {
      url,
      storage: redis ? 'redis' : config.databasePath,
      node: nodeId,
      participantTokens: config.participantTokens ? (config.participantTokens.secret ? 'HS256 secret' : 'JWKS') : 'off',
      media: config.mediaMode,
      webhooks: config.webhooks?.urls.length ?? 0,
      ...(config.sfu ? { janus: config.sfu.instances.map((instance) => instance.url).join(',') } : {}),
    },
    LISTENING_MESSAGE,
  );

  let closing: Promise<void> | undefined;
  const close = async () => {
    shuttingDown = true;
    clearInterval(sweep);
    clearInterval(mediaTokens);
    clearInterval(running);
    guard.close();
    // Every socket is closed under its client (which sees `transport close` and reconnects), and the server stops
    // listening. The participants become away here.
    await io.close();
    if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    const saved = signaling.close();
    // Events seen until now are claimed (in Redis, while it is still open) and queued, unless Redis keeps them waiting;
    // what is still queued is dropped.
    if (webhooks) await bounded(webhooks.settled(), WEBHOOK_CLAIMS_SHUTDOWN_MS);
    deliveries?.close();
    // The Janus rooms stay: the participants handed over keep their media meanwhile.
    await sfu?.close();
    await store.saveParticipants(saved);
    await store.markHandedOver(processId);
    await store.close();
    // close() rejects only a client closed already (ClientClosedError): nothing left to do then.
    if (redis?.isOpen) await redis.close();
    logger.info({ participants: saved.length }, 'Parley server stopped; participants handed over');
  };

  return {
    url,
    httpServer,
    io,
    logger,
    meetings,
    close: () => (closing ??= close()),
  };
}

/** What a first run without STUN/TURN (and without TLS) means for the people in a call, in plain words. */
function noIceServersWarning(tls: boolean): string {
  return (
    'ICE_SERVERS is not set, so calls connect only between machines that can reach each other directly, ' +
    'such as two computers on the same network. For calls between networks, set ICE_SERVERS to a STUN server, ' +
    'and TURN_URLS and TURN_SECRET for people behind strict firewalls.' +
    (tls ? '' : ' A browser on another machine also needs HTTPS (TLS_CERT and TLS_KEY) before it lets the page use its camera and microphone.')
  );
}

/** Until when this process takes back, by token, participants it never saw (see MeetingStore.markStarted). */
async function recoveryEnd(store: MeetingStore, processId: string, recoveryMs: number): Promise<number> {
  const firstLook = Date.now();
  const first = await store.markStarted(processId, firstLook, recoveryMs, firstLook - NODE_TIMEOUT_MS);
  if (!first.othersRunning) return first.recoverUntil;
  // A node that crashed a moment ago still looks alive: those really running say so again within a heartbeat.
  await new Promise((resolve) => setTimeout(resolve, NODE_HEARTBEAT_MS + 1000));
  return (await store.markStarted(processId, Date.now(), recoveryMs, firstLook)).recoverUntil;
}

/**
 * The client the Socket.IO adapter publishes with. node-redis rejects the commands in flight when Redis drops the
 * connection, and the adapter leaves some of those promises without a handler (its PUBLISH of server-side events,
 * its SET of a session): an unhandled rejection would end the process. Those get a handler that logs; everything
 * else is the client itself.
 */
function handledPublishes(client: RedisClient, logger: Logger): RedisClient {
  const unhandledByAdapter = new Set<PropertyKey>(['publish', 'sPublish', 'set']);
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'constructor') return value;
      if (!unhandledByAdapter.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        const sent = (value as (...args: unknown[]) => Promise<unknown>).apply(target, args);
        sent.catch((error: unknown) => logger.warn({ err: error, command: property }, 'cluster: a Redis command was lost with its connection'));
        return sent;
      };
    },
  });
}

/** Whether `promise` settled within `timeoutMs` (false if not; it rejects if it did). */
async function bounded(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function openStore(path: string): SqliteMeetingStore {
  try {
    return new SqliteMeetingStore(path);
  } catch (error) {
    throw new ConfigError(`cannot open the database "${path}" (DATABASE_PATH / DATA_DIR): ${(error as Error).message}`);
  }
}
