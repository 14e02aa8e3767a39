// docs/releasing.md's release, rehearsed: in a clone of this repository (offline, nothing pushed or published), a
// `feat(sdk)` commit after the current version's tag, then `lerna version` as lerna.json configures it, without tag or
// push.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'parley-release-'));
const clone = join(work, 'parley');
const run = (command: string, args: string[]) =>
  promisify(execFile)(command, args, { cwd: clone, timeout: 120_000, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
const read = (path: string) => readFileSync(join(clone, path), 'utf8');
const manifest = (path: string) => JSON.parse(read(path)) as { version: string; dependencies?: Record<string, string> };

const current = (JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8')) as { version: string }).version;
/** A feature makes a minor release, in 0.x as from 1.0. */
const next = current.replace(/^(\d+)\.(\d+)\.\d+$/, (_, major: string, minor: string) => `${major}.${Number(minor) + 1}.0`);
/** The changelog as it is: the release must go above all of it. */
const earlier = readFileSync(join(root, 'CHANGELOG.md'), 'utf8').split('for commit guidelines.\n')[1]!.trim();

before(async () => {
  await promisify(execFile)('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { timeout: 120_000 });
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
  await run('git', ['checkout', '--quiet', '-B', 'main']);
  await run('git', ['config', 'user.name', 'Release Rehearsal']);
  await run('git', ['config', 'user.email', 'release@example.com']);
  await run('git', ['tag', '--force', `v${current}`]);
  appendFileSync(join(clone, 'packages/sdk/README.md'), '\nA new paragraph.\n');
  await run('git', ['commit', '--quiet', '--all', '--message', 'feat(sdk): a feature']);
  await run(join(root, 'node_modules/.bin/lerna'), ['version', '--no-git-tag-version', '--no-push', '--yes']);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('a feat commit makes a minor release of all four packages, ranges and lockfile included', () => {
  assert.notEqual(next, current);
  for (const name of ['protocol', 'sdk', 'elements', 'server']) {
    const { version, dependencies = {} } = manifest(`packages/${name}/package.json`);
    assert.equal(version, next, name);
    for (const [dependency, range] of Object.entries(dependencies)) {
      if (dependency.startsWith('@parley/')) assert.equal(range, `^${next}`, `${name} → ${dependency}`);
    }
  }
  assert.equal(manifest('examples/react/package.json').dependencies!['@parley/elements'], `^${next}`);
  assert.equal(manifest('examples/backend/package.json').dependencies!['@parley/server'], `^${next}`);
  assert.equal(manifest('lerna.json').version, next);
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };
  assert.equal(lock.packages['packages/sdk']!.version, next);
});

test('the changelog gets the release above the earlier ones, in lerna’s format, linking the repository', () => {
  const changelog = read('CHANGELOG.md');
  assert.match(changelog, /^# Change Log\n\nAll notable changes to this project will be documented in this file\.\n/);
  const release = changelog.indexOf(`# [${next}](https://github.com/parley-dev/parley/compare/v${current}...v${next})`);
  assert.ok(release > 0, changelog.slice(0, 600));
  assert.match(changelog, /### Features\n\n\* \*\*sdk:\*\* a feature \(\[[0-9a-f]{7}\]\(https:\/\/github\.com\/parley-dev\/parley\/commit/);
  assert.ok(changelog.indexOf(earlier) > release, 'the earlier entries stay, below');
  assert.match(read('packages/sdk/CHANGELOG.md'), /\*\*sdk:\*\* a feature/);
});
