// The API reference: typedoc over the SDK's and the elements' public entry points (typedoc.json), then the
// elements' custom-elements.json beside it. Needs a build first (the elements read the SDK's declarations).
// Usage: node scripts/api-docs.mjs [out directory, default docs/api]
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = resolve(process.argv[2] ?? join(root, 'docs/api'));

execFileSync(join(root, 'node_modules/.bin/typedoc'), ['--out', out], { cwd: root, stdio: 'inherit' });
copyFileSync(join(root, 'packages/elements/custom-elements.json'), join(out, 'custom-elements.json'));
