/**
 * The task board as a person sees it, from a model built by hand. Colours are forced on (before Ink
 * loads) so the test can see which card is inverse and what is in the warning colour; the text
 * assertions read the frame with the escapes stripped. ink-testing-library's terminal is always 100
 * columns wide, so the board is rendered through Ink on a fake terminal as wide as the test says.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

import { EventEmitter } from 'node:events';
import { render, type Instance } from 'ink';
import type { ReactNode } from 'react';
import stripAnsi from 'strip-ansi';
import { afterEach, describe, expect, it } from 'vitest';
import { Board } from '../../components/Board.js';
import { boardView, type BoardInput } from '../../src/core/views/boardView.js';
import { newTask, type Task } from '../../src/core/rules/tasks.js';
import { textWidth } from '../../src/core/views/textWidth.js';

const now = Date.UTC(2026, 10, 23, 14, 0, 0);
const MIN = 60_000;
const INVERSE = '\u001b[7m';
const INVERSE_OFF = '\u001b[27m';
const YELLOW = '\u001b[33m';

function task(id: string, extra: Partial<Task> = {}): Task {
  return { ...newTask({ id, title: `task ${id}`, lane: 'app' }, now - 60 * MIN), ...extra };
}

const tasks = (): Task[] => [
  task('T1', { priority: 1, title: 'fix the login form' }),
  task('T2', { state: 'running', title: '修复登录表单的错误 🚀 and more', assignee: 'app-1', attempts: 2, lease: { holder: 'app-1', expiresAt: now + 4 * MIN + 1000 } }),
  task('T3', { state: 'done', title: 'add a footer', assignee: 'app-2', attempts: 1 }),
  task('T4', { state: 'failed', title: 'migrate db', assignee: 'app-1', attempts: 3 }),
  task('T5', { state: 'canceled' }),
];

function renderBoard(input: Partial<BoardInput> = {}) {
  const model = boardView({ tasks: tasks(), width: 80, height: 12, selectedId: 'T2', now, drift: { T3: ['T3 is done but `npm test` fails now'] }, ...input });
  const raw = renderAt(<Board model={model} />, model.width);
  return { model, raw, lines: stripAnsi(raw).split('\n') };
}

/** A terminal of `columns` columns that keeps the last frame Ink wrote. */
class FakeStdout extends EventEmitter {
  frame = '';
  constructor(readonly columns: number) {
    super();
  }
  write = (frame: string): boolean => {
    this.frame = frame;
    return true;
  };
}

let instance: Instance | undefined;
afterEach(() => instance?.unmount());

function renderAt(node: ReactNode, columns: number): string {
  const stdout = new FakeStdout(columns);
  instance = render(node, { stdout: stdout as unknown as NodeJS.WriteStream, debug: true, patchConsole: false, exitOnCtrlC: false });
  return stdout.frame;
}

describe('Board', () => {
  it('shows the columns side by side at 80 columns, with headers, cards and the canceled count', () => {
    const { lines } = renderBoard();
    expect(lines[0]).toBe('queued 1            active 1            done 1              needs you 1');
    expect(lines[1]).toBe('T1 P1 fix the logi… T2 P2 修复登录表单… T3 P2 add a footer  T4 P2 migrate db');
    expect(lines[2]).toBe('lane app            running · app-1 …   ⚠ drift · app-2 …   failed · app-1 · 3…');
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe('1 canceled (not shown)');
  });

  it('splits claimed and running at 160 columns and shows more of each card', () => {
    const { lines } = renderBoard({ width: 160 });
    expect(lines[0]).toMatch(/^queued 1 {24}claimed 0 {23}running 1 {23}done 1 {26}needs you 1$/);
    expect(lines[1]).toBe(`T1 P1 fix the login form${' '.repeat(40)}T2 P2 修复登录表单的错误 🚀 an… T3 P2 add a footer              T4 P2 migrate db`);
    expect(lines[2]).toBe(`lane app${' '.repeat(56)}app-1 · lease 4m · 2/3          ⚠ drift · app-2 · 1/3           failed · app-1 · 3/3`);
  });

  it.each([80, 160])('draws no line wider than %i columns and no more lines than the height', (width) => {
    const long = Array.from({ length: 30 }, (_, i) => task(`Q${i}`, { title: `${'长'.repeat(40)} 🚀🚀 ${'x'.repeat(100)}`, createdAt: now - i * MIN }));
    const { lines } = renderBoard({ width, height: 14, tasks: [...tasks(), ...long], selectedId: 'Q20', blockedBy: { Q20: ['T1', 'T2', 'T3', 'T4'] } });
    for (const line of lines) expect(textWidth(line), line).toBeLessThanOrEqual(width);
    expect(lines.length).toBeLessThanOrEqual(14);
  });

  it('keeps the selected card on screen and says how many more there are', () => {
    const queue = Array.from({ length: 12 }, (_, i) => task(`Q${i + 1}`, { createdAt: now - (100 - i) * MIN }));
    const { lines } = renderBoard({ tasks: queue, height: 10, selectedId: 'Q9' });
    const text = lines.join('\n');
    expect(text).toContain('Q9 P2 task Q9');
    expect(text).not.toContain('Q1 P2');
    expect(lines[7]).toContain('+9 more (6 above)');
  });

  it('draws the selected card inverse and drift in the warning colour', () => {
    const { raw } = renderBoard();
    const inverse = [...raw.matchAll(new RegExp(`${escape(INVERSE)}(.*?)${escape(INVERSE_OFF)}`, 'g'))].map((m) => stripAnsi(m[1] ?? ''));
    // Padded to the column, so the highlight is one block.
    expect(inverse).toEqual(['T2 P2 修复登录表单…', 'running · app-1 …  ']);
    expect(raw).toContain(`${YELLOW}⚠ drift`);
  });

  it('says how to add a task when the board is empty', () => {
    const { lines } = renderBoard({ tasks: [], height: 6 });
    expect(lines[0]).toBe('No tasks yet — press n to add one, or drop a .md file in .muxctl/inbox/');
    const narrow = renderBoard({ tasks: [], width: 40, height: 6 });
    expect(narrow.lines.slice(0, 2).join(' ')).toBe('No tasks yet — press n to add one, or drop a .md file in .muxctl/inbox/');
    for (const line of narrow.lines) expect(textWidth(line)).toBeLessThanOrEqual(40);
  });
});

function escape(text: string): string {
  return text.replace(/[\\[\]]/g, '\\$&');
}

describe('a worker’s proposal on the board', () => {
  it('sits in the queued column, marked, with the key that accepts it; a queued card is not marked', () => {
    const proposal = task('T6', { state: 'proposed', title: 'cover the retry path' });
    const { lines } = renderBoard({ tasks: [...tasks(), proposal], selectedId: 'T6', height: 14, width: 160 });
    const text = lines.join('\n');
    expect(text).toMatch(/queued 2/);
    expect(text).toContain('T6 P2 cover the retry path');
    expect(text).toContain('proposed · a accepts');
    expect(text.match(/proposed/g)).toHaveLength(1);
  });
});
