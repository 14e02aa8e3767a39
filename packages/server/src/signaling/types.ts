import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/protocol';

/** Messages between server nodes; none yet, as one node holds all presence. */
export type InterServerEvents = Record<string, never>;

/** What the server remembers about a socket, set on join. */
export interface SocketData {
  participantId?: string;
  meetingCode?: string;
  /** In a meeting's waiting room (and so in no meeting yet). */
  waiting?: { meetingCode: string; participantId: string };
}

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
