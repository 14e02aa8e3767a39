// Builds what is stale: `tsc -b` recompiles only changed projects, and the browser bundle is rebuilt only when
// a compiled input is newer than it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUDGETS, checkBudgets, measureChunks } from './bundle-size.mjs';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => join(root, 'node_modules', '.bin', name);

run(bin('tsc'), ['-b']);

// custom-elements.json, from the components' JSDoc, for IDEs, linters and docs.
const manifest = join(root, 'packages/elements/custom-elements.json');
if (!existsSync(manifest) || statSync(manifest).mtimeMs < newestMtime(join(root, 'packages/elements/src'))) {
  execFileSync(bin('cem'), ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'], {
    cwd: join(root, 'packages/elements'),
    stdio: 'inherit',
  });
}

const bundle = join(root, 'packages/elements/bundle/parley.js');
const inputs = ['packages/protocol/dist', 'packages/sdk/dist', 'packages/elements/dist', 'rollup.config.mjs', 'package-lock.json'];
const newestInput = Math.max(...inputs.map((input) => newestMtime(join(root, input))));
if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestInput) {
  // Chunk names carry content hashes: clear out the previous build's, or they pile up beside parley.js.
  rmSync(join(root, 'packages/elements/bundle'), { recursive: true, force: true });
  run(bin('rollup'), ['-c', '--silent']);
  try {
    printSizes(await checkBudgets());
  } catch (error) {
    // A bundle over budget must not look fresh to the next build.
    rmSync(bundle);
    console.error(error.message);
    process.exit(1);
  }
}

/** What each file of the bundle weighs (the chunks fetched on demand included), then the budgeted artefacts. */
function printSizes(budgeted) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1).padStart(5)} KB`;
  console.log('Browser bundle, gzip -9:');
  for (const { chunk, gzip } of measureChunks()) console.log(`  ${chunk.padEnd(36)} ${kb(gzip)}`);
  console.log('Budgets, gzip -9:');
  for (const [name, size] of Object.entries(budgeted)) console.log(`  ${name.padEnd(36)} ${kb(size.gzip)} of ${kb(BUDGETS[name])}`);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}
