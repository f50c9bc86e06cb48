/**
 * Writes sessions.schema.json (the JSON Schema editors use to check sessions.json as you type) from the
 * zod schema in src/core/config/schema.ts, so the two cannot drift.
 *
 *   npx tsx scripts/gen-schema.ts           write the file
 *   npx tsx scripts/gen-schema.ts --check   exit 1 if the committed file is stale (for CI)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/core/config/parse.js';

const target = fileURLToPath(new URL('../sessions.schema.json', import.meta.url));
const wanted = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current: string | undefined;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== wanted) {
    console.error(`${target} is ${current === undefined ? 'missing' : 'stale'}: run \`npx tsx scripts/gen-schema.ts\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${target} is up to date.`);
} else {
  writeFileSync(target, wanted);
  console.log(`wrote ${target}`);
}
