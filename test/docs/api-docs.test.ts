// `npm run docs` must keep working: typedoc treats every comment warning as an error (typedoc.json), so a broken
// link or an exported type referring to an unexported one fails here, and the key symbols must be documented.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
let out: string;

before(async () => {
  out = await mkdtemp(join(tmpdir(), 'parley-api-docs-'));
  // Rejects (with typedoc's output) on any error or warning.
  await promisify(execFile)(process.execPath, [join(root, 'scripts/api-docs.mjs'), out], {
    cwd: root,
    timeout: 300_000,
  });
});

after(() => rm(out, { recursive: true, force: true }));

const page = (path: string) => readFile(join(out, path), 'utf8');

test('the SDK reference documents Room, its join and events, and ParleyError with its codes', async () => {
  const room = await page('classes/_parley_sdk.Room.html');
  assert.match(room, /id="join"/);
  assert.match(room, /id="subscribe"/);
  assert.match(room, /id="getsnapshot"/);
  assert.match(await page('classes/_parley_sdk.ParleyError.html'), /id="code"/);
  assert.match(await page('variables/_parley_sdk.ErrorCode.html'), /permission-denied/);
  assert.match(await page('types/_parley_sdk.RoomEventMap.html'), /participant-joined/);
});

test('the elements reference documents MeetingRoom with its own comment', async () => {
  const meetingRoom = await page('classes/_parley_elements.MeetingRoom.html');
  assert.match(meetingRoom, /meeting-room/);
  assert.match(meetingRoom, /id="code"/);
  await page('functions/_parley_elements.registerTranslation.html');
});

test('custom-elements.json sits beside the reference and lists <meeting-room>', async () => {
  const manifest = JSON.parse(await page('custom-elements.json')) as {
    modules: { declarations?: { tagName?: string }[] }[];
  };
  const tags = manifest.modules.flatMap((module) => (module.declarations ?? []).map((declaration) => declaration.tagName));
  assert.ok(tags.includes('meeting-room'), `tags: ${tags.join(', ')}`);
});
