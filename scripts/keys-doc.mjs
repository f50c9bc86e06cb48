// Writes (or, with --check, verifies) the README's key table from the keymap, so the two never disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = await build({ entryPoints: [join(root, 'src/core/views/keymap.ts')], bundle: true, format: 'esm', platform: 'node', write: false });
const { keyDocMarkdown } = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'));

const start = '<!-- keys:start (generated from src/core/views/keymap.ts by `npm run docs:keys`) -->';
const end = '<!-- keys:end -->';
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from === -1 || to === -1) {
  console.error(`README.md lacks the key table markers:\n${start}\n${end}`);
  process.exit(1);
}
const next = readme.slice(0, from + start.length) + '\n' + keyDocMarkdown() + '\n' + readme.slice(to);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md\'s key table is stale: run `npm run docs:keys` and commit the result.');
    process.exit(1);
  }
  console.log('README key table matches the keymap.');
} else {
  writeFileSync(readmePath, next);
  console.log('README key table written from the keymap.');
}
