// Your backend's endpoint for Parley's webhooks, in miniature: it checks each delivery's signature with the helper
// @parley/server exports, answers at once, handles each event once, and logs one line per event. Point the Parley
// server's WEBHOOK_URL at it and give both the same secret.
import { createServer } from 'node:http';
import { verifyWebhook } from '@parley/server/webhooks';

// The Parley server's WEBHOOK_SECRET ("whsec_…"); it never leaves the backend.
const secret = process.env.PARLEY_WEBHOOK_SECRET ?? '';
if (!secret.startsWith('whsec_')) {
  console.error('Set PARLEY_WEBHOOK_SECRET to the Parley server’s WEBHOOK_SECRET (whsec_…).');
  process.exit(1);
}

// #region receiver
/** Webhook ids handled already: a delivery whose answer was lost comes again, under the same id. Keep them in your database. */
const handled = new Set();

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/parley-webhooks') {
    response.writeHead(404).end();
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let event;
    try {
      // The body exactly as it came: parsed and serialised again, it would no longer match its signature.
      event = verifyWebhook(secret, request.headers, Buffer.concat(chunks));
    } catch {
      // Forged, altered, or more than five minutes old.
      response.writeHead(400).end();
      return;
    }
    // Answer within the server's WEBHOOK_TIMEOUT_MS (10 s), or the delivery counts as failed and comes again.
    response.writeHead(204).end();
    const id = request.headers['webhook-id'];
    if (handled.has(id)) return;
    handled.add(id);
    handle(event);
  });
});
// #endregion receiver

// #region handle
/** What your site does with each event: here, a line in the log. */
function handle(event) {
  switch (event.type) {
    case 'meeting.started':
      console.log(`meeting.started ${event.data.code}`);
      break;
    case 'meeting.ended':
      console.log(`meeting.ended ${event.data.code} (${event.data.reason})`);
      break;
    case 'participant.joined':
    case 'participant.left':
    case 'participant.removed':
    case 'waiting.knocked':
      console.log(`${event.type} ${event.data.code} ${event.data.participant.name}`);
      break;
    default:
      console.log(`${event.type} ${event.data.code}`);
  }
}
// #endregion handle

const host = process.env.HOST ?? 'localhost';
server.listen(Number(process.env.PORT ?? 4001), host, () => {
  console.log(`Receiving Parley webhooks on http://${host}:${server.address().port}/parley-webhooks`);
});
