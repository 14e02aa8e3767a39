import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

test('LICENSE is the MIT licence that the root and every workspace package.json name', () => {
  const license = read('LICENSE');
  assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} Parley contributors\n/);
  assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  const manifest = JSON.parse(read('package.json')) as { license: string; workspaces: string[] };
  assert.equal(manifest.license, 'MIT');
  for (const workspace of manifest.workspaces) {
    const { name, license: declared, private: unpublished } = JSON.parse(read(`${workspace}/package.json`)) as {
      name: string;
      license?: string;
      private?: boolean;
    };
    if (!unpublished) assert.equal(declared, 'MIT', `${name} declares the same licence`);
  }
});

test('every published package carries the same LICENSE file (npm pack puts it in the tarball)', () => {
  const license = read('LICENSE');
  for (const name of ['protocol', 'sdk', 'elements', 'server']) {
    assert.equal(read(`packages/${name}/LICENSE`), license, `packages/${name}/LICENSE`);
  }
});
