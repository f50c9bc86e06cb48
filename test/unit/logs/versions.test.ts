// What a person reading each real agent log concludes, one row per fixture file and agent version, next to
// what muxctl concludes: the file through createLogParser(format), line by line, folded with foldEvent.
// Where the expectations come from: the files in test/fixtures/agent-logs (provenance in SOURCES.md and
// SOURCES-versions.md), as a colleague read them line by line ("L" = the file's line, 1-based), each
// value re-checked over the file with jq, grep or awk — none copied from the parser's output. Tokens:
// Claude, the last line of each message.id, input + cache_creation + cache_read + output (the fold keeps
// input and output apart from the cache); stream-json, the `result` usage; Codex rollouts, the last
// token_count's total_tokens (running totals); `codex exec`, turn.completed input + output; Aider, the
// `> Tokens:` lines' sent and received.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogParser, type ConcreteLogFormat, type LogEvent, type LogTokens } from '../../../src/core/parsers/logs/index.js';
import { EMPTY_ACTIVITY, foldEvent, type Activity } from '../../../src/core/rules/activity.js';

const DIRS = {
  'claude-code': 'claude-code',
  'claude-stream-json': 'claude-code-stream-json',
  'codex-rollout': 'codex',
  'codex-exec-json': 'codex',
  aider: 'aider',
} as const satisfies Partial<Record<ConcreteLogFormat, string>>;
type Format = keyof typeof DIRS;

type Located = LogEvent & { line: number };

interface Reading {
  lines: string[];
  events: Located[];
  malformed: string[];
  activity: Activity;
  /** turnOpen after each line; [0] is before the first. */
  openAfter: boolean[];
}

