import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import cors from 'cors';
import express, { type Express } from 'express';
import { normalizeMeetingCode } from '@parley/protocol';
import type { Logger } from '../logger.js';
import type { MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import { landingPage, meetingPage, notFoundPage } from './pages.js';

export interface AppOptions {
  meetings: MeetingService;
  metrics: Metrics;
  logger: Logger;
  allowedOrigins: string[] | '*';
}

/** The one ES module that defines every element, built by `@parley/elements`. */
const bundlePath = createRequire(import.meta.url).resolve('@parley/elements/parley.js');
const javascript = { 'Content-Type': 'text/javascript; charset=utf-8' };

export function createApp({ meetings, metrics, logger, allowedOrigins }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/', (_request, response) => {
    response.type('html').send(landingPage());
  });

  // The landing page's join form submits `?code=` here; send people to the canonical meeting URL.
  app.get('/m', (request, response) => {
    const typed = typeof request.query.code === 'string' ? request.query.code : '';
    const code = normalizeMeetingCode(typed);
    if (!code) {
      response.status(404).type('html').send(notFoundPage('That does not look like a meeting code.'));
      return;
    }
    response.redirect(303, `/m/${code}`);
  });

  app.get('/m/:code', (request, response) => {
    const code = normalizeMeetingCode(request.params.code);
    if (!code) {
      response.status(404).type('html').send(notFoundPage('That does not look like a meeting code.'));
      return;
    }
    if (code !== request.params.code) {
      response.redirect(301, `/m/${code}`);
      return;
    }
    // Served for any well-formed code: whether the meeting exists is only told to someone who joins.
    response.type('html').send(meetingPage(code));
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

  const apiCors = cors({ origin: allowedOrigins === '*' ? true : allowedOrigins });
  app.options('/api/meetings', apiCors);
  app.post('/api/meetings', apiCors, async (_request, response, next) => {
    try {
      const meeting = await meetings.create();
      metrics.meetingsCreated.inc();
      logger.info({ meeting: meeting.code }, 'meeting created');
      response.status(201).json({
        code: meeting.code,
        hostKey: meeting.hostKey,
        expiresAt: meeting.expiresAt.toISOString(),
      });
    } catch (error) {
      next(error);
    }
  });

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/metrics', async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return app;
}
