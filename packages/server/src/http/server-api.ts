import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { normalizeMeetingCode, type MeetingSettings, type Result } from '@parley/protocol';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type ApiErrorBody,
  type ApiErrorCode,
  type MeetingBody,
  type MeetingPageBody,
  type ParticipantListBody,
} from '../api-types.js';
import type { Logger } from '../logger.js';
import type { Meeting } from '../meetings/meeting.js';
import { capacityOf, hostSettings, type MeetingConfiguration, type MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import { RateLimits } from '../rate-limits.js';
import type { Member } from '../signaling/presence.js';
import { openApiDocument } from './openapi.js';

/** What the API needs of the signaling: the cluster's presence, and host controls it may carry out. */
export interface MeetingAdministration {
  participantsOf(code: string): readonly Member[];
  waitingCount(code: string): number;
  endMeeting(code: string): Promise<Result<undefined>>;
  removeParticipant(code: string, participantId: string): Promise<Result<undefined>>;
  updateMeeting(code: string, changes: MeetingConfiguration): Promise<Result<MeetingSettings>>;
}

export interface ServerApiOptions {
  meetings: MeetingService;
  administration: MeetingAdministration;
  metrics: Metrics;
  logger: Logger;
  rateLimits: RateLimits;
  /** The key that authorises API calls; `undefined`: the API is off (every call is `unauthorized`). */
  apiKey: string | undefined;
  /** The server's `MAX_PARTICIPANTS`: no meeting's own limit goes above it. */
  maxParticipants: number;
}

/** Whether `header` is `Bearer <one of keys>`, compared in constant time (digests of equal length), all of them. */
export function hasBearerKey(header: string | undefined, keys: readonly string[]): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const given = digest(header ?? '');
  return keys.map((key) => timingSafeEqual(given, digest(`Bearer ${key}`))).includes(true);
}

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(64).optional(),
});

/** A cursor names the last meeting of a page; opaque to callers, so that paging may change without breaking them. */
const cursorOf = (code: string) => Buffer.from(code).toString('base64url');
const codeOfCursor = (cursor: string) => normalizeMeetingCode(Buffer.from(cursor, 'base64url').toString());

/** A thrown answer: the routes' refusals, sent in the one error shape. */
class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const meetingNotFound = () => new ApiRefusal(404, 'meeting-not-found', 'No joinable meeting has this code');

/**
 * The server API under `/api` (docs/server-api.md, OpenAPI at `/api/openapi.json`): meetings and their participants
 * for the embedding site's backend. Every request counts against the caller's address (`API_LIMIT`) before its key is
 * checked, so that guessing keys is slow; unknown, ended and expired meetings all answer `meeting-not-found`.
 */
