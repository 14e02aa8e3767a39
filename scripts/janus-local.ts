// Starts a Janus set up for a Parley on this machine, and says how to start Parley against it:
//   node --import tsx scripts/janus-local.ts [--port 8188]
// Debian's janus binary with a configuration folder of its own in /tmp (never /etc/janus or janus.service), its
// WebSocket API on 127.0.0.1, fresh secrets, the VideoRoom only. Ctrl-C stops it and removes the folder.
import { parseArgs } from 'node:util';
import { startJanus } from '../packages/server/test/support/janus-server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8188' } } });
// ICE on every interface of the machine but loopback, where Janus gathers nothing.
const janus = await startJanus({ port: Number(values.port), iceEnforceList: null });
console.log(`Janus is running at ${janus.url}. In another terminal, from the repository:

  JANUS_URL=${janus.url} JANUS_TOKEN_SECRET=${janus.tokenSecret} JANUS_ADMIN_KEY=${janus.adminKey} npm start

Ctrl-C stops Janus.`);
const stop = () => void janus.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
