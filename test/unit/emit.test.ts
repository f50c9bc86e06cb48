import { describe, expect, it } from 'vitest';
import { buildEmitEvent } from '../../src/core/parsers/emit.js';

const base = { worker: 'app-1', now: Date.UTC(2026, 10, 23, 14, 2, 0), words: [] as string[] };

describe('buildEmitEvent', () => {
  it('makes a heartbeat with time and worker', () => {
    expect(buildEmitEvent({ ...base, kind: 'heartbeat' })).toEqual({ ok: true, event: { time: '2026-11-23T14:02:00.000Z', type: 'heartbeat', worker: 'app-1' } });
  });

  it('makes a status from the words, and refuses an empty one', () => {
    expect(buildEmitEvent({ ...base, kind: 'status', words: ['running', 'migrations'] })).toMatchObject({ ok: true, event: { type: 'status', text: 'running migrations' } });
    expect(buildEmitEvent({ ...base, kind: 'status' })).toMatchObject({ ok: false, error: expect.stringContaining('needs a text') });
  });

  it('makes a checkpoint with a sha and a step, and checks the sha', () => {
    expect(buildEmitEvent({ ...base, kind: 'checkpoint', sha: 'ABCDEF1', step: 'build', words: ['tests', 'green'] })).toMatchObject({
      ok: true,
      event: { type: 'checkpoint', sha: 'abcdef1', step: 'build', text: 'tests green' },
    });
    expect(buildEmitEvent({ ...base, kind: 'checkpoint', sha: 'not-a-sha' })).toMatchObject({ ok: false, error: expect.stringContaining('--sha expects a commit id') });
    expect(buildEmitEvent({ ...base, kind: 'checkpoint' })).toMatchObject({ ok: false, error: expect.stringContaining('needs --sha, --step or a note') });
  });

  it('makes progress with a percent in range only', () => {
    expect(buildEmitEvent({ ...base, kind: 'progress', percent: '40', step: 'lint' })).toMatchObject({ ok: true, event: { percent: 40, step: 'lint' } });
    expect(buildEmitEvent({ ...base, kind: 'progress', percent: '140' })).toMatchObject({ ok: false, error: expect.stringContaining('0 to 100') });
  });

  it('refuses an unknown kind and lists the known ones', () => {
    expect(buildEmitEvent({ ...base, kind: 'done' })).toMatchObject({ ok: false, error: expect.stringContaining('heartbeat, status, progress, checkpoint') });
  });
});
