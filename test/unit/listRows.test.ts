import { describe, expect, it } from 'vitest';
import type { WorkerSnapshot, WorkerSummary } from '../../src/core/rules/snapshot.js';
import { detailLines, detailRule, LIST_HEADINGS, listCells, planColumns, rowLine, rowSegments, SELECTED_MARK, type ListCells } from '../../src/core/views/listRows.js';
import { textWidth, wrapText } from '../../src/core/views/textWidth.js';
import { compactCount, evidenceText, shownDiff, spendText } from '../../src/core/views/workerFacts.js';

const now = Date.UTC(2026, 10, 23, 14, 2, 0);

const summary = (over: Partial<WorkerSummary> = {}): WorkerSummary => ({
  prompt: 'Fix the login redirect',
  tool: { name: 'Edit', text: 'Edit src/auth/login.ts', open: true, ok: null },
  outcome: null,
  message: 'Updating the redirect so that it keeps the query',
  tokens: { input: 12_000, output: 400 },
  costUsd: 0.31,
  errors: 0,
  lastError: null,
  malformed: 0,
  lastActiveAt: now - 4_000,
  checkpoint: null,
  status: null,
  ...over,
});

function worker(name: string, over: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  return {
    name,
    lane: 'app',
    health: { state: 'running', badge: 'running', evidence: 'process alive (sleep) since 13:58', since: now - 240_000 },
    upSince: now - 240_000,
    screen: [`${name} first line`, `${name} last line`, '', ''],
    worktree: `/w/${name}`,
    command: 'sleep',
    restarts: null,
    summary: null,
    ...over,
  };
}

const cellsOf = (w: WorkerSnapshot, extras: { taskLine?: string; diff?: { added: number; removed: number } } = {}): ListCells => listCells(w, now, { symbol: '●', ...extras });

/** A crowd with everything a line can show: long names, lanes, tasks and evidence, costs, diffs. */
const crowd = (): ListCells[] => [
  cellsOf(worker('frontend-refactor-1', { lane: 'frontend-web', summary: summary() }), { taskLine: 'T12 running · Fix the login redirect for every locale', diff: { added: 120, removed: 33 } }),
  cellsOf(worker('w2', { health: { state: 'waiting', badge: 'waiting 2m', evidence: 'asks: Allow Bash(npm install)? (screen)', since: now - 120_000 } })),
  cellsOf(worker('w3', { health: { state: 'crashed', badge: 'exited 3', evidence: 'exit 3 at 13:58 · restarts in 40 s (backoff)', since: now - 240_000 }, upSince: null })),
];

describe('listCells', () => {
  it("says what the panel says, in the panel's words, a column each", () => {
    const w = worker('w1', { summary: summary(), restarts: { spent: 1, budget: 3 } });
    const cells = cellsOf(w, { taskLine: 'T3 running · fix the form', diff: { added: 12, removed: 3 } });
    expect(cells).toEqual({
      badge: '● running',
      name: 'w1',
      lane: 'app',
      task: 'T3 running · fix the form',
      evidence: 'process alive (sleep) since 13:58 · restart 1/3',
      age: 'up 4m',
      spend: '12k tok · $0.31',
      diff: '+12 −3',
    });
    // The evidence and age are the panel's evidence line, split in two columns.
    expect(evidenceText(w, now)).toBe('process alive (sleep) since 13:58 · up 4m · restart 1/3');
  });

  it("falls back to what the logs say it was asked, and shows no '+0 −0' nor empty costs", () => {
    const cells = cellsOf(worker('w1', { summary: summary({ tokens: null, costUsd: null }) }), { diff: { added: 0, removed: 0 } });
    expect(cells.task).toBe('Fix the login redirect');
    expect(cells.spend).toBe('');
    expect(cells.diff).toBe('');
  });

  it('keeps every cell on one line, whatever the prompt holds', () => {
    const cells = cellsOf(worker('w1', { summary: summary({ prompt: 'first line\nsecond\tline\r\n' }) }));
    expect(cells.task).toBe('first line second line ');
    for (const value of Object.values(cells)) expect(value).not.toMatch(/[\n\r\t]/);
  });
});

