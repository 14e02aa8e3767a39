// Browser unit tests for the SDK and the elements, run in Debian's Chromium by @web/test-runner (`npm run test:unit`).
// Server tests are Node tests (`npm run test:server`), so packages/server is excluded here.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/chromium.mjs';

/**
 * Prints one plain closing line, `unit: N passed, N failed[, N skipped]`, last before exit, so a reader of
 * the log (or CI) sees the totals without parsing the progress bar.
 * @returns {import('@web/test-runner').Reporter}
 */
function totalsReporter() {
  return {
    stop({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      /** @param {import('@web/test-runner').TestSuiteResult | undefined} suite */
      const count = (suite) => {
        if (!suite) return;
        for (const test of suite.tests) {
          if (test.skipped) skipped += 1;
          else if (test.passed) passed += 1;
          else failed += 1;
        }
        suite.suites.forEach(count);
      };
      for (const session of sessions) {
        count(session.testResults);
        // A file that failed to load or threw outside a test has no failing test to count: count it as a failure.
        if (!session.passed && (session.errors?.length ?? 0) > 0) failed += 1;
      }
      const line = `unit: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
      // After the runner's own summary, which it prints once the reporters have stopped.
      process.once('exit', () => process.stdout.write(`${line}\n`));
    },
  };
}

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  // Every test beside the file it tests, as in Shoelace (shared fakes in packages/<pkg>/test/support).
  files: ['packages/sdk/src/**/*.test.ts', 'packages/elements/src/**/*.test.ts', 'packages/elements/custom-elements.test.ts'],
  // Browser builds of dependencies (socket.io-client would otherwise pull in Node's `ws`).
  nodeResolve: { browser: true, exportConditions: ['browser'] },
  // Noise suppression's assets where the Parley server serves them: the worklet from its source (redirected, so that
  // its imports resolve beside it), RNNoise's wasm from its package.
  middleware: [
    (context, next) => {
      if (context.path === '/rnnoise/rnnoise-worklet.js') return context.redirect('/packages/sdk/src/noise/rnnoise-worklet.ts');
      if (context.path === '/rnnoise/rnnoise.wasm') context.url = '/node_modules/@jitsi/rnnoise-wasm/dist/rnnoise.wasm';
      return next();
    },
  ],
  // The elements' tsconfig: Lit's reactive fields need useDefineForClassFields off (harmless for the SDK's classes).
  plugins: [esbuildPlugin({ ts: true, target: 'auto', tsconfig: 'packages/elements/tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        // The e2e tests' flags; `npm run test:unit` runs in the same loopback-only network namespace.
        args: CHROMIUM_ARGS,
      },
    }),
  ],
  concurrency: 1,
  concurrentBrowsers: 1,
  // Per file: browser start + esbuild transform + the tests. Generous for a 2-core CI machine.
  testsStartTimeout: 60_000,
  testsFinishTimeout: 120_000,
  staticLogging: false,
  reporters: [defaultReporter(), totalsReporter()],
};
