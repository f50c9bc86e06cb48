/** Reads and watches the config file; all judgement of its contents is in src/core/config/config.ts. */
import { watch, type FSWatcher } from 'chokidar';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, type ConfigResult, type ProjectConfig } from '../core/config/config.js';
import { ConfigError, ConfigNotFoundError } from '../core/config/configError.js';

/** Where the config is: --config, else $MUXCTL_CONFIG (set inside workers), else ./sessions.json. */
export function locateConfig(flag: string | undefined, cwd = process.cwd(), env = process.env): string {
  const file = resolve(cwd, flag ?? env.MUXCTL_CONFIG ?? 'sessions.json');
  if (!existsSync(file)) throw new ConfigNotFoundError(file);
  return file;
}

export function readConfig(file: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ file, path: '(file)', message: `cannot read it: ${(error as Error).message}` }] };
  }
  return parseConfig(text, file);
}

export function loadConfig(file: string): ProjectConfig {
  const result = readConfig(file);
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
  const check = (): void => {
    const text = safeRead(file);
    if (text === last) return;
    last = text;
    onChange(readConfig(file));
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