export function serverApi(options: ServerApiOptions): Router {
  const { meetings, administration, metrics, logger, rateLimits, apiKey } = options;
  const router = Router();

  router.get('/openapi.json', (_request, response) => {
    response.json(openApiDocument);
  });

  /** The meeting as the API shows it, from storage and the cluster's presence. */
  const describe = (meeting: Meeting): MeetingBody => {
    const participantCount = administration.participantsOf(meeting.code).length;
    const { locked, waitingRoom } = hostSettings(meeting);
    return {
      code: meeting.code,
      state: participantCount > 0 ? 'active' : 'open',
      createdAt: meeting.createdAt.toISOString(),
      expiresAt: meeting.expiresAt.toISOString(),
      participantCount,
      waitingCount: administration.waitingCount(meeting.code),
      settings: { locked, waitingRoom, maxParticipants: capacityOf(meeting, options.maxParticipants) },
    };
  };

  const joinable = async (typedCode: string | string[] | undefined): Promise<Meeting> => {
    const meeting = typeof typedCode === 'string' ? await meetings.findJoinable(typedCode) : undefined;
    if (!meeting) throw meetingNotFound();
    return meeting;
  };

  /** Counts the request by route and status, then refuses it if its address is over the limit or it has no valid key. */
  const guard =
    (label: string): RequestHandler =>
    async (request, response, next) => {
      response.on('finish', () => metrics.apiRequests.inc({ route: label, status: String(response.statusCode) }));
      const ip = rateLimits.clientIp(request);
      const retryAfter = await RateLimits.take(rateLimits.api, ip);
      if (retryAfter !== undefined) {
        logger.warn({ ip, retryAfter, route: label }, 'server API request refused: rate limited');
        response.set('Retry-After', String(retryAfter));
        sendError(response, 429, 'rate-limited', 'Too many requests from your address', retryAfter);
        return;
      }
      if (apiKey === undefined || !hasBearerKey(request.headers.authorization, [apiKey])) {
        logger.warn({ ip, route: label }, 'server API request refused: no valid key');
        response.set('WWW-Authenticate', 'Bearer');
        sendError(response, 401, 'unauthorized', apiKey === undefined ? 'The server API is off: set API_KEY' : 'A valid API key is required');
        return;
      }
      next();
    };
  // Bodies are read only once the caller is known.
  const jsonBody = express.json({ limit: '16kb' });

  const route = (
    method: 'get' | 'post' | 'patch' | 'delete',
    path: string,
    handle: (request: Request, response: Response) => Promise<void>,
  ): void => {
    router[method](path, guard(`${method.toUpperCase()} /api${path}`), jsonBody, handle);
  };

  route('get', '/meetings', async (request, response) => {
    const query = pageQuery.safeParse(request.query);
    if (!query.success) throw new ApiRefusal(400, 'invalid-payload', z.prettifyError(query.error));
    const { limit, cursor } = query.data;
    const after = cursor === undefined ? undefined : codeOfCursor(cursor);
    if (after === null) throw new ApiRefusal(400, 'invalid-payload', 'The cursor is not one this API gave');
    // One more than asked tells whether another page follows.
    const found = await meetings.listOpen(after, limit + 1);
    const page = found.slice(0, limit);
    const body: MeetingPageBody = {
      meetings: page.map(describe),
      nextCursor: found.length > limit ? cursorOf(page.at(-1)!.code) : null,
    };
    response.json(body);
  });

  route('get', '/meetings/:code', async (request, response) => {
    response.json(describe(await joinable(request.params.code)));
  });

  route('get', '/meetings/:code/participants', async (request, response) => {
    const meeting = await joinable(request.params.code);
    const body: ParticipantListBody = {
      participants: administration.participantsOf(meeting.code).map(({ info, socketId, joinedAt }) => ({
        id: info.id,
        name: info.name,
        isHost: info.isHost,
        audioEnabled: info.audioEnabled,
        videoEnabled: info.videoEnabled,
        screenSharing: info.screenSharing,
        connected: socketId !== null,
        joinedAt: new Date(joinedAt).toISOString(),
      })),
    };
    response.json(body);
  });

  route('delete', '/meetings/:code/participants/:id', async (request, response) => {
    const meeting = await joinable(request.params.code);
    const removed = await administration.removeParticipant(meeting.code, String(request.params.id));
    if (!removed.ok) throw new ApiRefusal(404, 'participant-not-found', 'No participant with this id is in the meeting');
    logger.info({ meeting: meeting.code, participant: request.params.id }, 'server API: participant removed');
    response.status(204).end();
  });

  route('post', '/meetings/:code/end', async (request, response) => {
    const meeting = await joinable(request.params.code);
    await administration.endMeeting(meeting.code);
    logger.info({ meeting: meeting.code }, 'server API: meeting ended');
    response.status(204).end();
  });

  const updateSchema = z
    .strictObject({
      locked: z.boolean().optional(),
      waitingRoom: z.boolean().optional(),
      maxParticipants: z.number().int().min(1).max(options.maxParticipants).nullable().optional(),
      expiresAt: z.iso
        .datetime({ offset: true })
        .transform((text) => new Date(text))
        .refine((date) => date.getTime() > Date.now(), 'expiresAt must be in the future')
        .optional(),
    })
    .refine((update) => Object.keys(update).length > 0, 'Name at least one field to change');

  route('patch', '/meetings/:code', async (request, response) => {
    const update = updateSchema.safeParse(request.body);
    if (!update.success) throw new ApiRefusal(400, 'invalid-payload', z.prettifyError(update.error));
    const meeting = await joinable(request.params.code);
    const { locked, waitingRoom, maxParticipants, expiresAt } = update.data;
    const changes: MeetingConfiguration = {
      ...(locked !== undefined && { locked }),
      ...(waitingRoom !== undefined && { waitingRoom }),
      ...(maxParticipants !== undefined && { maxParticipants }),
      ...(expiresAt !== undefined && { expiresAt }),
    };
    const updated = await administration.updateMeeting(meeting.code, changes);
    if (!updated.ok) throw meetingNotFound();
    response.json(describe(await joinable(meeting.code)));
  });

  router.use(apiErrors(logger));
  return router;
}

function sendError(response: Response, status: number, error: ApiErrorCode, message: string, retryAfter?: number): void {
  const body: ApiErrorBody = retryAfter === undefined ? { error, message } : { error, message, retryAfter };
  response.status(status).json(body);
}

/** Refusals, bodies that are not JSON, and failures, in the one error shape. */
function apiErrors(logger: Logger) {
  return (error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    if (error instanceof ApiRefusal) return sendError(response, error.status, error.code, error.message);
    if ((error as { type?: string }).type === 'entity.parse.failed') return sendError(response, 400, 'invalid-payload', 'The body is not JSON');
    if ((error as { type?: string }).type === 'entity.too.large') return sendError(response, 413, 'invalid-payload', 'The body is too large');
    logger.error({ err: error }, 'server API request failed');
    sendError(response, 500, 'internal', 'The server failed; the request may be retried');
  };
}
