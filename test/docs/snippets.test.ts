import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { documentsIn, extractSnippet, runSnippets } from '../../scripts/snippets.mjs';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

test("every snippet in README.md and docs/ is its source's current text", () => {
  assert.deepEqual(runSnippets(repositoryRoot), []);
});

test("each package's README.md (its npm page) is checked too", () => {
  const documents = documentsIn(repositoryRoot);
  for (const name of ['protocol', 'sdk', 'elements', 'server']) assert.ok(documents.includes(`packages/${name}/README.md`), name);
});

describe('extractSnippet', () => {
  const source = [
    'import { Room } from "@parley/sdk";',
    '',
    'function start() {',
    '  // #region join',
    '  const room = new Room({ server });',
    '    // #region inner',
    '    await room.join({ code });',
    '    // #endregion inner',
    '  // #endregion join',
    '}',
    '<!-- #region page -->',
    '<meeting-room></meeting-room>',
    '<!-- #endregion page -->',
    '# #region shell',
    'npm start',
    '# #endregion shell',
    '',
  ].join('\n');

  test('a whole file: every line but the region markers, without the trailing newline', () => {
    const lines = extractSnippet(source);
    assert.equal(lines[0], 'import { Room } from "@parley/sdk";');
    assert.equal(lines.at(-1), 'npm start');
    assert.ok(!lines.some((line) => line.includes('#region') || line.includes('#endregion')));
  });

  test('a region: its lines, nested markers removed, common indentation removed', () => {
    assert.deepEqual(extractSnippet(source, 'join'), ['const room = new Room({ server });', '  await room.join({ code });']);
    assert.deepEqual(extractSnippet(source, 'inner'), ['await room.join({ code });']);
  });

  test('HTML and shell comment markers delimit regions too', () => {
    assert.deepEqual(extractSnippet(source, 'page'), ['<meeting-room></meeting-room>']);
    assert.deepEqual(extractSnippet(source, 'shell'), ['npm start']);
  });

  test('a missing, duplicated or unterminated region is an error', () => {
    assert.throws(() => extractSnippet(source, 'leave'), /no "#region leave"/);
    assert.throws(() => extractSnippet('// #region a\nx\n// #endregion a\n// #region a\n', 'a'), /twice/);
    assert.throws(() => extractSnippet('// #region a\nx\n', 'a'), /no "#endregion a"/);
  });
});

describe('runSnippets on a temporary repository', () => {
  let root: string;
  const fence = '```';

  async function put(path: string, text: string): Promise<void> {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-snippets-'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('an up-to-date document passes, and --write leaves it byte for byte', async () => {
    await put('examples/app.ts', 'setup();\n// #region greet\nconsole.log("hi");\n// #endregion greet\n');
    const guide = ['# Guide', '<!-- snippet: examples/app.ts#greet -->', `${fence}ts`, 'console.log("hi");', fence, ''].join('\n');
    await put('README.md', '# Readme\n');
    await put('docs/guide.md', guide);
    assert.deepEqual(runSnippets(root), []);
    assert.deepEqual(runSnippets(root, { write: true }), []);
    assert.equal(await readFile(join(root, 'docs/guide.md'), 'utf8'), guide);
  });

  test('a stale block fails the check; --write copies the source into it', async () => {
    await put('examples/app.ts', 'setup();\n// #region greet\nconsole.log("hello");\n// #endregion greet\n');
    assert.deepEqual(runSnippets(root), ['docs/guide.md:3: block differs from examples/app.ts#greet']);
    assert.deepEqual(runSnippets(root, { write: true }), []);
    assert.match(await readFile(join(root, 'docs/guide.md'), 'utf8'), /```ts\nconsole\.log\("hello"\);\n```\n$/);
    assert.deepEqual(runSnippets(root), []);
  });

  test('a missing region or file fails the check, and --write does not hide it', async () => {
    await put(
      'docs/broken.md',
      ['<!-- snippet: examples/app.ts#farewell -->', `${fence}ts`, 'bye();', fence, '<!-- snippet: examples/gone.ts -->', `${fence}ts`, fence, ''].join('\n'),
    );
    const expected = ['docs/broken.md:1: examples/app.ts#farewell: no "#region farewell"', 'docs/broken.md:5: examples/gone.ts: no such file'];
    assert.deepEqual(runSnippets(root, { documents: ['docs/broken.md'] }), expected);
    assert.deepEqual(runSnippets(root, { documents: ['docs/broken.md'], write: true }), expected);
  });

  test('unmarked program code fails; shell commands, output and JSON may be inline', async () => {
    await put(
      'docs/inline.md',
      [`${fence}sh`, 'npm start', fence, fence, 'listening on 3000', fence, `${fence}json`, '{}', fence, `${fence}html`, '<p>', fence, ''].join('\n'),
    );
    assert.deepEqual(runSnippets(root, { documents: ['docs/inline.md'] }), [
      'docs/inline.md:10: html block has no "<!-- snippet: <file>[#<region>] -->" above it',
    ]);
  });

  test('a marker without a code block under it, and a snippet path leaving the repository, fail', async () => {
    await put('docs/loose.md', ['<!-- snippet: examples/app.ts -->', '', 'text', '<!-- snippet: ../outside.ts -->', `${fence}ts`, fence, ''].join('\n'));
    assert.deepEqual(runSnippets(root, { documents: ['docs/loose.md'] }), [
      'docs/loose.md:1: "<!-- snippet: examples/app.ts -->" is not followed by a fenced code block',
      'docs/loose.md:4: ../outside.ts: is outside the repository',
    ]);
  });
});
