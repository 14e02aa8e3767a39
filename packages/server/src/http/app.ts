import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { normalizeMeetingCode } from '@parley/protocol';
import type { Logger } from '../logger.js';
import type { MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import { RateLimits } from '../rate-limits.js';
import { isOriginAllowed } from './origins.js';
import { PAGE_LANGUAGES } from './page-strings.js';
import { landingPage, meetingPage, notFoundPage, type PageLanguage } from './pages.js';
import { hasBearerKey, serverApi, type MeetingAdministration } from './server-api.js';

export interface AppOptions {
  meetings: MeetingService;
  metrics: Metrics;
  logger: Logger;
  allowedOrigins: string[] | '*';
  rateLimits: RateLimits;
  /** Served over HTTPS: browsers are told to stay on it. */
  tls: boolean;
  /** When set, creating a meeting needs `Authorization: Bearer <key>` (or the API key). */
  createMeetingKey: string | undefined;
  /** The server API's key (`API_KEY`, else `CREATE_MEETING_KEY`); `undefined`: the API is off. */
  apiKey: string | undefined;
  /** The signaling, for the server API's presence and host controls. */
  administration: MeetingAdministration;
  /** The server's `MAX_PARTICIPANTS`. */
  maxParticipants: number;
  /** Whether the server can take traffic now (storage reachable, not shutting down); answers in bounded time. */
  ready: () => Promise<Readiness>;
  /** In SFU mode, the Janus URLs browsers connect to: the pages may open WebSockets to them. */
  mediaServers: string[];
}

/** What `/readyz` says: ready, or not and why (e.g. `redis unreachable`, `shutting down`). */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** The one ES module that defines every element, built by `@parley/elements`. */
const bundlePath = createRequire(import.meta.url).resolve('@parley/elements/parley.js');
/** Noise suppression's wasm (RNNoise), which the SDK fetches from `/rnnoise/` with its worklet module. */
const rnnoiseWasmPath = createRequire(import.meta.url).resolve('@jitsi/rnnoise-wasm/dist/rnnoise.wasm');
/** Background blur's segmentation model and runtime (MediaPipe), fetched by the elements' background chunk. */
const selfieSegmentationDirectory = dirname(createRequire(import.meta.url).resolve('@mediapipe/selfie_segmentation/package.json'));
const selfieSegmentationTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.tflite': 'application/octet-stream',
  '.binarypb': 'application/octet-stream',
  '.data': 'application/octet-stream',
};
const javascript = {
  'Content-Type': 'text/javascript; charset=utf-8',
  // Any site may load the module, cross-origin-isolated ones included.
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** The nonce that lets this response's own inline scripts run under the page's CSP. */
const nonceOf = (response: Response) => response.locals.cspNonce as string;

/**
 * The demo pages' language: `?lang=` when it names one they speak (`de`, `de-AT`…), else the browser's
 * Accept-Language, else English. The answer varies with that header.
 */
function pageLanguage(request: Request, response: Response): PageLanguage {
  response.vary('Accept-Language');
  const asked = typeof request.query.lang === 'string' ? request.query.lang.toLowerCase() : '';
  const chosen = PAGE_LANGUAGES.find((lang) => asked === lang || asked.startsWith(`${lang}-`));
  if (chosen) return { lang: chosen, query: `?lang=${chosen}` };
  return { lang: request.acceptsLanguages(PAGE_LANGUAGES) || 'en', query: '' };
}

export function createApp(options: AppOptions): Express {
  const { meetings, metrics, logger, allowedOrigins, rateLimits, tls, createMeetingKey, apiKey, ready, mediaServers } = options;
  // Either key creates meetings, so that a backend needs one key only.
  const creationKeys = [createMeetingKey, apiKey].filter((key): key is string => key !== undefined);
  const app = express();
  app.disable('x-powered-by');

  app.use((_request, response, next) => {
    response.locals.cspNonce = randomBytes(16).toString('base64');
    next();
  });
  app.use(securityHeaders(allowedOrigins, tls, mediaServers));

  app.get('/', (request, response) => {
    response
      .type('html')
      .send(landingPage(nonceOf(response), pageLanguage(request, response), { canCreateMeetings: createMeetingKey === undefined }));
  });

  // The landing page's join form submits `?code=` here; send people to the canonical meeting URL.
  app.get('/m', (request, response) => {
    const typed = typeof request.query.code === 'string' ? request.query.code : '';
    const code = normalizeMeetingCode(typed);
    const language = pageLanguage(request, response);
    if (!code) {
      response.status(404).type('html').send(notFoundPage(language));
      return;
    }
    response.redirect(303, `/m/${code}${language.query}`);
  });

  app.get('/m/:code', (request, response) => {
    const code = normalizeMeetingCode(request.params.code);
    const language = pageLanguage(request, response);
    if (!code) {
      response.status(404).type('html').send(notFoundPage(language));
      return;
    }
    if (code !== request.params.code) {
      response.redirect(301, `/m/${code}${language.query}`);
      return;
    }
    // Served for any well-formed code: whether the meeting exists is only told to someone who joins.
    response.type('html').send(meetingPage(code, nonceOf(response), language));
  });

  app.get('/parley.js', cors(), (_request, response) => {
    response.sendFile(bundlePath, { headers: javascript });
  });
  // Chunks the bundle imports on demand (translations). Their names carry a content hash, so they never change.
  app.get(/^\/parley-[\w-]+\.js$/, cors(), (request, response, next) => {
    response.sendFile(
      request.path.slice(1),
      { root: dirname(bundlePath), immutable: true, maxAge: '1y', headers: javascript },
      (error) => error && next(),
    );
  });

  // Noise suppression's assets: their names carry no hash, so a week's cache, then a check of the ETag.
  const rnnoiseCache = { maxAge: '7d', headers: { 'Cross-Origin-Resource-Policy': 'cross-origin' } };
  app.get('/rnnoise/rnnoise.wasm', cors(), (_request, response) => {
    response.sendFile(rnnoiseWasmPath, { ...rnnoiseCache, headers: { ...rnnoiseCache.headers, 'Content-Type': 'application/wasm' } });
  });
  app.get('/rnnoise/rnnoise-worklet.js', cors(), (_request, response) => {
    response.sendFile('rnnoise-worklet.js', { ...rnnoiseCache, root: dirname(bundlePath), headers: javascript });
  });

  // Background blur's files: only the package's own names (no path), a week's cache since they carry no hash.
  app.get(/^\/parley-assets\/selfie-segmentation\/(selfie_segmentation[\w]*\.(js|wasm|tflite|binarypb|data))$/, cors(), (request, response, next) => {
    const file = request.params[0]!;
    response.sendFile(
      file,
      {
        root: selfieSegmentationDirectory,
        maxAge: '7d',
        headers: { 'Content-Type': selfieSegmentationTypes[file.slice(file.lastIndexOf('.'))]!, 'Cross-Origin-Resource-Policy': 'cross-origin' },
      },
      (error) => error && next(),
    );
  });

  const apiCors = cors({ origin: allowedOrigins === '*' ? true : allowedOrigins });
  app.options('/api/meetings', apiCors);
  app.post('/api/meetings', apiCors, async (request, response, next) => {
    try {
      // CORS only hides the answer from other pages; a form or fetch from one would still create a meeting.
      if (!isOriginAllowed(allowedOrigins, request.headers.origin, request.headers.host)) {
        metrics.refusals.inc({ event: 'create-meeting', code: 'origin-not-allowed' });
        response.status(403).json({ error: 'origin-not-allowed', message: 'Pages of this origin may not create meetings' });
        return;
      }
      const ip = rateLimits.clientIp(request);
      if (createMeetingKey !== undefined && !hasBearerKey(request.headers.authorization, creationKeys)) {
        metrics.refusals.inc({ event: 'create-meeting', code: 'unauthorized' });
        logger.warn({ ip }, 'meeting creation refused: no valid key');
        response.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: 'A valid key is required' });
        return;
      }
      const retryAfter = await RateLimits.take(rateLimits.createMeeting, ip);
      if (retryAfter !== undefined) {
        metrics.refusals.inc({ event: 'create-meeting', code: 'rate-limited' });
        logger.warn({ ip, retryAfter }, 'meeting creation refused: rate limited');
        response
          .status(429)
          .set('Retry-After', String(retryAfter))
          .json({ error: 'rate-limited', message: 'Too many meetings created from your address', retryAfter });
        return;
      }
      const meeting = await meetings.create();
      metrics.meetingsCreated.inc();
      logger.info({ meeting: meeting.code, ip }, 'meeting created');
      response.status(201).json({
        code: meeting.code,
        hostKey: meeting.hostKey,
        expiresAt: meeting.expiresAt.toISOString(),
      });
    } catch (error) {
      next(error);
    }
  });

  app.use('/api', serverApi(options));

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/readyz', async (_request, response) => {
    const readiness = await ready();
    // Never cached: a load balancer asks for now.
    response.set('Cache-Control', 'no-store');
    if (readiness.ready) response.json({ status: 'ready' });
    else response.status(503).json({ status: 'not ready', reason: readiness.reason });
  });

  app.get('/metrics', async (_request, response, next) => {
    try {
      metrics.openMeetings.set(await meetings.store.countOpen(new Date()));
      response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    } catch (error) {
      next(error);
    }
  });

  return app;
}

/**
 * helmet's headers, with a CSP the pages work under: their inline scripts carry a per-response nonce, styles may
 * be inline (the pages' own and the elements' style attributes), media comes from the camera, WebAssembly may be
 * compiled (noise suppression, background blur). Framing the pages is
 * allowed for the origins that may embed Parley (any, when ALLOWED_ORIGINS is unset). The pages connect to their own
 * origin, and in SFU mode to the Janus instances, which may live on another host or port.
 */
function securityHeaders(allowedOrigins: string[] | '*', tls: boolean, mediaServers: string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // WebAssembly: noise suppression's RNNoise, background blur's segmentation (MediaPipe).
        scriptSrc: ["'self'", (_request, response) => `'nonce-${nonceOf(response as Response)}'`, "'wasm-unsafe-eval'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'mediastream:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", ...new Set(mediaServers.map((url) => new URL(url).origin))],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: allowedOrigins === '*' ? ['*'] : ["'self'", ...allowedOrigins],
        ...(tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // frame-ancestors decides who may frame the pages; X-Frame-Options cannot list origins.
    xFrameOptions: false,
    strictTransportSecurity: tls ? { maxAge: 180 * 24 * 60 * 60 } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}
