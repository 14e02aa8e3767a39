// Code in the docs is copied from files that tests run, so it cannot rot. In README.md, packages/*/README.md and
// docs/**/*.md, a line
//   <!-- snippet: examples/react/src/App.tsx -->          (the whole file)
//   <!-- snippet: examples/react/src/App.tsx#join -->     (the lines between `#region join` and `#endregion join`)
// immediately followed by a fenced code block marks that block as a copy. `--write` copies every marked block from
// its source; `--check` exits 1 listing each stale block, missing file or region, and each unmarked code block.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = /^<!--\s*snippet:\s*([^\s#]+)(?:#([\w-]+))?\s*-->$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
// A region marker in any comment syntax: `// #region x`, `<!-- #region x -->`, `# #region x`, `/* #endregion x */`.
const REGION_LINE = /#(end)?region\s+([\w-]+)/;

/**
 * Languages of program code: a block in one of them must be a marked snippet. Shell commands, their output,
 * JSON payloads and configuration files may be written inline.
 */
export const CODE_LANGUAGES = new Set([
  'js', 'javascript', 'mjs', 'cjs', 'jsx', 'ts', 'typescript', 'tsx', 'html', 'vue', 'svelte', 'css',
]);

/**
 * The lines a snippet shows: the whole text, or the region `region` of it, without any region marker lines and
 * without the indentation all its non-blank lines share. Throws when the region is missing or unterminated.
 */
export function extractSnippet(text, region) {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  let selected = lines;
  if (region) {
    const isMarker = (line, end) => {
      const match = REGION_LINE.exec(line);
      return match !== null && Boolean(match[1]) === end && match[2] === region;
    };
    const start = lines.findIndex((line) => isMarker(line, false));
    if (start === -1) throw new Error(`no "#region ${region}"`);
    if (lines.findIndex((line, index) => index > start && isMarker(line, false)) !== -1) {
      throw new Error(`"#region ${region}" appears twice`);
    }
    const end = lines.findIndex((line, index) => index > start && isMarker(line, true));
    if (end === -1) throw new Error(`"#region ${region}" has no "#endregion ${region}"`);
    selected = lines.slice(start + 1, end);
  }
  const shown = selected.filter((line) => !REGION_LINE.test(line));
  const indents = shown.filter((line) => line.trim() !== '').map((line) => /^\s*/.exec(line)[0].length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return shown.map((line) => line.slice(common).trimEnd());
}

/**
 * Checks one Markdown document. `readSource(path)` returns a repository file's text (throws when missing).
 * Returns the document with every marked block copied from its source, and the problems found.
 */
export function processMarkdown(markdown, readSource) {
  const lines = markdown.split('\n');
  const output = [];
  const problems = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    output.push(line);
    const marker = MARKER.exec(line.trim());
    const fence = FENCE.exec(line);
    if (!marker && !fence) continue;
    const fenceAt = marker ? index + 1 : index;
    const opening = FENCE.exec(lines[fenceAt] ?? '');
    if (!opening) {
      problems.push({ line: index + 1, message: `"${line.trim()}" is not followed by a fenced code block` });
      continue;
    }
    const [, indent, ticks, language] = opening;
    const close = lines.findIndex(
      (candidate, at) => at > fenceAt && candidate.trim().startsWith(ticks[0].repeat(ticks.length)) && /^\s*[`~]+\s*$/.test(candidate),
    );
    if (close === -1) {
      problems.push({ line: fenceAt + 1, message: 'code block is never closed' });
      output.push(...lines.slice(index + 1));
      break;
    }
    const body = lines.slice(fenceAt + 1, close).map((bodyLine) => bodyLine.slice(indent.length));
    if (marker) output.push(lines[fenceAt]);
    if (!marker) {
      if (CODE_LANGUAGES.has(language.toLowerCase())) {
        problems.push({ line: fenceAt + 1, message: `${language} block has no "<!-- snippet: <file>[#<region>] -->" above it` });
      }
      output.push(...lines.slice(fenceAt + 1, close + 1));
      index = close;
      continue;
    }
    const [, path, region] = marker;
    const source = region ? `${path}#${region}` : path;
    let expected;
    try {
      expected = extractSnippet(readSource(path), region);
    } catch (error) {
      problems.push({ line: index + 1, message: `${source}: ${error.message}` });
      output.push(...lines.slice(fenceAt + 1, close + 1));
      index = close;
      continue;
    }
    if (expected.join('\n') !== body.join('\n')) {
      problems.push({ line: fenceAt + 1, message: `block differs from ${source}`, stale: true });
    }
    output.push(...expected.map((expectedLine) => (expectedLine ? indent + expectedLine : '')), lines[close]);
    index = close;
  }
  return { output: output.join('\n'), problems };
}

/**
 * README.md, each package's README.md (its page on npm) and every Markdown file under docs/, except the generated
 * API reference.
 */
export function documentsIn(root) {
  const found = ['README.md'];
  const packages = join(root, 'packages');
  if (existsSync(packages)) {
    for (const entry of readdirSync(packages, { withFileTypes: true })) {
      const readme = `packages/${entry.name}/README.md`;
      if (entry.isDirectory() && existsSync(join(root, readme))) found.push(readme);
    }
  }
  const walk = (folder) => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory() && path !== 'docs/api') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found.sort();
}

/** Repository files only: a snippet path may not leave the repository. */
function sourceReader(root) {
  return (path) => {
    const file = resolve(root, path);
    const inside = relative(root, file);
    if (inside.startsWith('..') || isAbsolute(inside)) throw new Error('is outside the repository');
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new Error('no such file');
    }
  };
}

/**
 * Checks (and with `write`, rewrites) `documents` under `root`. Returns one line per remaining problem:
 * `<document>:<line>: <message>`; with `write`, stale blocks are fixed and not reported.
 */
export function runSnippets(root, { write = false, documents = documentsIn(root) } = {}) {
  const report = [];
  const readSource = sourceReader(root);
  for (const document of documents) {
    const markdown = readFileSync(join(root, document), 'utf8');
    const { output, problems } = processMarkdown(markdown, readSource);
    if (write && output !== markdown) writeFileSync(join(root, document), output);
    for (const problem of problems) {
      if (!(write && problem.stale)) report.push(`${document}:${problem.line}: ${problem.message}`);
    }
  }
  return report;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== '--write' && mode !== '--check') {
    console.error('usage: node scripts/snippets.mjs --write | --check');
    process.exit(2);
  }
  const report = runSnippets(fileURLToPath(new URL('..', import.meta.url)), { write: mode === '--write' });
  for (const line of report) console.error(line);
  if (report.length > 0) {
    if (mode === '--check') console.error('Run `npm run docs:snippets` to copy stale blocks from their sources.');
    process.exit(1);
  }
}
