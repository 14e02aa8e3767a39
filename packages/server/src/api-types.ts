import type { ParticipantInfo, ProtocolErrorCode } from '@parley/protocol';

/**
 * The server API's requests and answers (docs/server-api.md), shared by the routes (http/server-api.ts), the OpenAPI
 * document (http/openapi.ts) and the typed client (api-client.ts). Times are ISO 8601 strings.
 */

/** The stable codes of the API's errors: the protocol's codes, and `origin-not-allowed` for meeting creation. */
export type ApiErrorCode =
  | Extract<
      ProtocolErrorCode,
      'unauthorized' | 'rate-limited' | 'invalid-payload' | 'meeting-not-found' | 'participant-not-found' | 'internal'
    >
  | 'origin-not-allowed';

/** Every error answer's body. */
export interface ApiErrorBody {
  error: ApiErrorCode;
  /** For people reading logs; not meant for end users, and free to change. */
  message: string;
  /** With `rate-limited`: whole seconds to wait before trying again (also in `Retry-After`). */
  retryAfter?: number;
}

/** `POST /api/meetings`: the only time the host key is ever seen in clear. */
export interface CreatedMeetingBody {
  code: string;
  hostKey: string;
  expiresAt: string;
}

/** A joinable meeting: `open` while nobody is in it, `active` while someone is. */
export interface MeetingBody {
  code: string;
  state: 'open' | 'active';
  createdAt: string;
  /** When the code stops being joinable; a join moves it on (`MEETING_TTL_MS`), the last departure brings it closer. */
  expiresAt: string;
  /** Participants in it, on whichever node, those briefly away included. */
  participantCount: number;
  /** People in its waiting room. */
  waitingCount: number;
  settings: {
    locked: boolean;
    waitingRoom: boolean;
    /** Its own limit, or the server's `MAX_PARTICIPANTS`. */
    maxParticipants: number;
  };
}

/** `GET /api/meetings`: a page of joinable meetings, by code. */
export interface MeetingPageBody {
  meetings: MeetingBody[];
  /** Pass it as `cursor` for the next page; `null` on the last. */
  nextCursor: string | null;
}

/** A participant as the others in the meeting see them, and whether they are connected now. */
export interface ParticipantBody extends ParticipantInfo {
  /** `false` while their connection is away (within the resume window). */
  connected: boolean;
  joinedAt: string;
}

export interface ParticipantListBody {
  participants: ParticipantBody[];
}

/** `PATCH /api/meetings/{code}`: the fields to change, at least one. */
export interface MeetingUpdateBody {
  locked?: boolean;
  waitingRoom?: boolean;
  /** From 1 to the server's `MAX_PARTICIPANTS`; `null` goes back to the server's. Those already in stay. */
  maxParticipants?: number | null;
  /** A future instant; joins and the last departure move it as usual afterwards. */
  expiresAt?: string;
}

/** How many meetings a page holds at most, and by default. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;
