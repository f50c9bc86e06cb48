/**
 * Configs already judged. `parseConfig` is pure (a file's text and path in, the config out), so its
 * answer for the same text, path and build is kept in `~/.cache/muxctl/configs/<sha256>.json` and read
 * back, instead of loading zod with the schema and parsing again: ~60 ms of every `muxctl status` and
 * of the dashboard's first frame (CPU profile: the schema's module body ~30 ms, its chunk's compile
 * ~15 ms, the parse ~15 ms).
 *
 * Only a build knows what it is (MUXCTL_BUILD, a hash of its sources set by scripts/build.mjs): run
 * from the sources (the unit tests, tsx), nothing is cached. Only a config that parsed, and that reads
 * back from JSON exactly equal, is kept; a cache that cannot be read or written just means a parse.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ProjectConfig } from '../core/config/config.js';

declare const MUXCTL_BUILD: string | undefined;
const BUILD = typeof MUXCTL_BUILD === 'string' ? MUXCTL_BUILD : null;
/** Configs kept at most: one a project, a few for the tests' and demos' temporary ones. */
export const KEPT_CONFIGS = 64;

export function configCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'muxctl', 'configs');
}

function entry(file: string, text: string, build: string): string {
  return join(configCacheDir(), `${createHash('sha256').update(`${build}\0${file}\0${text}`).digest('hex')}.json`);
}

/** The config this build judged for exactly this text at this path, or null. */
export function cachedConfig(file: string, text: string, build: string | null = BUILD): ProjectConfig | null {
  if (build === null) return null;
  try {
    return JSON.parse(readFileSync(entry(file, text, build), 'utf8')) as ProjectConfig;
  } catch {
    return null;
  }
}

/** Keeps a config `parseConfig` accepted, written atomically; the oldest go past KEPT_CONFIGS. */
export function keepConfig(file: string, text: string, config: ProjectConfig, build: string | null = BUILD): void {
  if (build === null) return;
  try {
    const json = JSON.stringify(config);
    // A value JSON cannot carry (undefined, a Map) would come back different: such a config is not kept.
    if (!isDeepStrictEqual(JSON.parse(json), config)) return;
    const target = entry(file, text, build);
    mkdirSync(configCacheDir(), { recursive: true, mode: 0o700 });
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, json, { mode: 0o600 });
    renameSync(tmp, target);
    forgetOldest(configCacheDir());
  } catch {
    // No cache this time: the next start parses again.
  }
}

function forgetOldest(dir: string): void {
  const names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  if (names.length <= KEPT_CONFIGS) return;
  const aged = names.map((name) => ({ name, at: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.at - b.at);
  for (const { name } of aged.slice(0, names.length - KEPT_CONFIGS)) unlinkSync(join(dir, name));
}