describe('planColumns', () => {
  it('gives every column its room on a wide list, and leaves out columns nobody has anything in', () => {
    const plan = planColumns(crowd(), 200);
    expect(plan.columns.map((c) => c.key)).toEqual(['badge', 'name', 'lane', 'task', 'evidence', 'age', 'spend', 'diff']);
    // A little narrower, the lane goes first, before task and evidence lose their comfortable width.
    const narrower = planColumns(crowd(), 120);
    expect(narrower.columns.map((c) => c.key)).toEqual(['badge', 'name', 'task', 'evidence', 'age', 'spend', 'diff']);
    for (const key of ['task', 'evidence'] as const) expect(narrower.columns.find((c) => c.key === key)?.width).toBeGreaterThanOrEqual(20);
    const bare = planColumns([cellsOf(worker('w1')), cellsOf(worker('w2'))], 120);
    expect(bare.columns.map((c) => c.key)).toEqual(['badge', 'name', 'lane', 'evidence', 'age']);
  });

  it('at 80 columns drops the lane, the cost and the age before it cuts a name', () => {
    const plan = planColumns(crowd(), 80);
    const keys = plan.columns.map((c) => c.key);
    expect(keys).not.toContain('lane');
    expect(keys).not.toContain('spend');
    expect(keys).toEqual(expect.arrayContaining(['badge', 'name', 'task', 'evidence', 'diff']));
    expect(plan.columns.find((c) => c.key === 'name')?.width).toBe('frontend-refactor-1'.length);
  });

  it('keeps the lane when there is room for it: nothing is dropped that fits', () => {
    const keys = planColumns([cellsOf(worker('w1')), cellsOf(worker('w100', { lane: 'infra' }))], 80).columns.map((c) => c.key);
    expect(keys).toEqual(['badge', 'name', 'lane', 'evidence', 'age']);
  });

  it('never plans a line wider than the list, down to 20 columns', () => {
    for (let width = 20; width <= 200; width += 1) {
      const plan = planColumns(crowd(), width);
      const used = 1 + plan.columns.reduce((sum, c) => sum + c.width, 0) + plan.gap * (plan.columns.length - 1);
      expect(used, `at ${width}`).toBeLessThanOrEqual(width);
      expect(plan.columns[0]?.key).toBe('badge');
      expect(plan.columns[1]?.key).toBe('name');
    }
  });
});

describe('rowLine and rowSegments', () => {
  it('draws a line exactly as wide as the list, the selected one marked, cells cut with "…"', () => {
    const rows = crowd();
    const plan = planColumns(rows, 80);
    const first = rows[0] as ListCells;
    const line = rowLine(first, plan, true, 80);
    expect(textWidth(line)).toBe(80);
    expect(line.startsWith(`${SELECTED_MARK}● running`)).toBe(true);
    expect(line).toContain('frontend-refactor-1');
    expect(line).toContain('…');
    expect(rowLine(first, plan, false, 80).startsWith(' ● running')).toBe(true);
    // The heading line lines up with the cells.
    const heading = rowSegments(LIST_HEADINGS, plan);
    const cells = rowSegments(first, plan);
    expect(heading.map((s) => textWidth(s.text))).toEqual(cells.map((s) => textWidth(s.text)));
  });

  it('keeps wide characters from pushing the line past its width', () => {
    const cells = cellsOf(worker('w1'), { taskLine: 'T1 running · 日本語のタスクを直す 🚀🚀🚀 and more words here' });
    for (const width of [60, 61, 80, 81]) {
      const plan = planColumns([cells], width);
      expect(textWidth(rowLine(cells, plan, false, width)), `at ${width}`).toBe(width);
    }
  });
});

