import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../api-types.js';

/**
 * The server API's OpenAPI 3.1 document, served at `/api/openapi.json`. Written by hand beside api-types.ts; the
 * tests validate every answer they get against these schemas (server-api.test.ts), so neither can drift.
 */

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const isoTime = { type: 'string', format: 'date-time' };

/** The answers every guarded route may give besides its own. */
const guarded = {
  '401': error('No valid API key (`unauthorized`): `Authorization: Bearer <API_KEY>`.'),
  '429': {
    description: 'Too many requests from this address (`rate-limited`); `Retry-After` says when to try again.',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: json(ref('Error')),
  },
  '500': error('The server failed (`internal`); the request may be retried.'),
};
const notFound = { '404': error('No joinable meeting has this code (`meeting-not-found`): unknown, ended and expired alike.') };
const codeParameter = {
  name: 'code',
  in: 'path',
  required: true,
  description: 'The meeting code, typed as people type it (any case, dashes optional).',
  schema: { type: 'string' },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Parley server API',
    version: '1',
    description:
      'Meetings and their participants, for the backend of the site that embeds Parley. See docs/server-api.md. ' +
      'Every route but meeting creation needs `Authorization: Bearer <API_KEY>` (or `CREATE_MEETING_KEY` when ' +
      '`API_KEY` is unset).',
  },
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error', 'message'],
        additionalProperties: false,
        properties: {
          error: {
            type: 'string',
            enum: ['unauthorized', 'rate-limited', 'invalid-payload', 'meeting-not-found', 'participant-not-found', 'internal', 'origin-not-allowed'],
            description: 'Stable code, from the signaling protocol’s family (docs/protocol.md).',
          },
          message: { type: 'string', description: 'For people reading logs; free to change.' },
          retryAfter: { type: 'integer', minimum: 1, description: 'With `rate-limited`: seconds to wait.' },
        },
      },
      CreatedMeeting: {
        type: 'object',
        required: ['code', 'hostKey', 'expiresAt'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', pattern: '^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$' },
          hostKey: { type: 'string', description: 'Makes whoever joins with it a host; shown only here.' },
          expiresAt: isoTime,
        },
      },
      Meeting: {
        type: 'object',
        required: ['code', 'state', 'createdAt', 'expiresAt', 'participantCount', 'waitingCount', 'settings'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', pattern: '^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$' },
          state: { type: 'string', enum: ['open', 'active'], description: '`active` while someone is in it.' },
          createdAt: isoTime,
          expiresAt: { ...isoTime, description: 'When the code stops being joinable; joins move it on.' },
          participantCount: { type: 'integer', minimum: 0 },
          waitingCount: { type: 'integer', minimum: 0 },
          settings: {
            type: 'object',
            required: ['locked', 'waitingRoom', 'maxParticipants'],
            additionalProperties: false,
            properties: {
              locked: { type: 'boolean' },
              waitingRoom: { type: 'boolean' },
              maxParticipants: { type: 'integer', minimum: 1 },
            },
          },
        },
      },
      MeetingPage: {
        type: 'object',
        required: ['meetings', 'nextCursor'],
        additionalProperties: false,
        properties: {
          meetings: { type: 'array', items: ref('Meeting') },
          nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; `null` on the last.' },
        },
      },
      Participant: {
        type: 'object',
        required: ['id', 'name', 'isHost', 'audioEnabled', 'videoEnabled', 'screenSharing', 'connected', 'joinedAt'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          isHost: { type: 'boolean' },
          audioEnabled: { type: 'boolean' },
          videoEnabled: { type: 'boolean' },
          screenSharing: { type: 'boolean' },
          connected: { type: 'boolean', description: '`false` while their connection is away (resume window).' },
          joinedAt: isoTime,
        },
      },
      ParticipantList: {
        type: 'object',
        required: ['participants'],
        additionalProperties: false,
        properties: { participants: { type: 'array', items: ref('Participant') } },
      },
      MeetingUpdate: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          locked: { type: 'boolean' },
          waitingRoom: { type: 'boolean' },
          maxParticipants: {
            type: ['integer', 'null'],
            minimum: 1,
            description: "At most the server's MAX_PARTICIPANTS; `null`: the server's. Those already in stay.",
          },
          expiresAt: { ...isoTime, description: 'A future instant; joins and the last departure move it as usual.' },
        },
      },
    },
  },
  security: [{ apiKey: [] }],
  paths: {
    '/api/meetings': {
      post: {
        operationId: 'createMeeting',
        summary: 'Create a meeting',
        description: 'Needs the key only when the server has CREATE_MEETING_KEY; API_KEY is accepted too. Not counted in API_LIMIT.',
        security: [{}, { apiKey: [] }],
        responses: {
          '201': { description: 'Created.', content: json(ref('CreatedMeeting')) },
          '401': error('The server has CREATE_MEETING_KEY and no valid key came (`unauthorized`).'),
          '403': error('A page from an origin not in ALLOWED_ORIGINS asked (`origin-not-allowed`).'),
          '429': error('Too many creations from this address (`rate-limited`).'),
        },
      },
      get: {
        operationId: 'listMeetings',
        summary: 'List joinable meetings, a page at a time, by code',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE } },
          { name: 'cursor', in: 'query', description: 'The `nextCursor` of the page before.', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'A page.', content: json(ref('MeetingPage')) },
          '400': error('A bad `limit` or `cursor` (`invalid-payload`).'),
          ...guarded,
        },
      },
    },
    '/api/meetings/{code}': {
      parameters: [codeParameter],
      get: {
        operationId: 'getMeeting',
        summary: 'A meeting: state, participant count, settings, expiry',
        responses: { '200': { description: 'The meeting.', content: json(ref('Meeting')) }, ...notFound, ...guarded },
      },
      patch: {
        operationId: 'updateMeeting',
        summary: 'Change the lock, the waiting room, the participant limit or the expiry',
        description: 'Participants hear of a changed lock or waiting room as from a host (`meeting-updated`).',
        requestBody: { required: true, content: json(ref('MeetingUpdate')) },
        responses: {
          '200': { description: 'The meeting after the change.', content: json(ref('Meeting')) },
          '400': error('The body does not match MeetingUpdate (`invalid-payload`).'),
          ...notFound,
          '413': error('The body is over 16 KB (`invalid-payload`).'),
          ...guarded,
        },
      },
    },
    '/api/meetings/{code}/participants': {
      parameters: [codeParameter],
      get: {
        operationId: 'listParticipants',
        summary: 'Who is in the meeting, on whichever node',
        responses: { '200': { description: 'The participants.', content: json(ref('ParticipantList')) }, ...notFound, ...guarded },
      },
    },
    '/api/meetings/{code}/participants/{id}': {
      parameters: [codeParameter, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      delete: {
        operationId: 'removeParticipant',
        summary: "Remove a participant, as a host's remove does",
        description: 'They are told (`removed`) and kept out of the meeting; its waiting room turns on.',
        responses: {
          '204': { description: 'Removed.' },
          '404': error('No joinable meeting (`meeting-not-found`), or no such participant in it (`participant-not-found`).'),
          ...guarded,
        },
      },
    },
    '/api/meetings/{code}/end': {
      parameters: [codeParameter],
      post: {
        operationId: 'endMeeting',
        summary: 'End the meeting for everyone, as a host\u2019s "end for all" does',
        responses: { '204': { description: 'Ended: its code is dead.' }, ...notFound, ...guarded },
      },
    },
    '/api/openapi.json': {
      get: {
        operationId: 'openApiDocument',
        summary: 'This document',
        security: [{}],
        responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } } },
      },
    },
  },
} as const;
