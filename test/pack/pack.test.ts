// `npm run test:pack`: the four packages as npm would publish them, installed into an empty app as a user would.
// Needs a build first (`npm test` builds). Packs every package into a temporary folder, checks what each tarball
// holds, installs the four tarballs with Vite, TypeScript and an older Lit into an empty project (third-party
// packages from the npm registry; better-sqlite3 compiles from source, which takes minutes), builds and type-checks
// an app on @parley/elements and @parley/sdk (test/pack/app), and makes a call with that built app against
// `npx parley-server` from the install (test/pack/call.ts).
//
// Network: the install needs the npm registry, so it runs here, on the host's network; nothing else does. npm and
// prebuild-install are told not to fetch anything else (`build_from_source`: no prebuilt better-sqlite3 from GitHub;
// `nodedir`: Node's own headers, no download from nodejs.org). The call, the only part with a browser and WebRTC,
// runs in `scripts/loopback-netns.sh` (a network namespace with loopback only), as the e2e tests do, so neither
// Chromium nor the server can reach any address but 127.0.0.1.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanEnv, run, stopAll } from './processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['protocol', 'sdk', 'elements', 'server'] as const;
const MINUTE = 60_000;

const work = mkdtempSync(join(tmpdir(), 'parley-pack-'));
const tarballFolder = join(work, 'tarballs');
const app = join(work, 'app');

after(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

/** Node's headers beside the running node (NodeSource's package and nodejs.org's builds ship them there). */
function nodeHeaders(): string {
  const prefix = dirname(dirname(process.execPath));
  if (!existsSync(join(prefix, 'include/node/node_version.h'))) {
    throw new Error(`No Node.js headers in ${prefix}/include/node: better-sqlite3 cannot compile without a download`);
  }
  return prefix;
}

const npmEnv = () =>
  cleanEnv({
    npm_config_build_from_source: 'true',
    npm_config_nodedir: nodeHeaders(),
    npm_config_update_notifier: 'false',
  });

interface PackResult {
  name: string;
  filename: string;
  files: { path: string }[];
}
let packed: PackResult[] = [];

test('npm pack: each tarball has its LICENSE, README and build, and no tests or build state', async () => {
  mkdirSync(tarballFolder);
  const args = ['pack', '--json', '--pack-destination', tarballFolder, ...PACKAGES.flatMap((name) => ['-w', `packages/${name}`])];
  packed = JSON.parse(await run('npm', args, { cwd: root, env: cleanEnv(), timeoutMs: 5 * MINUTE })) as PackResult[];
  assert.deepEqual(
    packed.map((result) => result.name),
    PACKAGES.map((name) => `@parley/${name}`),
  );
  for (const { name, files } of packed) {
    const paths = files.map((file) => file.path);
    for (const required of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']) {
      assert.ok(paths.includes(required), `${name} has ${required}`);
    }
    const unwanted = paths.filter((path) => /(^|\/)(test|tests|__tests__|fixtures?)\/|\.test\.|tsbuildinfo/.test(path));
    assert.deepEqual(unwanted, [], `${name} ships no tests, fixtures or tsbuildinfo`);
  }
  const server = packed.find((result) => result.name === '@parley/server')!.files.map((file) => file.path);
  assert.ok(server.includes('dist/bin.js'), 'the server has its bin');
  const elements = packed.find((result) => result.name === '@parley/elements')!.files.map((file) => file.path);
  assert.ok(elements.includes('bundle/parley.js') && elements.includes('custom-elements.json'));
});

// The app depends on Lit itself, at an older minor than the workspace's, all four Lit packages pinned as a lockfile
// made before Lit 3.3 would hold them. With lit a regular dependency of @parley/elements ("^3.3.3"), npm nests
// lit 3.3.3 with its own lit-html and lit-element under @parley/elements and Vite bundles both Lits; as a peer
// dependency ("^3.2.0") the app's Lit is the only one (the "one Lit" test below).
const LIT = ['lit@3.2.1', 'lit-html@3.2.1', 'lit-element@4.1.1', '@lit/reactive-element@2.0.4'];

test('the four tarballs install into an empty project, with Vite, TypeScript and the app’s own Lit', { timeout: 20 * MINUTE }, async () => {
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'parley-pack-app', private: true, type: 'module' }, null, 2)}\n`);
  const { devDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const tarballs = packed.map((result) => join(tarballFolder, result.filename));
  const tools = ['vite', 'typescript'].map((name) => `${name}@${devDependencies[name]}`);
  // Generous: better-sqlite3 compiles SQLite from source here (about 2 minutes on 2 idle cores).
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs, ...tools, ...LIT], {
    cwd: app,
    env: npmEnv(),
    timeoutMs: 15 * MINUTE,
  });
  // Every @parley package is the tarball (none from the registry, none nested), and the tree is valid (peers too).
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
  const parley = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/@parley\//.test(path));
  assert.deepEqual(
    parley.map(([path, entry]) => [path, entry.resolved]).sort(),
    PACKAGES.map((name) => [`node_modules/@parley/${name}`, `file:../tarballs/parley-${name}-0.1.0.tgz`]).sort(),
  );
  await run('npm', ['ls', '--all'], { cwd: app, env: npmEnv(), timeoutMs: MINUTE });
  assert.ok(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')), 'better-sqlite3 was compiled');
});

test('an app on @parley/elements and @parley/sdk type-checks strictly and builds with Vite, with one Lit', { timeout: 5 * MINUTE }, async () => {
  cpSync(join(root, 'test/pack/app'), app, { recursive: true });
  await run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: app, timeoutMs: 3 * MINUTE });
  await run(join(app, 'node_modules/.bin/vite'), ['build'], { cwd: app, timeoutMs: 3 * MINUTE });
  // Every copy of lit-html and of lit-element pushes its version onto a global list, once per copy.
  const scripts = readdirSync(join(app, 'dist/assets'))
    .filter((file) => file.endsWith('.js'))
    .map((file) => readFileSync(join(app, 'dist/assets', file), 'utf8'))
    .join('\n');
  assert.equal(scripts.match(/litHtmlVersions/g)?.length, 1, 'one lit-html in the bundle');
  assert.equal(scripts.match(/litElementVersions/g)?.length, 1, 'one lit-element in the bundle');
  assert.ok(!existsSync(join(app, 'node_modules/@parley/elements/node_modules')), 'nothing nested under @parley/elements');
});

test('the built app makes a call against npx parley-server, both installed from the tarballs', { timeout: 5 * MINUTE }, async () => {
  const output = await run(
    'sh',
    [join(root, 'scripts/loopback-netns.sh'), process.execPath, '--import', 'tsx', join(root, 'test/pack/call.ts'), app],
    { cwd: root, env: cleanEnv(), timeoutMs: 4 * MINUTE },
  );
  process.stdout.write(output);
  assert.match(output, /each page decoded the other's video/);
});
