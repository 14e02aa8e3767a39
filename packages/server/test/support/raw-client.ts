// A minimal Parley signaling client written from docs/protocol.md alone: plain socket.io-client, no Parley
// package. docs/protocol.md shows its regions; raw-client.test.ts runs two of them against a real server.
// #region types
import { io, type Socket } from 'socket.io-client';

// #region result
/** Every acknowledgement (protocol.md §5). */
type Result<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
// #endregion result

export interface ParticipantInfo {
  id: string;
  name: string;
  isHost: boolean;
  audioEnabled: boolean;
  videoEnabled: boolean;
  screenSharing: boolean;
}

/** `join-meeting`'s answer when you are let in (§6); a waiting room answers `{ waiting: true, participantId }`. */
export interface JoinedMeeting {
  meeting: { code: string; expiresAt: string };
  self: ParticipantInfo;
  participants: ParticipantInfo[];
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
  resumeToken: string;
  resumeWindowMs: number;
}
// #endregion types

// #region connect
/** Creates a meeting over HTTP (§3): `201 { code, hostKey, expiresAt }`. */
export async function createMeeting(server: string): Promise<{ code: string; hostKey: string; expiresAt: string }> {
  const response = await fetch(`${server}/api/meetings`, { method: 'POST' });
  if (response.status !== 201) throw new Error(`POST /api/meetings answered ${response.status}`);
  return (await response.json()) as { code: string; hostKey: string; expiresAt: string };
}

/** Opens the Socket.IO connection (§2): default path and namespace, WebSocket only. */
export async function connect(server: string): Promise<Socket> {
  const socket = io(server, { transports: ['websocket'], reconnectionDelay: 250, reconnectionDelayMax: 4000 });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
  });
  return socket;
}

/** Sends a request and waits for its acknowledgement (10 s at most); a refusal throws with the error's `code`. */
export async function request<T = undefined>(socket: Socket, event: string, ...payload: unknown[]): Promise<T> {
  const result = (await socket.timeout(10_000).emitWithAck(event, ...payload)) as Result<T>;
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.data;
}
// #endregion connect

// #region join
/**
 * Joins a meeting (§7). Put your `offer` listener on before: the others' offers may follow the acknowledgement at
 * once (§14). Events carry a trailing offset argument (§2): listeners take the first argument only.
 */
export async function joinMeeting(socket: Socket, code: string, name: string, hostKey?: string): Promise<JoinedMeeting> {
  const joined = await request<JoinedMeeting | { waiting: true; participantId: string }>(socket, 'join-meeting', {
    code,
    name,
    ...(hostKey ? { hostKey } : {}),
    audio: true,
    video: true,
    sessionId: crypto.randomUUID(),
  });
  if ('waiting' in joined && joined.waiting === true) throw new Error('The meeting has a waiting room: wait for "admitted"');
  return joined as JoinedMeeting;
}
// #endregion join

// #region relay
/** Offers to a participant (an existing member offers to each newcomer, §12) and resolves to their answer's SDP. */
export async function offerTo(socket: Socket, to: string, sdp: string): Promise<string> {
  const answered = new Promise<string>((resolve) => {
    const onAnswer = (message: { from: string; sdp: string }) => {
      if (message.from !== to) return;
      socket.off('answer', onAnswer);
      resolve(message.sdp);
    };
    socket.on('answer', onAnswer);
  });
  await request(socket, 'offer', { to, sdp });
  return answered;
}

/** Answers every offer with `answerFor(offer)`; the server fills in `from` (§14). */
export function answerOffers(socket: Socket, answerFor: (offer: { from: string; sdp: string }) => string): void {
  socket.on('offer', (offer: { from: string; sdp: string }) => {
    void request(socket, 'answer', { to: offer.from, sdp: answerFor(offer) });
  });
}
// #endregion relay
