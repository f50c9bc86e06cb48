// muxctl's own event lines. The agent lines below were written by the real demo agent
// (`muxctl-demo-agent --profile quick --seed 7 --speed 0`, `--profile asks --seed 3`, `--profile flaky`),
// copied byte for byte; the emit lines follow the `muxctl emit` kinds (heartbeat, status, progress, checkpoint).
import { describe, expect, it } from 'vitest';
import { createLogParser, type LogEvent } from '../../../src/core/parsers/logs/index.js';
import { parseMuxctlLine } from '../../../src/core/parsers/logs/muxctl.js';

const QUICK_RUN = [
  '{"time":"2026-11-23T02:11:48.077Z","type":"message","text":"demo agent started (profile quick, seed 7)"}',
  '{"time":"2026-11-23T02:11:48.080Z","type":"message","turn":1,"text":"Task: Remove deprecated billing endpoints"}',
  '{"time":"2026-11-23T02:11:48.081Z","type":"tool_start","turn":1,"tool":"Read","input":{"file_path":"src/billing/legacy.ts"},"text":"Reading src/billing/legacy.ts"}',
  '{"time":"2026-11-23T02:11:48.082Z","type":"tool_end","turn":1,"tool":"Read","input":{"file_path":"src/billing/legacy.ts"},"ok":true,"text":"256 lines"}',
  '{"time":"2026-11-23T02:11:48.083Z","type":"tool_start","turn":1,"tool":"Grep","input":{"pattern":"@deprecated"},"text":"Searching for \\"@deprecated\\""}',
  '{"time":"2026-11-23T02:11:48.086Z","type":"tool_end","turn":1,"tool":"Grep","input":{"pattern":"@deprecated"},"ok":true,"text":"2 matches"}',
  '{"time":"2026-11-23T02:11:48.087Z","type":"tool_start","turn":1,"tool":"Edit","input":{"file_path":"src/billing/routes.ts"},"text":"Editing src/billing/routes.ts"}',
  '{"time":"2026-11-23T02:11:48.088Z","type":"tool_end","turn":1,"tool":"Edit","input":{"file_path":"src/billing/routes.ts"},"ok":true,"text":"+20 −0"}',
  '{"time":"2026-11-23T02:11:48.103Z","type":"result","turn":1,"ok":true,"text":"Remove deprecated billing endpoints","tokens":{"input":10888,"output":696},"costUsd":0.0431}',
];

const ASKS_RUN = [
  '{"time":"2026-11-23T02:11:49.040Z","type":"question","turn":1,"tool":"Bash","input":{"command":"npx prisma migrate dev"},"text":"Allow Bash(npx prisma migrate dev)?"}',
  '{"time":"2026-11-23T02:11:49.041Z","type":"answer","turn":1,"text":"n","ok":false}',
  '{"time":"2026-11-23T02:11:49.041Z","type":"tool_start","turn":1,"tool":"Bash","input":{"command":"npx prisma migrate dev"},"text":"Bash npx prisma migrate dev"}',
  '{"time":"2026-11-23T02:11:49.043Z","type":"tool_end","turn":1,"tool":"Bash","input":{"command":"npx prisma migrate dev"},"ok":false,"text":"rejected by the user"}',
  '{"time":"2026-11-23T02:11:49.074Z","type":"tool_end","turn":2,"tool":"Bash","input":{"command":"rm -rf dist"},"ok":true,"text":""}',
];

const FLAKY_END = '{"time":"2026-11-23T02:11:59.763Z","type":"error","worker":"app-1","turn":1,"text":"Error: ENOSPC: no space left on device, write"}';

function readAll(lines: readonly string[]): LogEvent[] {
  const parser = createLogParser('muxctl');
  return lines.flatMap((line) => {
    const parsed = parser.push(line);
    if ('malformed' in parsed) throw new Error(parsed.malformed);
    return parsed.events;
  });
}

describe('the demo agent’s events', () => {
  it('tells the task, the tools in order and the result with tokens and cost', () => {
    const events = readAll(QUICK_RUN);
    expect(events.map((e) => e.kind)).toEqual(['message', 'message', 'tool_start', 'tool_end', 'tool_start', 'tool_end', 'tool_start', 'tool_end', 'result']);
    expect(events.filter((e) => e.kind === 'tool_start').map((e) => [e.tool, e.text])).toEqual([
      ['Read', 'Reading src/billing/legacy.ts'],
      ['Grep', 'Searching for "@deprecated"'],
      ['Edit', 'Editing src/billing/routes.ts'],
    ]);
    expect(events.at(-1)).toMatchObject({ ok: true, text: 'Remove deprecated billing endpoints', tokens: { input: 10888, output: 696 }, costUsd: 0.0431 });
    expect(events.at(-1)?.tokensCumulative).toBeUndefined();
    expect(events[0]?.time).toBe(Date.parse('2026-11-23T02:11:48.077Z'));
  });

  it('tells the question as waiting for the person, the refusal and the rejected call', () => {
    const events = readAll(ASKS_RUN);
    expect(events[0]).toMatchObject({ kind: 'question', pending: 'question', tool: 'Bash', level: 'warn', text: 'asks: Allow Bash(npx prisma migrate dev)?' });
    expect(events[1]).toMatchObject({ kind: 'status', ok: false, text: 'answered: n (refused)' });
    expect(events[3]).toMatchObject({ kind: 'tool_end', tool: 'Bash', ok: false, level: 'warn', text: 'rejected by the user' });
    expect(events[4]).toMatchObject({ kind: 'tool_end', ok: true, text: 'done' });
  });

  it('tells the crash’s error', () => {
    expect(readAll([FLAKY_END])).toMatchObject([{ kind: 'error', level: 'error', text: 'Error: ENOSPC: no space left on device, write' }]);
  });
});

describe('muxctl emit kinds', () => {
  it('reads heartbeat, status, progress and checkpoint with its sha and step', () => {
    const lines = [
      '{"time":"2026-03-01T10:00:00.000Z","type":"heartbeat","worker":"app-1"}',
      '{"time":"2026-03-01T10:00:01.000Z","type":"status","worker":"app-1","text":"running migrations"}',
      '{"time":"2026-03-01T10:00:02.000Z","type":"progress","worker":"app-1","step":"tests","percent":40}',
      '{"time":"2026-03-01T10:00:03.000Z","type":"checkpoint","worker":"app-1","sha":"54d022e9b1c3a7f0e8d2c4b6a1f3e5d7c9b0a2e4","step":"schema migrated"}',
    ];
    expect(readAll(lines).map((e) => [e.kind, e.level, e.text])).toEqual([
      ['heartbeat', 'debug', 'heartbeat'],
      ['status', 'info', 'running migrations'],
      ['status', 'info', 'progress 40% tests'],
      ['checkpoint', 'info', 'checkpoint 54d022e9b1c3 schema migrated'],
    ]);
  });

  it('passes an unknown kind through as a debug status', () => {
    expect(parseMuxctlLine('{"time":"2026-03-01T10:00:00.000Z","type":"telemetry","text":"x"}')).toMatchObject({
      events: [{ kind: 'status', level: 'debug', text: 'muxctl: unrecognised event "telemetry": x' }],
    });
  });
});
