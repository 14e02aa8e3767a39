// Your site's backend, in miniature: it creates Parley meetings and signs a participant token for each person it lets
// in, and serves the page that embeds <meeting-room> with that token. The Parley server, started with
// AUTH_TOKEN_SECRET, refuses anyone without one.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { SignJWT } from 'jose';
import { createApiClient } from '@parley/server/client';

const PARLEY_URL = process.env.PARLEY_URL ?? 'http://localhost:3000';
if ((process.env.PARLEY_TOKEN_SECRET ?? '').length < 32) {
  console.error('Set PARLEY_TOKEN_SECRET to the Parley server’s AUTH_TOKEN_SECRET (32 characters or more).');
  process.exit(1);
}

// #region create-meeting
// The Parley server API's typed client. Its key: the server's API_KEY (which also reads, changes and ends meetings), or
// its CREATE_MEETING_KEY, which only creates them; none if the server has neither.
const parley = createApiClient({
  url: PARLEY_URL,
  apiKey: process.env.PARLEY_API_KEY ?? process.env.PARLEY_CREATE_MEETING_KEY,
});
// `await parley.createMeeting()` gives `{ code, hostKey, expiresAt }`; on a refusal it throws a ParleyApiError with
// the error's `code` (`unauthorized`, `rate-limited`…).
// #endregion create-meeting

// #region sign-token
// The same value as the Parley server's AUTH_TOKEN_SECRET; it never leaves the backend.
const secret = new TextEncoder().encode(process.env.PARLEY_TOKEN_SECRET);

/** A token that lets one person into one meeting for the next few minutes, under the name you vouch for. */
function participantToken({ meetingCode, name, isHost }) {
  return new SignJWT({ meeting: meetingCode, name, role: isHost ? 'host' : 'participant' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(secret);
}
// #endregion sign-token

/**
 * This example has no accounts, so whoever creates a meeting is its host: they get a link with a secret only this
 * backend knows. A real site decides from its own users and sessions instead.
 */
const hostSecrets = new Map();

const isHostSecret = (code, given) => {
  const expected = hostSecrets.get(code);
  return typeof given === 'string' && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
};

const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const page = (title, body) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${escapeHtml(title)}</title>
  <style>body { margin: 0; font-family: system-ui, sans-serif; } form { padding: 1rem; } meeting-room { height: 100vh; }</style>
</head>
<body>
${body}
</body>
</html>`;

const nameForm = (action, extra = '') => `<form method="${action === '/meetings' ? 'post' : 'get'}" action="${action}">
  ${extra}<label>Your name <input name="name" required maxlength="64" autocomplete="name" /></label>
  <button>${action === '/meetings' ? 'Start a meeting' : 'Join'}</button>
</form>`;

const app = express();
app.use(express.urlencoded({ extended: false }));

app.get('/', (_request, response) => {
  response.send(page('Meetings', nameForm('/meetings')));
});

app.post('/meetings', async (request, response, next) => {
  try {
    const { code } = await parley.createMeeting();
    const hostSecret = randomBytes(16).toString('base64url');
    hostSecrets.set(code, hostSecret);
    const query = new URLSearchParams({ name: String(request.body.name ?? ''), host: hostSecret });
    response.redirect(303, `/meetings/${code}?${query}`);
  } catch (error) {
    next(error);
  }
});

// #region meeting-page
app.get('/meetings/:code', async (request, response) => {
  const { code } = request.params;
  if (!hostSecrets.has(code)) {
    response.status(404).send(page('No such meeting', '<p>No such meeting.</p>'));
    return;
  }
  const name = String(request.query.name ?? '').trim().slice(0, 64);
  const host = String(request.query.host ?? '');
  if (!name) {
    const keepHost = host ? `<input type="hidden" name="host" value="${escapeHtml(host)}" />` : '';
    response.send(page('Join the meeting', nameForm(`/meetings/${code}`, keepHost)));
    return;
  }
  const token = await participantToken({ meetingCode: code, name, isHost: isHostSecret(code, host) });
  response.send(
    page(
      'Meeting',
      `<meeting-room server="${PARLEY_URL}" code="${code}" name="${escapeHtml(name)}" token="${token}" autojoin></meeting-room>
<script type="module" src="${PARLEY_URL}/parley.js"></script>`,
    ),
  );
});
// #endregion meeting-page

const host = process.env.HOST ?? 'localhost';
const server = app.listen(Number(process.env.PORT ?? 4000), host, () => {
  console.log(`Backend on http://${host}:${server.address().port}, Parley at ${PARLEY_URL}`);
});
