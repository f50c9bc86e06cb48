/**
 * The cache of judged configs (src/adapters/configCache.ts) on a real disk, and the built muxctl using
 * it: a config is read back only for the same build, text and path; an edit is judged again.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedConfig, configCacheDir, keepConfig, KEPT_CONFIGS } from '../../src/adapters/configCache.js';
import type { ProjectConfig } from '../../src/core/config/config.js';
import { parseConfig } from '../../src/core/config/parse.js';
import { idle } from '../helpers/cli.js';
import { makeProject } from '../helpers/project.js';

let scratch: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'muxctl-config-cache-'));
  process.env.XDG_CACHE_HOME = scratch;
});

afterAll(async () => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  await rm(scratch, { recursive: true, force: true });
});

const TEXT = JSON.stringify({ project: 'cached', repo: '/srv/cached', lanes: { app: {} }, workers: [{ name: 'w1', lane: 'app', command: 'sleep 100' }] });
const FILE = '/srv/cached/sessions.json';

function parsed(text: string): ProjectConfig {
  const result = parseConfig(text, FILE);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('the config cache', () => {
  it('gives back what it kept only for the same build, text and path', () => {
    const config = parsed(TEXT);
    expect(cachedConfig(FILE, TEXT, 'build-a')).toBeNull();
    keepConfig(FILE, TEXT, config, 'build-a');
    expect(cachedConfig(FILE, TEXT, 'build-a')).toEqual(config);
    expect(cachedConfig(FILE, TEXT.replace('sleep 100', 'sleep 101'), 'build-a')).toBeNull();
    expect(cachedConfig('/srv/other/sessions.json', TEXT, 'build-a')).toBeNull();
    expect(cachedConfig(FILE, TEXT, 'build-b')).toBeNull();
  });

  it('keeps nothing when run from the sources (no build), nor a config JSON would not carry back', async () => {
    const before = await readdir(configCacheDir());
    keepConfig(FILE, `${TEXT} `, parsed(TEXT), null);
    expect(cachedConfig(FILE, `${TEXT} `, null)).toBeNull();
    keepConfig(FILE, `${TEXT}  `, { ...parsed(TEXT), extra: undefined } as unknown as ProjectConfig, 'build-a');
    expect(cachedConfig(FILE, `${TEXT}  `, 'build-a')).toBeNull();
    expect(await readdir(configCacheDir())).toEqual(before);
  });

  it(`holds at most ${KEPT_CONFIGS} configs, forgetting the oldest`, async () => {
    const config = parsed(TEXT);
    for (let i = 0; i < KEPT_CONFIGS + 5; i++) keepConfig(FILE, `${TEXT}\n// ${i}`, config, 'build-prune');
    expect((await readdir(configCacheDir())).filter((name) => name.endsWith('.json'))).toHaveLength(KEPT_CONFIGS);
    expect(cachedConfig(FILE, `${TEXT}\n// ${KEPT_CONFIGS + 4}`, 'build-prune')).toEqual(config);
    expect(cachedConfig(FILE, `${TEXT}\n// 0`, 'build-prune')).toBeNull();
  });
});

describe('the built muxctl with the cache', () => {
  it('keeps a good config once, and judges an edit again: a bad one is refused with its field, a good one runs', async () => {
    const cacheHome = join(scratch, 'built');
    const env = { XDG_CACHE_HOME: cacheHome };
    const p = await makeProject('config-cache', [idle('w1')]);
    try {
      const first = await p.run(['status'], env);
      expect(first.exitCode).toBe(0);
      const kept = await readdir(join(cacheHome, 'muxctl', 'configs'));
      expect(kept).toHaveLength(1);
      const again = await p.run(['status'], env);
      expect({ exitCode: again.exitCode, stdout: again.stdout }).toEqual({ exitCode: 0, stdout: first.stdout });
      expect(await readdir(join(cacheHome, 'muxctl', 'configs'))).toEqual(kept);

      const good = await readFile(p.configFile, 'utf8');
      await writeFile(p.configFile, good.replace('"lane": "app"', '"lane": "nowhere"'));
      const bad = await p.run(['status'], env);
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain('workers[0].lane');
      expect(await readdir(join(cacheHome, 'muxctl', 'configs'))).toEqual(kept);

      await writeFile(p.configFile, good);
      const back = await p.run(['status'], env);
      expect({ exitCode: back.exitCode, stdout: back.stdout }).toEqual({ exitCode: 0, stdout: first.stdout });
    } finally {
      await p.cleanup();
    }
  });
});
