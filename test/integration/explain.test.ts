/**
 * `muxctl explain` from the built CLI: a worker's log found as the dashboard finds it (the newest match
 * of its glob), a file named directly, and clear errors for an unknown worker or a log not there yet.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import { MUXCTL_ROOT } from '../helpers/project.js';

const project = projectsCleanedUpAfterEach();
const TRANSCRIPT = join(MUXCTL_ROOT, 'test/fixtures/agent-logs/claude-code/claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl');

describe('muxctl explain', () => {
  it("reads a worker's log as the dashboard does, and prints it as text or JSON", async () => {
    const p = await project('explain', []);
    const logs = join(p.repo.scratch, 'transcripts');
    await mkdir(logs, { recursive: true });
    await copyFile(TRANSCRIPT, join(logs, 'f3ba0bdb.jsonl'));
    await p.writeConfig({ ...p.config, workers: [{ name: 'w1', lane: 'app', command: 'exec sleep 600', log: { path: join(logs, '*.jsonl') } }, { name: 'w2', lane: 'app', command: 'true', log: { path: join(logs, 'none-*.jsonl') } }] });

    const text = await p.run(['explain', 'w1']);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${join(logs, 'f3ba0bdb.jsonl')}\nformat: claude-code — `);
    expect(text.stdout).toContain('10 lines, 7 events, 0 unreadable');
    expect(text.stdout).toContain('last turn: done · the session ended');

    const json = await p.run(['explain', 'w1', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ format: 'claude-code', sessionEnded: true, turns: [{ startLine: 2, endLine: 6, ok: false }] });

    const file = await p.run(['explain', TRANSCRIPT]);
    expect(file.stdout).toContain('format: claude-code');

    const missing = await p.run(['explain', 'w2']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`w2's log ${join(logs, 'none-*.jsonl')} does not exist (yet): nothing to explain`);
    const unknown = await p.run(['explain', 'nobody']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no worker named "nobody" in .*sessions\.json \(workers: w1, w2\)/);
  });
});
