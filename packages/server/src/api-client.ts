import type {
  ApiErrorBody,
  ApiErrorCode,
  CreatedMeetingBody,
  MeetingBody,
  MeetingPageBody,
  MeetingUpdateBody,
  ParticipantBody,
  ParticipantListBody,
} from './api-types.js';

export type {
  ApiErrorCode,
  CreatedMeetingBody as CreatedMeeting,
  MeetingBody as ApiMeeting,
  MeetingPageBody as MeetingPage,
  MeetingUpdateBody as MeetingUpdate,
  ParticipantBody as ApiParticipant,
};

export interface ApiClientOptions {
  /** The Parley server's base URL, e.g. `https://meet.example.com`. */
  url: string;
  /** `API_KEY` (or `CREATE_MEETING_KEY` for creating meetings only); never sent anywhere but `url`. */
  apiKey?: string | undefined;
  /** The `fetch` to use; the global one by default. */
  fetch?: typeof fetch;
}

/** An error answer of the server API: its stable `code` (docs/server-api.md), HTTP status and message. */
export class ParleyApiError extends Error {
  override readonly name = 'ParleyApiError';
  constructor(
    readonly code: ApiErrorCode,
    readonly status: number,
    message: string,
    /** With `rate-limited`: seconds to wait before trying again. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** The typed client of Parley's server API, for Node backends (`@parley/server/client`). */
export interface ApiClient {
  createMeeting(): Promise<CreatedMeetingBody>;
  /** One page of joinable meetings; pass the page's `nextCursor` to get the next. */
  listMeetings(page?: { limit?: number; cursor?: string }): Promise<MeetingPageBody>;
  getMeeting(code: string): Promise<MeetingBody>;
  updateMeeting(code: string, update: MeetingUpdateBody): Promise<MeetingBody>;
  listParticipants(code: string): Promise<ParticipantBody[]>;
  removeParticipant(code: string, participantId: string): Promise<void>;
  endMeeting(code: string): Promise<void>;
}

/**
 * A client of the server API at `url`. Every method rejects with a {@link ParleyApiError} when the server refuses,
 * and with fetch's own error when it cannot be reached.
 */
export function createApiClient({ url, apiKey, fetch: fetchImplementation = fetch }: ApiClientOptions): ApiClient {
  const base = url.endsWith('/') ? url : `${url}/`;
  const meetingPath = (code: string) => `api/meetings/${encodeURIComponent(code)}`;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (apiKey !== undefined) headers.Authorization = `Bearer ${apiKey}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetchImplementation(new URL(path, base), {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
    const refusal = (await response.json().catch(() => undefined)) as Partial<ApiErrorBody> | undefined;
    throw new ParleyApiError(
      refusal?.error ?? 'internal',
      response.status,
      refusal?.message ?? `Parley answered ${response.status} to ${method} /${path}`,
      refusal?.retryAfter,
    );
  }

  return {
    createMeeting: () => call('POST', 'api/meetings'),
    listMeetings: ({ limit, cursor } = {}) => {
      const query = new URLSearchParams();
      if (limit !== undefined) query.set('limit', String(limit));
      if (cursor !== undefined) query.set('cursor', cursor);
      return call('GET', `api/meetings${query.size > 0 ? `?${query}` : ''}`);
    },
    getMeeting: (code) => call('GET', meetingPath(code)),
    updateMeeting: (code, update) => call('PATCH', meetingPath(code), update),
    listParticipants: async (code) => (await call<ParticipantListBody>('GET', `${meetingPath(code)}/participants`)).participants,
    removeParticipant: (code, participantId) => call('DELETE', `${meetingPath(code)}/participants/${encodeURIComponent(participantId)}`),
    endMeeting: (code) => call('POST', `${meetingPath(code)}/end`),
  };
}
