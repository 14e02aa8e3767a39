// #region typed-socket
import { io, type Socket } from 'socket.io-client';
import { normalizeMeetingCode, type ClientToServerEvents, type JoinedMeeting, type ServerToClientEvents } from '@parley/protocol';

/** Parley's signaling connection, typed: every event's name, payload and acknowledgement is checked. */
export type ParleySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connect(server: string): ParleySocket {
  return io(server, { transports: ['websocket'] });
}

/**
 * Joins a meeting without audio or video yet: what a client of its own starts with (docs/protocol.md). With the host
 * key from `POST /api/meetings` you join as host; others may meet a waiting room until a host admits them.
 */
export async function join(socket: ParleySocket, typedCode: string, name: string, hostKey?: string): Promise<JoinedMeeting> {
  const code = normalizeMeetingCode(typedCode);
  if (code === null) throw new Error(`"${typedCode}" is no meeting code`);
  const result = await socket.emitWithAck('join-meeting', { code, name, hostKey, audio: false, video: false });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  if (!('self' in result.data)) throw new Error('the meeting has a waiting room: wait for `admitted`');
  return result.data;
}
// #endregion typed-socket