describe('detailLines', () => {
  const full = worker('w5', { summary: summary({ errors: 2 }), screen: ['$ npm test', '  12 passing', '  2 failing', '', ''], health: { state: 'running', badge: 'running', evidence: 'process alive (node) since 13:58 after a long and winding explanation of what happened before', since: now - 240_000 } });
  const facts = { taskLine: 'T12 running · Fix the login redirect', branch: 'task/T12-fix-login', diff: { added: 12, removed: 3 }, lastEvent: 'restart 13:58: crashed (exit 1)', messagesWaiting: 1 };

  it('shows the evidence whole, the task, the branch and diff, the worktree, and the cost', () => {
    const lines = detailLines(full, now, facts, 56, 40);
    const texts = lines.map((l) => l.text);
    expect(lines[0]?.tone).toBe('evidence');
    // The long evidence goes on to a second line rather than being cut.
    expect(texts.slice(0, 3).join(' ')).toContain('what happened before · up 4m');
    expect(texts).toContain('◆ T12 running · Fix the login redirect');
    expect(texts).toContain('branch task/T12-fix-login · +12 −3');
    expect(texts).toContain('/w/w5');
    expect(texts).toContain('12k tok · $0.31 · 2 errors · active <1m ago');
    expect(texts).toContain('↻ restart 13:58: crashed (exit 1)');
    expect(texts).toContain('✉ 1 message waiting');
    for (const line of lines) expect(textWidth(line.text), line.text).toBeLessThanOrEqual(56);
  });

  it("ends with the screen's last lines when there is room, the blank ones at its end left out", () => {
    const texts = detailLines(full, now, facts, 56, 40).map((l) => l.text);
    const at = texts.findIndex((t) => t.startsWith('── screen'));
    expect(at).toBeGreaterThan(0);
    expect(texts.slice(at + 1)).toEqual(['$ npm test', '  12 passing', '  2 failing']);
  });

  it('keeps the facts and drops the screen in a short pane, and never gives more lines than asked', () => {
    const lines = detailLines(full, now, facts, 78, 6);
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => l.text).join('\n')).not.toContain('npm test');
    expect(detailLines(full, now, facts, 78, 0)).toEqual([]);
  });

  it("names the worker's own branch when it holds no task, and says when it changed nothing", () => {
    const texts = detailLines(worker('w7'), now, { diff: { added: 0, removed: 0 } }, 60, 10).map((l) => l.text);
    expect(texts).toContain('branch muxctl/w7 · no changes');
  });
});

describe('detailRule', () => {
  it("names the worker and its badge in the rule over the pane, as wide as asked", () => {
    const rule = detailRule('w17 · app', '● running', 40);
    expect(rule).toBe(`── w17 · app ${'─'.repeat(14)} ● running ──`);
    expect(textWidth(rule)).toBe(40);
    // Too narrow for both: the name is kept, the badge goes.
    expect(detailRule('a-very-long-worker-name · app', '● running', 30)).toBe('── a-very-long-worker-name · …');
  });
});

describe('the words both views share', () => {
  it('counts tokens at a glance, and shows a diff only when there is one', () => {
    expect([999, 1234, 12_400, 2_500_000].map(compactCount)).toEqual(['999', '1.2k', '12k', '2.5M']);
    expect(shownDiff({ added: 0, removed: 0 })).toBe(false);
    expect(shownDiff({ added: 0, removed: 1 })).toBe(true);
    expect(shownDiff(undefined)).toBe(false);
    expect(spendText(null)).toBe('');
    expect(spendText(summary({ costUsd: null, estimate: { usd: 0.12, partial: false } }))).toBe('12k tok · ≈$0.12 est.');
  });

  it('wraps text between words, on at most the lines given, and says when it cut', () => {
    expect(wrapText('one two three four', 9, 3)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('one two three four', 9, 2)).toEqual(['one two', 'three…']);
    expect(wrapText('averyveryverylongword x', 8, 2)).toEqual(['averyve…', 'x']);
    expect(wrapText('a\nb', 10, 1)).toEqual(['a b']);
    expect(wrapText('', 10, 2)).toEqual([]);
  });
});
