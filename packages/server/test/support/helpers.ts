import { once } from 'node:events';
import { after, before } from 'node:test';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, JoinedMeeting, JoinMeetingRequest, ServerToClientEvents, WaitingForHost } from '@parley/protocol';
import { loadConfig, startServer, type RunningServer, type StartOptions } from '../../src/index.js';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A real server on a free loopback port, quiet unless LOG_LEVEL says otherwise, with an in-memory database unless
 * `env` names one. Rate limits are as configured by default; suites that make many requests raise them.
 */
export function startTestServer(env: NodeJS.ProcessEnv = {}, options: StartOptions = {}): Promise<RunningServer> {
  return startServer(
    loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', HOST: '127.0.0.1', PORT: '0', DATABASE_PATH: ':memory:', ...env }),
    options,
  );
}

/** Runs `body` against a server of its own, closed afterwards whatever happens. */
export async function withTestServer<T>(env: NodeJS.ProcessEnv, body: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startTestServer(env);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** Asks to join `code` and returns the refusal's error code (or `true` if it was let in). */
export async function tryJoin(socket: TestClient, code: string, name = 'Mallory'): Promise<string | true> {
  const result = await socket.emitWithAck('join-meeting', { code, name, audio: true, video: true });
  return result.ok || result.error.code;
}

export async function createMeeting(server: RunningServer): Promise<{ code: string; hostKey: string; expiresAt: string }> {
  const response = await fetch(`${server.url}/api/meetings`, { method: 'POST' });
  if (response.status !== 201) throw new Error(`POST /api/meetings answered ${response.status}`);
  return (await response.json()) as { code: string; hostKey: string; expiresAt: string };
}

export async function connect(server: Pick<RunningServer, 'url'>): Promise<TestClient> {
  const socket: TestClient = connectClient(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await once(socket as never, 'connect');
  return socket;
}

/** Joins and returns the ack's data, failing the test on a refusal or on being put in a waiting room. */
export async function join(socket: TestClient, code: string, name: string, hostKey?: string): Promise<JoinedMeeting> {
  const data = await request(socket, { code, name, hostKey });
  if (data.waiting === true) throw new Error('join put in the waiting room');
  return data;
}

/** Asks to join a meeting that has a waiting room; returns the id the host admits or denies. */
export async function knock(socket: TestClient, code: string, name: string, extra: Partial<JoinMeetingRequest> = {}): Promise<string> {
  const data = await request(socket, { code, name, ...extra });
  if (data.waiting !== true) throw new Error('join went straight in');
  return data.participantId;
}

/** Sends `join-meeting` (with audio and video on unless said otherwise) and returns the data, failing on a refusal. */
export async function request(socket: TestClient, join: Partial<JoinMeetingRequest> & { code: string; name: string }): Promise<JoinedMeeting | WaitingForHost> {
  const result = await socket.emitWithAck('join-meeting', { audio: true, video: true, ...join });
  if (!result.ok) throw new Error(`join refused: ${result.error.code} ${result.error.message}`);
  return result.data;
}

/**
 * Resolves with the next `event` the socket receives, or rejects after `timeoutMs`: generous, as a shared 2-core CI
 * machine under load has taken over 2 s to relay an offer; an event that never comes still fails the test.
 */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestClient,
  event: E,
  timeoutMs = 10_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, listener as never);
  });
}

/** Records every event a socket receives, to assert that something did *not* arrive. */
export function recordEvents(socket: TestClient): { name: string; payload: unknown }[] {
  const received: { name: string; payload: unknown }[] = [];
  socket.onAny((name: string, payload: unknown) => received.push({ name, payload }));
  return received;
}

/**
 * A round trip on each socket with a request that changes nothing (it is refused as invalid). Whatever the server
 * sent a socket before answering it has arrived once this resolves.
 */
export async function settle(...sockets: TestClient[]): Promise<void> {
  await Promise.all(sockets.map((socket) => socket.emitWithAck('offer', {} as never)));
}

/**
 * A test server for the enclosing suite, started before its tests and closed after them, and a way to open client
 * sockets that are all disconnected at the end.
 */
export function useTestServer(env: NodeJS.ProcessEnv = {}): { readonly server: RunningServer; client(): Promise<TestClient> } {
  let server: RunningServer;
  const sockets: TestClient[] = [];
  before(async () => {
    server = await startTestServer(env);
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await server.close();
  });
  return {
    get server() {
      return server;
    },
    async client() {
      const socket = await connect(server);
      sockets.push(socket);
      return socket;
    },
  };
}
