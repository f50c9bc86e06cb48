/**
 * `muxctl worker add|remove` through the BUILT bin/muxctl, against real git and a real tmux server: the
 * entry is written into a sessions.json with comments and its other bytes are kept, a bad entry writes
 * nothing, and a removal goes through `down --remove`'s guard before the entry leaves the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { events, projectsCleanedUpAfterEach, screenShows, sessions, startWorkers } from '../helpers/cli.js';
import type { TestProject } from '../helpers/project.js';

const makeProject = projectsCleanedUpAfterEach();

/** The config as a person writes it: comments, a lane table on one line, a note after an entry. */
function configText(p: TestProject, workers: string): string {
  return `{
  // worker add/remove: the lines a person wrote stay as they are.
  "project": ${JSON.stringify(p.config.project)},
  "repo": ".",
  "baseBranch": "main",
  "worktreeDir": ${JSON.stringify(p.worktreeDir)},
  "tmuxSocket": ${JSON.stringify(p.socket)},
  "lanes": { "app": {}, "infra": {} },   /* two lanes */
  "workers": [
    // the one that stays
${workers}
  ]
}
`;
}

const KEEPER = '    { "name": "keeper", "lane": "app", "command": "exec sleep 600" } // keeper\'s note';

async function projectWith(label: string, workers: string): Promise<{ p: TestProject; text: string }> {
  const p = await makeProject(label, []);
  const text = configText(p, workers);
  await writeFile(p.configFile, text);
  return { p, text };
}

describe('muxctl worker add', () => {
  it('writes the entry after the last one, keeps every other line, and starts the worker', async () => {
    const { p, text } = await projectWith('worker-add', KEEPER);
    const added = await p.run(['worker', 'add', 'helper', '--lane', 'infra', '--command', 'echo helper-ready; exec sleep 600', '--reason', 'one more pair of hands']);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toContain('✔ helper: added to');
    expect(added.stdout).toContain('✔ helper: started');

    const after = readFileSync(p.configFile, 'utf8');
    expect(after).toBe(
      text.replace(
        `${KEEPER}\n`,
        `    { "name": "keeper", "lane": "app", "command": "exec sleep 600" }, // keeper's note\n    { "name": "helper", "lane": "infra", "command": "echo helper-ready; exec sleep 600" }\n`,
      ),
    );
    expect(after).toContain('// worker add/remove: the lines a person wrote stay as they are.');
    expect(after).toContain('/* two lanes */');

    await screenShows(p.socket, 'helper', 'helper-ready');
    expect(await sessions(p.socket)).toContain('helper');
    expect(events(p)).toContainEqual(expect.objectContaining({ action: 'add', worker: 'helper', actor: 'cli', reason: expect.stringContaining('one more pair of hands: written into') }));

    // --json says the same to a script.
    const json = await p.run(['worker', 'add', 'second', '--lane', 'app', '--command', 'exec sleep 600', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, action: 'add', worker: 'second', written: true, results: [{ worker: 'second', ok: true, outcome: 'started' }] });
  });

  it('refuses an unknown lane with exit 2, naming the field; the file keeps every byte and nothing starts', async () => {
    const { p, text } = await projectWith('worker-add-bad', KEEPER);
    const bad = await p.run(['worker', 'add', 'helper', '--lane', 'infr', '--command', 'exec sleep 600']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('nothing was written');
    expect(bad.stderr).toMatch(/lane \(--lane\): expected one of the lanes app, infra; got "infr"/);
    expect(readFileSync(p.configFile, 'utf8')).toBe(text);
    expect(await sessions(p.socket)).toEqual([]);
    expect(events(p).filter((e) => e.worker === 'helper')).toEqual([]);
  });
});

describe('muxctl worker remove', () => {
  const HELPER = '    { "name": "helper", "lane": "infra", "command": "echo helper-ready; exec sleep 600" }, // goes soon';

  it('refuses while the worktree holds uncommitted work: the worker keeps running, worktree and file kept', async () => {
    const { p, text } = await projectWith('worker-rm-dirty', `${HELPER}\n${KEEPER}`);
    await startWorkers(p);
    await screenShows(p.socket, 'helper', 'helper-ready');
    const notes = join(p.worktreeDir, 'helper', 'notes.txt');
    await writeFile(notes, 'not committed\n');

    const refused = await p.run(['worker', 'remove', 'helper']);
    expect(refused.exitCode, refused.stderr).toBe(1);
    expect(refused.stdout).toContain('✖ helper: not removed, still running: 1 file with uncommitted changes (notes.txt)');
    expect(readFileSync(p.configFile, 'utf8')).toBe(text);
    expect(existsSync(notes)).toBe(true);
    expect(await sessions(p.socket)).toEqual(['helper', 'keeper']);
    expect(events(p)).toContainEqual(expect.objectContaining({ action: 'refuse', worker: 'helper', reason: 'remove refused: 1 file with uncommitted changes (notes.txt)' }));
  });

  it('once nothing would be lost: stops it, removes its worktree, then takes its lines out, the rest byte-identical', async () => {
    const { p, text } = await projectWith('worker-rm-clean', `${HELPER}\n${KEEPER}`);
    await startWorkers(p);
    await screenShows(p.socket, 'helper', 'helper-ready');

    const removed = await p.run(['worker', 'remove', 'helper', '--reason', 'done with it']);
    expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(0);
    expect(removed.stdout).toMatch(/✔ helper: stopped[\s\S]*✔ helper: removed [\s\S]*✔ helper: taken out of /);
    expect(await sessions(p.socket)).toEqual(['keeper']);
    expect(existsSync(join(p.worktreeDir, 'helper'))).toBe(false);
    expect(readFileSync(p.configFile, 'utf8')).toBe(text.replace(`${HELPER}\n`, ''));
    const mine = events(p).filter((e) => e.worker === 'helper').map((e) => e.action);
    expect(mine.slice(-3)).toEqual(['stop', 'remove', 'remove-entry']);
    expect(events(p).at(-1)?.reason).toMatch(/^done with it: taken out of .*sessions\.json after its worktree was removed$/);
  });
});