function readFixture(format: Format, file: string): Reading {
  const text = readFileSync(new URL(`../../fixtures/agent-logs/${DIRS[format]}/${file}`, import.meta.url), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const parser = createLogParser(format);
  const events: Located[] = [];
  const malformed: string[] = [];
  const openAfter = [false];
  let activity = EMPTY_ACTIVITY;
  lines.forEach((line, i) => {
    const parsed = parser.push(line);
    if ('malformed' in parsed) malformed.push(`L${i + 1}: ${parsed.malformed}`);
    else {
      for (const e of parsed.events) {
        events.push({ ...e, line: i + 1 });
        // Received in file order, one tick apart: what the tailer would see.
        activity = foldEvent(activity, e, events.length);
      }
    }
    openAfter.push(activity.turnOpen);
  });
  return { lines, events, malformed, activity, openAfter };
}

const all = (t: LogTokens | undefined) => (t ? t.input + t.output + (t.cacheRead ?? 0) + (t.cacheWrite ?? 0) : 0);

/** Every token the file counts, by the format's own rule; null when it gives no numbers. */
function fileTotal(format: Format, events: Located[]): number | null {
  const counted = events.filter((e) => e.tokens !== undefined);
  if (counted.length === 0) return null;
  if (format === 'claude-stream-json') return all(counted.filter((e) => e.kind === 'result').at(-1)?.tokens);
  if (format === 'codex-rollout') return all(counted.filter((e) => e.tokensCumulative === true).at(-1)?.tokens);
  return counted.reduce((sum, e) => sum + all(e.tokens), 0);
}

interface Row {
  version: string;
  file: string;
  /** What a person reading the file concludes. */
  reads: string;
  lines: number;
  turnOpen: boolean;
  pending: 'question' | 'plan' | null;
  lastTool: { name: string; ok: boolean | null; open: boolean } | null;
  /** Lines whose tool call failed or was refused (the main agent's, not a subagent's). */
  failed: number[];
  /** input and output as folded; total: everything the file counts. Null: the file gives no numbers. */
  tokens: { input: number; output: number; total: number } | null;
  outcome: { ok: boolean | null; endsSession: boolean } | null;
  /** Lines that end a turn (turn_end or result); Aider: lines that end the session. */
  ends: number[];
  /** The usage limit the file ends under, in the agent's words; absent: none (every other file says none). */
  limit?: string;
}

/** Runs one row; returns the reading for the format's own columns. */
function checkRow(format: Format, row: Row): Reading {
  const r = readFixture(format, row.file);
  const a = r.activity;
  expect(r.lines).toHaveLength(row.lines);
  expect(r.malformed).toEqual([]);
  expect(a.turnOpen).toBe(row.turnOpen);
  expect(a.pending?.kind ?? null).toBe(row.pending);
  expect(a.lastTool && { name: a.lastTool.name, ok: a.lastTool.ok, open: a.lastTool.open }).toEqual(row.lastTool);
  const failed = r.events.filter((e) => e.kind === 'tool_end' && e.ok === false && !e.text.startsWith('subagent: '));
  expect(failed.map((e) => e.line)).toEqual(row.failed);
  const total = fileTotal(format, r.events);
  expect(total === null ? null : { ...a.tokens, total }).toEqual(row.tokens);
  expect(a.lastOutcome && { ok: a.lastOutcome.ok, endsSession: a.lastOutcome.endsSession === true }).toEqual(row.outcome);
  const ends = format === 'aider' ? r.events.filter((e) => e.endsSession === true) : r.events.filter((e) => e.kind === 'turn_end' || e.kind === 'result');
  expect(ends.map((e) => e.line)).toEqual(row.ends);
  expect(a.limit?.text ?? null).toBe(row.limit ?? null);
  return r;
}

const done = (ok: boolean | null = true, endsSession = false) => ({ ok, endsSession });

type ClaudeRow = Row & {
  /** Claude Code's own commands: line, command, the event it became. */
  commands: Array<[number, string, 'status' | 'turn_end' | 'prompt']>;
  /** The compact_boundary lines' status text. */
  compacted: string[];
  lastError: string | null;
};

const claude = (row: Omit<ClaudeRow, 'commands' | 'compacted' | 'lastError'> & Partial<ClaudeRow>): ClaudeRow => ({
  commands: [], compacted: [], lastError: null, ...row,
});

const CLAUDE_CODE: ClaudeRow[] = [
  claude({
    version: '1.0.51', file: 'slopus-happy__permission-prompt-aborted-with-interrupt.jsonl', lines: 5,
    reads: 'done by interruption: the Write (L3) failed, "Permission prompt was aborted." (L4), then [Request interrupted…] (L5)',
    turnOpen: false, pending: null, lastTool: { name: 'Write', ok: false, open: false }, failed: [4],
    tokens: { input: 4, output: 5, total: 16178 }, outcome: done(false), ends: [5],
  }),
  claude({
    version: '1.0.71', file: 'slopus-happy__task_sdk.jsonl', lines: 10,
    reads: 'open: L10 Read tool_use with no result (running or awaiting approval); the Task (L5) succeeded (L6)',
    turnOpen: true, pending: null, lastTool: { name: 'Read', ok: null, open: true }, failed: [],
    tokens: { input: 14, output: 377, total: 69184 }, outcome: null, ends: [],
  }),
  claude({
    version: '1.0.108', file: 'claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl', lines: 53,
    reads: 'answered (L53 summary, stop_reason null): no end marker in this version, so open by the log alone; /orchestrator is a custom command, a prompt',
    turnOpen: true, pending: null, lastTool: { name: 'TodoWrite', ok: true, open: false }, failed: [15, 46],
    // Subagent (isSidechain) messages cost tokens too: counted.
    tokens: { input: 129, output: 3629, total: 375764 }, outcome: null, ends: [],
    commands: [[1, '/orchestrator', 'prompt']],
  }),
  claude({
    version: '2.0.29', file: 'jnarowski-agentcmd__06381696-0074-49f8-863e-6ad4fac507f9.jsonl', lines: 14,
    reads: 'open, waiting on the person: L14 ExitPlanMode with no result; the AskUserQuestion (L11) was answered (L12); /clear (L3) began the file',
    turnOpen: true, pending: 'plan', lastTool: { name: 'ExitPlanMode', ok: null, open: true }, failed: [],
    tokens: { input: 11, output: 16, total: 82885 }, outcome: null, ends: [],
    commands: [[3, '/clear', 'status']],
  }),
  claude({
    version: '2.0.64', file: 'codemie-ai-codemie-code__4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl', lines: 25,
    reads: 'done: L25 text with stop_reason end_turn; the last tool, Bash `rm hello.js` (L23), succeeded (L24)',
    turnOpen: false, pending: null, lastTool: { name: 'Bash', ok: true, open: false }, failed: [],
    tokens: { input: 33, output: 806, total: 252638 }, outcome: done(), ends: [25],
  }),
  claude({
    version: '2.0.76', file: 'oneryalcin-fasthooks__sample_main_transcript.jsonl', lines: 63,
    reads: 'done: each turn ends with stop_hook_summary (L8 … L56), then a manual /compact; idle. Bash failed at L30 (exit 1) and L48 (exit 127)',
    turnOpen: false, pending: null, lastTool: { name: 'Bash', ok: true, open: false }, failed: [30, 48],
    tokens: { input: 132, output: 1480, total: 233344 }, outcome: done(), ends: [8, 17, 25, 33, 56],
    // L59 compactMetadata {trigger: manual, preTokens: 21558}; no post-compaction count in the file.
    commands: [[62, '/compact', 'status']], compacted: ['compacted (manual): 21.6k tokens before'],
  }),
  claude({
    version: '2.1.4', file: 'codemie-ai-codemie-code__session-9eda1058.jsonl', lines: 40,
    reads: 'done: L39 end_turn, L40 turn_duration; last tool Task (L36) succeeded (L37); the person refused a Write (L21) and interrupted (L22)',
    turnOpen: false, pending: null, lastTool: { name: 'Task', ok: true, open: false }, failed: [21],
    tokens: { input: 47, output: 4509, total: 174735 }, outcome: done(), ends: [22, 31, 39, 40],
  }),
  claude({
    version: '2.1.29', file: 'claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl', lines: 10,
    reads: 'session ended: the person rejected the Bash call (L5), interrupted (L6), then /exit (L9)',
    turnOpen: false, pending: null, lastTool: { name: 'Bash', ok: false, open: false }, failed: [5],
    // The session ended, and its last turn had failed (interrupted): both are kept.
    tokens: { input: 10, output: 8, total: 18125 }, outcome: done(false, true), ends: [6, 9],
    commands: [[9, '/exit', 'turn_end']],
  }),
  claude({
    version: '2.1.29', file: 'alfredjeanlab-claudeless__8aa54c1d-5030-4491-be42-e0c416424b8a.jsonl', lines: 19,
    reads: 'session ended: two answers (L4, L8), a manual /compact (L11 boundary, L14 command), /exit (L18), "Bye!" (L19); no tools',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    tokens: { input: 20, output: 15, total: 36186 }, outcome: done(true, true), ends: [18],
    // L11 compactMetadata {trigger: manual, preTokens: 18069} (= L8's 10 + 2759 + 15293 + 7).
    commands: [[14, '/compact', 'status'], [18, '/exit', 'turn_end']], compacted: ['compacted (manual): 18.1k tokens before'],
  }),
  claude({
    version: '2.1.29', file: 'alfredjeanlab-claudeless__5bd47723-950c-4c20-917e-77acb15dc4ea.jsonl', lines: 8,
    // A person sees the answer and calls it done; in 2.1.29 only the next input ends a turn, and this file
    // has none (the /clear that ended it went to the next file): open by the log alone, nothing running.
    reads: 'answered ("3 + 3 = 6", L8), no end marker and no /clear record: looks idle, the log cannot close the turn',
    turnOpen: true, pending: null, lastTool: null, failed: [],
    tokens: { input: 20, output: 10, total: 36183 }, outcome: null, ends: [],
  }),
  claude({
    version: '2.1.29', file: 'alfredjeanlab-claudeless__5c91b750-86c7-44d8-bb93-e5046ff2c302.jsonl', lines: 8,
    reads: 'session ended: /clear (L3) began it, /exit (L7) ended it ("See ya!", L8); no assistant line, no tokens',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    tokens: null, outcome: done(true, true), ends: [7],
    commands: [[3, '/clear', 'status'], [7, '/exit', 'turn_end']],
  }),
  claude({
    version: '2.1.179', file: 'slopus-happy__rate-limit.jsonl', lines: 2,
    reads: 'over, blocked by the usage limit: L2 synthetic assistant, error rate_limit, HTTP 429, usage all 0; nothing pending',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    tokens: { input: 0, output: 0, total: 0 }, outcome: done(false), ends: [2],
    // The exact text: ASCII apostrophe, U+00B7 middle dot, a wall-clock reset with its IANA zone.
    lastError: "You've hit your limit \u00b7 resets Jul 23 at 6pm (America/Los_Angeles)",
    limit: "You've hit your limit \u00b7 resets Jul 23 at 6pm (America/Los_Angeles)",
  }),
];

describe('Claude Code transcripts across versions: what the file says, what muxctl concludes', () => {
  it.each(CLAUDE_CODE)('$version $file: $reads', (row) => {
    const r = checkRow('claude-code', row);
    const commands = r.lines.flatMap((line, i) => {
      const name = /<command-name>([^<]*)<\/command-name>/.exec(line)?.[1];
      if (name === undefined) return [];
      const said = r.events.filter((e) => e.line === i + 1 && e.level !== 'debug');
      return said.map((e) => [i + 1, name, e.kind] as [number, string, string]);
    });
    expect(commands).toEqual(row.commands);
    for (const [line, name] of row.commands) {
      const event = r.events.find((e) => e.line === line && e.level !== 'debug');
      if (name === '/exit') {
        // /exit ends the session.
        expect(event).toMatchObject({ kind: 'turn_end', endsSession: true });
        expect(r.openAfter[line]).toBe(false);
      } else if (name === '/clear' || name === '/compact') {
        // The agent's own commands open no turn: the turn is as it was before the line.
        expect(r.openAfter[line]).toBe(r.openAfter[line - 1]);
      }
    }
    expect(r.events.filter((e) => e.kind === 'prompt' && /^\/(clear|compact|exit)\b/.test(e.text))).toEqual([]);
    const boundaries = r.lines.flatMap((line, i) => (line.includes('"subtype":"compact_boundary"') ? [i + 1] : []));
    expect(r.events.filter((e) => boundaries.includes(e.line)).map((e) => [e.kind, e.text])).toEqual(row.compacted.map((text) => ['status', text]));
    expect(r.activity.lastError).toBe(row.lastError);
  });
});

const STREAM_JSON: Array<Row & { costUsd: number }> = [
  {
    version: '2.1.7', file: 'claude-agent-sdk-gleam__golden-basic_query.ndjson', lines: 3,
    reads: 'done: the answer "4" (L2, end_turn), result/success (L3)',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    tokens: { input: 10, output: 25, total: 10 + 25 + 21570 }, outcome: done(), ends: [2, 3], costUsd: 0.1354875,
  },
  {
    version: '2.1.154', file: 'fabianbaier-morpheus__claude_stream.jsonl', lines: 8,
    reads: 'done: Read (L4) succeeded (L5), answer (L6), post_turn_summary (L7), result/success, 2 turns (L8)',
    turnOpen: false, pending: null, lastTool: { name: 'Read', ok: true, open: false }, failed: [],
    tokens: { input: 4, output: 122, total: 4 + 3744 + 37731 + 122 }, outcome: done(), ends: [8], costUsd: 0.0277273,
  },
];

describe('Claude stream-json across versions', () => {
  it.each(STREAM_JSON)('$version $file: $reads', (row) => {
    expect(checkRow('claude-stream-json', row).activity.costUsd).toBe(row.costUsd);
  });
});

const CODEX_ROLLOUTS: Row[] = [
  {
    version: '0.40.0', file: 'jnarowski-agentcmd__rollout-2025-09-25T15-12-14-019982b8-3422-79e0-8b3b-05abaf4f3c3e.jsonl', lines: 209,
    // No task_started/task_complete in this version: the turn ends with agent_message (L206), token_count
    // (L207), reasoning (L208) and the assistant message item (L209), after which no call follows.
    reads: 'done: the final answer (L206, L209) with no call after it; all 34 shell calls exit 0, the last L202 → L203',
    turnOpen: false, pending: null, lastTool: { name: 'shell', ok: true, open: false }, failed: [],
    tokens: { input: 536834 - 472320, output: 6654, total: 543488 }, outcome: done(), ends: [209],
  },
  {
    version: '0.104.0-alpha.1', file: 'localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl', lines: 63,
    reads: 'done at task_complete (L63); five MCP calls, outputs redacted, so no exit status to read',
    turnOpen: false, pending: null, lastTool: { name: 'mcp__cloud-associates__execute_workflow', ok: null, open: false }, failed: [],
    tokens: { input: 298373 - 238848, output: 1123, total: 299496 }, outcome: done(), ends: [63],
  },
  {
    version: '0.125.0', file: 'nubbymong-claude-command-center__rollout-sample.jsonl', lines: 12,
    reads: 'done at task_complete (L12), after the final_answer (L9); no tools',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    tokens: { input: 21805 - 19328, output: 30, total: 21835 }, outcome: done(), ends: [12],
  },
];

describe('Codex rollouts across versions', () => {
  it.each(CODEX_ROLLOUTS)('$version $file: $reads', (row) => {
    checkRow('codex-rollout', row);
  });
});

const CODEX_EXEC: Row[] = [
  {
    version: '0.46', file: 'agentcmd__codex-exec-json__stream-output-5.jsonl', lines: 8,
    reads: 'done at turn.completed (L8); `ls` exit 0 (L5)',
    turnOpen: false, pending: null, lastTool: { name: 'shell', ok: true, open: false }, failed: [],
    tokens: { input: 6086 - 2944, output: 223, total: 6086 + 223 }, outcome: done(), ends: [8],
  },
  {
    version: '0.157.0 (inferred)', file: 'bill10-finnamon__exec.jsonl', lines: 11,
    // The two shell commands the hook blocked left no item at all: nothing to read for them.
    reads: 'done at turn.completed (L11); touch exit 0, file_change done, MCP spike/echo failed "denied by spike hook" (L9)',
    turnOpen: false, pending: null, lastTool: { name: 'spike.echo', ok: false, open: false }, failed: [9],
    tokens: { input: 104698 - 70400, output: 371, total: 104698 + 371 }, outcome: done(), ends: [11],
  },
  {
    version: '≈0.57 (by date, Nov 2025)', file: 'link-assistant-hive-mind__codex-exec-json-usage-limit.jsonl', lines: 4,
    reads: 'over, failed on the usage limit: error (L3) then turn.failed (L4), both "You\'ve hit your usage limit. … try again at 9:01 AM."',
    turnOpen: false, pending: null, lastTool: null, failed: [], tokens: null, outcome: done(false), ends: [4],
    limit: "You've hit your usage limit. To get more access now, send a request to your admin or try again at 9:01 AM.",
  },
];

describe('codex exec --json across versions', () => {
  it.each(CODEX_EXEC)('$version $file: $reads', (row) => {
    checkRow('codex-exec-json', row);
  });
});

/** Aider writes no call start, only `> Applied edit to …`: its last tool is the last such line. */
const AIDER: Array<Row & { lastEdit: number | null }> = [
  {
    version: '0.84.0', file: 'Monochromatic__.aider.chat.history.md', lines: 3732,
    reads: 'ended: the last of 19 sessions stops at ^C KeyboardInterrupt (L3732), which exits aider, as 14 earlier ones do',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    tokens: { input: 613500, output: 24145, total: 613500 + 24145 }, outcome: done(null, true),
    ends: [80, 108, 162, 209, 239, 272, 309, 356, 460, 485, 751, 2390, 2408, 2606, 3732], lastEdit: 3705,
  },
  {
    version: '0.85.1, 0.85.2', file: 'AFI-Protocol-afi-core__.aider.chat.history.md', lines: 2046,
    reads: 'ended by /exit (L2046) after the last reply (Tokens L2041) and an invalid /bye (L2043); the shell prompt (L2021) was answered',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    tokens: { input: 325900, output: 10269, total: 325900 + 10269 }, outcome: done(true, true), ends: [37, 1201, 2046], lastEdit: 2018,
  },
  {
    version: '0.86.1', file: 'BeehiveInnovations-zen-mcp-server__.aider.chat.history.md', lines: 116,
    reads: 'idle at its prompt: /copy-context done (L115–116), no /exit; the model was never called (no Tokens line)',
    turnOpen: false, pending: null, lastTool: null, failed: [],
    // The last outcome is the ^C at the prompt (L113), which cut nothing.
    tokens: null, outcome: done(null), ends: [23, 41], lastEdit: null,
  },
];

describe('Aider chat histories across versions', () => {
  it.each(AIDER)('$version $file: $reads', (row) => {
    const r = checkRow('aider', row);
    const edits = r.events.filter((e) => e.kind === 'tool_end' && e.tool === 'edit');
    expect(edits.at(-1)?.line ?? null).toBe(row.lastEdit);
    expect(edits.every((e) => e.ok === true)).toBe(true);
    // Aider's own commands in these files (`/add`, `/copy-context`, `/undo`, `/bye`, `!find`) go to no
    // model: none is a prompt.
    expect(r.events.filter((e) => e.kind === 'prompt' && /^[/!]/.test(e.text))).toEqual([]);
  });
});
