/** Reads and watches the config file; all judgement of its contents is in src/core/config/config.ts. */
import { watch, type FSWatcher } from 'chokidar';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigResult, ProjectConfig } from '../core/config/config.js';
import { ConfigError, ConfigNotFoundError } from '../core/config/configError.js';
import { cachedConfig, keepConfig } from './configCache.js';

/** Where the config is: --config, else $MUXCTL_CONFIG (set inside workers), else ./sessions.json. */
export function locateConfig(flag: string | undefined, cwd = process.cwd(), env = process.env): string {
  const file = resolve(cwd, flag ?? env.MUXCTL_CONFIG ?? 'sessions.json');
  if (!existsSync(file)) throw new ConfigNotFoundError(file);
  return file;
}

/**
 * The config in `file`, judged. A text this build judged before comes from the cache (configCache.ts);
 * otherwise the parser, and zod with it, is loaded now: a start whose config did not change needs neither.
 */
export async function readConfig(file: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ file, path: '(file)', message: `cannot read it: ${(error as Error).message}` }] };
  }
  const cached = cachedConfig(file, text);
  if (cached !== null) return { ok: true, config: cached };
  const { parseConfig } = await import('../core/config/parse.js');
  const result = parseConfig(text, file);
  if (result.ok) keepConfig(file, text, result.config);
  return result;
}

export async function loadConfig(file: string): Promise<ProjectConfig> {
  const result = await readConfig(file);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}

/**
 * Calls back with the re-read config after each edit settles. Editors save by writing a temp file and
 * renaming it over the old one; chokidar's atomic handling plus a short settle timer turns that burst
 * into one read. chokidar can drop the trailing change event (STACK.md trap 1): the settle timer
 * re-reads after the last event it did get, so the final content is what is applied.
 */
export function watchConfig(file: string, onChange: (result: ConfigResult) => void, settleMs = 150): { close(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let last = safeRead(file);
  // Reads are numbered: only the newest edit's result is handed on, whichever read finishes first.
  let reads = 0;
  const check = (): void => {
    const text = safeRead(file);
    if (text === last) return;
    last = text;
    const read = ++reads;
    void readConfig(file).then((result) => {
      if (read === reads) onChange(result);
    });
  };
  const watcher: FSWatcher = watch(file, { ignoreInitial: true, atomic: true, awaitWriteFinish: false });
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(check, settleMs);
  });
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}

function safeRead(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
