/**
 * `parseConfig`: a config file's text into the config muxctl runs on, or into every problem with it at
 * once. Pure: the caller reads the file and passes its text and absolute path. The one module that needs
 * zod and the schema (see config.ts).
 */
import path from 'node:path';
import type { ConfigResult } from './config.js';
import { lineColumn, parseJsonc } from './jsonLocate.js';
import { crossFieldProblems, expectedText, issueProblems, placeProblems, type RawProblem } from './problems.js';
import { buildConfig } from './resolve.js';
import { configSchema } from './schema.js';

export { configJsonSchema } from './schema.js';

/** `text` is JSON with `//` and `/* *\/` comments allowed (see jsonLocate.ts), as people expect of a hand-edited config. */
export function parseConfig(text: string, file: string): ConfigResult {
  if (!path.isAbsolute(file)) throw new Error(`parseConfig: file must be an absolute path (got ${JSON.stringify(file)})`);
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text; // editors on Windows write a BOM
  const scanned = parseJsonc(source);
  if (scanned.syntaxError) {
    const { offset, message } = scanned.syntaxError;
    return { ok: false, problems: [{ file, path: '(root)', message: `invalid JSON: ${message}`, ...lineColumn(source, offset) }] };
  }
  const raw = scanned.value;

  const problems: RawProblem[] = scanned.duplicateKeys.map((keyPath) => ({
    path: keyPath.slice(0, -1),
    keyPath,
    message: `field ${JSON.stringify(keyPath.at(-1))} appears twice; JSON keeps only the last one — merge them`,
  }));
  const parsed = configSchema.safeParse(raw, { error: expectedText });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => issueProblems(issue, [], raw)));
  problems.push(...crossFieldProblems(raw));

  if (problems.length > 0) return { ok: false, problems: placeProblems(problems, file, source, scanned) };
  if (!parsed.success) throw new Error('unreachable: zod failed without issues');
  return { ok: true, config: buildConfig(parsed.data, file) };
}
