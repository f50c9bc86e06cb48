/** The config file's atomic rewrite, on a real file system: a symlink stays a link, the mode is kept, a save made meanwhile is not lost. */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rewriteConfigFile } from '../../src/adapters/configEdit.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'muxctl-config-edit-'));
  dirs.push(dir);
  return dir;
}

describe('rewriteConfigFile', () => {
  it('writes through a symlink, keeps the mode, and leaves no temp file', async () => {
    const dir = scratch();
    const real = join(dir, 'real.json');
    const link = join(dir, 'sessions.json');
    writeFileSync(real, '{"a": 1}\n');
    chmodSync(real, 0o640);
    symlinkSync(real, link);
    expect(await rewriteConfigFile(link, (text) => text.replace('1', '2'))).toBe('{"a": 2}\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('{"a": 2}\n');
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['real.json', 'sessions.json']);
  });

  it('writes nothing when the change says so', async () => {
    const dir = scratch();
    const file = join(dir, 'sessions.json');
    writeFileSync(file, 'as it was\n');
    const before = statSync(file).mtimeMs;
    expect(await rewriteConfigFile(file, () => null)).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('as it was\n');
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('makes the edit again on a save that came in meanwhile, so that save is kept', async () => {
    const dir = scratch();
    const file = join(dir, 'sessions.json');
    writeFileSync(file, 'one\n');
    const seen: string[] = [];
    const written = await rewriteConfigFile(file, (text) => {
      seen.push(text);
      // The person's editor saves while muxctl's edit is on its way.
      if (seen.length === 1) writeFileSync(file, 'one\ntwo\n');
      return `${text}added\n`;
    });
    expect(seen).toEqual(['one\n', 'one\ntwo\n']);
    expect(written).toBe('one\ntwo\nadded\n');
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nadded\n');
    expect(readdirSync(dir)).toEqual(['sessions.json']);
  });
});
