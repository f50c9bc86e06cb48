import { describe, expect, it } from 'vitest';
import { boardView, EMPTY_BOARD_TEXT, fitSegments, moveSelection, type BoardInput, type BoardModel } from '../../src/core/views/boardView.js';
import { newTask, type Task } from '../../src/core/rules/tasks.js';
import { textWidth } from '../../src/core/views/textWidth.js';

const now = Date.UTC(2026, 10, 23, 14, 0, 0);
const MIN = 60_000;

function task(id: string, extra: Partial<Task> = {}): Task {
  return { ...newTask({ id, title: `task ${id}`, lane: 'app' }, now - 60 * MIN), ...extra };
}

function running(id: string, extra: Partial<Task> = {}): Task {
  return task(id, { state: 'running', assignee: 'app-1', attempts: 1, lease: { holder: 'app-1', expiresAt: now + 4 * MIN + 30_000 }, ...extra });
}

function board(tasks: Task[], extra: Partial<BoardInput> = {}): BoardModel {
  return boardView({ tasks, width: 80, height: 24, selectedId: null, now, ...extra });
}

const column = (model: BoardModel, key: string) => {
  const found = model.columns.find((c) => c.key === key);
  if (!found) throw new Error(`no column ${key} in ${model.columns.map((c) => c.key).join(', ')}`);
  return found;
};

const detailText = (model: BoardModel, id: string): string => {
  const card = model.columns.flatMap((c) => c.cards).find((c) => c.id === id);
  if (!card) throw new Error(`card ${id} not shown`);
  return card.detail.map((s) => s.text).join('');
};

/** Every line the model would draw, with the width it may take. */
function linesOf(model: BoardModel): Array<{ text: string; width: number }> {
  const lines = [{ text: model.footer, width: model.width }];
  for (const c of model.columns) {
    lines.push({ text: c.header, width: model.columnWidth });
    if (c.more !== null) lines.push({ text: c.more, width: model.columnWidth });
    for (const card of c.cards) lines.push({ text: card.title, width: model.columnWidth }, { text: card.detail.map((s) => s.text).join(''), width: model.columnWidth });
  }
  return lines;
}

const mixed = (): Task[] => [
  task('T1'),
  running('T2'),
  task('T3', { state: 'claimed', assignee: 'app-2', attempts: 2, lease: { holder: 'app-2', expiresAt: now + 10 * MIN } }),
  task('T4', { state: 'done', assignee: 'app-1', attempts: 1 }),
  task('T5', { state: 'failed', assignee: 'app-1', attempts: 3, updatedAt: now - 5 * MIN }),
  task('T6', { state: 'blocked', updatedAt: now - 1 * MIN }),
  task('T7', { state: 'escalated', updatedAt: now - 10 * MIN }),
  task('T8', { state: 'canceled' }),
  task('T9', { state: 'canceled' }),
];

describe('boardView columns', () => {
  it('at 80 columns: queued, active (claimed + running), done, needs you; canceled only counted', () => {
    const model = board(mixed());
    expect(model.columns.map((c) => c.header)).toEqual(['queued 1', 'active 2', 'done 1', 'needs you 3']);
    expect(column(model, 'active').ids.sort()).toEqual(['T2', 'T3']);
    expect(column(model, 'needsYou').ids).toEqual(['T6', 'T5', 'T7']);
    expect(model.columns.flatMap((c) => c.ids)).not.toContain('T8');
    expect(model.footer).toBe('2 canceled (not shown)');
    expect(model.columnWidth).toBe(19);
  });

  it('splits claimed and running into their own columns when five columns of 22 fit (110 and wider)', () => {
    expect(board(mixed(), { width: 109 }).columns.map((c) => c.key)).toEqual(['queued', 'active', 'done', 'needsYou']);
    const wide = board(mixed(), { width: 160 });
    expect(wide.columns.map((c) => c.header)).toEqual(['queued 1', 'claimed 1', 'running 1', 'done 1', 'needs you 3']);
    expect(wide.columnWidth).toBe(31);
    expect(board(mixed(), { width: 110 }).columns).toHaveLength(5);
  });

  it('the merged active and needs-you columns say which state each card is in; split columns need not', () => {
    const narrow = board(mixed(), { width: 80 });
    expect(detailText(narrow, 'T2')).toMatch(/^running · /);
    expect(detailText(narrow, 'T3')).toMatch(/^claimed · /);
    expect(detailText(narrow, 'T6')).toMatch(/^blocked/);
    const wide = board(mixed(), { width: 160 });
    expect(detailText(wide, 'T2')).toBe('app-1 · lease 4m · 1/3');
    expect(detailText(wide, 'T5')).toBe('failed · app-1 · 3/3');
  });

  it('orders the queue as the dispatcher takes it, the others newest change first', () => {
    const tasks = [
      task('T1', { priority: 2, createdAt: now - 3 * MIN }),
      task('T2', { priority: 1, createdAt: now - 1 * MIN }),
      task('T3', { priority: 2, createdAt: now - 9 * MIN }),
      task('T4', { state: 'done', updatedAt: now - 9 * MIN }),
      task('T5', { state: 'done', updatedAt: now - 1 * MIN }),
      task('T6', { state: 'done', updatedAt: now - 5 * MIN }),
    ];
    const model = board(tasks);
    expect(column(model, 'queued').ids).toEqual(['T2', 'T3', 'T1']);
    expect(column(model, 'done').ids).toEqual(['T5', 'T6', 'T4']);
  });
});

describe('boardView cards', () => {
  it('reads "T12 P1 title" and then who, lease left and attempts', () => {
    const model = board([running('T12', { priority: 1, title: 'fix the login form', attempts: 2 })], { width: 160 });
    const card = column(model, 'running').cards[0];
    expect(card?.title).toBe('T12 P1 fix the login form');
    expect(detailText(model, 'T12')).toBe('app-1 · lease 4m · 2/3');
  });

  it('marks drift and what a task waits on, first, in the warning tone', () => {
    const tasks = [task('T4', { state: 'done', assignee: 'app-1' }), task('T5', { state: 'blocked' })];
    const model = board(tasks, { width: 160, drift: { T4: ['T4 is done but 2 uncommitted files'], T5: [] }, blockedBy: { T5: ['T3', 'T4'] } });
    expect(detailText(model, 'T4')).toBe('⚠ drift · app-1');
    expect(column(model, 'done').cards[0]?.drift).toBe(true);
    expect(column(model, 'done').cards[0]?.detail[0]).toEqual({ text: '⚠ drift', tone: 'warning' });
    expect(detailText(model, 'T5')).toBe('blocked · waits on T3, T4');
    expect(column(model, 'needsYou').cards[0]?.drift).toBe(false);
  });

  it('says when a lease has run out, and a queued task shows its lane', () => {
    const model = board([running('T2', { lease: { holder: 'app-1', expiresAt: now - 1 } }), task('T1')], { width: 160 });
    expect(detailText(model, 'T2')).toBe('app-1 · lease expired · 1/3');
    expect(detailText(model, 'T1')).toBe('lane app');
  });

  it('keeps a title with newlines on one line', () => {
    const model = board([task('T1', { title: 'first\nsecond\tthird' })], { width: 160 });
    expect(column(model, 'queued').cards[0]?.title).toBe('T1 P2 first second third');
  });
});

describe('boardView fitting', () => {
  const wideTitle = '修复登录表单的错误 🚀 and then a long English tail that never fits';

  it.each([80, 160])('no line is wider than its column at %i columns, wide characters included', (width) => {
    const tasks = [...mixed(), running('T10', { title: wideTitle, assignee: 'a-very-long-worker-name-indeed' }), task('T11', { title: wideTitle })];
    const model = board(tasks, { width, drift: { T10: ['x'] }, blockedBy: { T11: ['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'] } });
    expect(model.columns.length * (model.columnWidth + 1)).toBeLessThanOrEqual(width);
    for (const line of linesOf(model)) expect(textWidth(line.text), line.text).toBeLessThanOrEqual(line.width);
  });

  it('cuts a CJK title at a whole character and marks the cut', () => {
    const model = board([task('T1', { title: wideTitle })], { width: 80 });
    // 19 columns: "T1 P2 " is 6, six CJK characters 12, and the seventh would pass the "…".
    expect(column(model, 'queued').cards[0]?.title).toBe('T1 P2 修复登录表单…');
    const wide = board([task('T1', { title: wideTitle })], { width: 160 });
    expect(column(wide, 'queued').cards[0]?.title).toBe('T1 P2 修复登录表单的错误 🚀 an…');
    expect(textWidth(column(wide, 'queued').cards[0]?.title ?? '')).toBe(31);
  });

  it('cuts the second line at a segment and never ends it on a bare separator', () => {
    const segments = [
      { text: 'running', tone: 'good' as const },
      { text: 'app-1', tone: 'plain' as const },
    ];
    expect(fitSegments(segments, 20).map((s) => s.text)).toEqual(['running', ' · ', 'app-1']);
    expect(fitSegments(segments, 12).map((s) => s.text)).toEqual(['running', ' · ', 'a…']);
    expect(fitSegments(segments, 10).map((s) => s.text)).toEqual(['running', ' …']);
    expect(fitSegments(segments, 5).map((s) => s.text)).toEqual(['runn…']);
  });
});

describe('boardView scrolling', () => {
  // 10 rows: header, 8 card lines, footer. Four 2-line cards fit; a fifth needs "+N more".
  const queue = (count: number): Task[] => Array.from({ length: count }, (_, i) => task(`T${i + 1}`, { createdAt: now - (100 - i) * MIN }));

  it('shows every card that fits, and no "+N more"', () => {
    const model = board(queue(4), { height: 10 });
    expect(column(model, 'queued').cards.map((c) => c.id)).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(column(model, 'queued').more).toBeNull();
  });

  it('ends a column that overflows with "+N more"', () => {
    const model = board(queue(9), { height: 10 });
    const queued = column(model, 'queued');
    expect(queued.cards.map((c) => c.id)).toEqual(['T1', 'T2', 'T3']);
    expect(queued.more).toBe('+6 more');
    expect(queued.header).toBe('queued 9');
  });

  it('scrolls the column so the selected card is shown, and says how many are above', () => {
    const model = board(queue(9), { height: 10, selectedId: 'T7' });
    const queued = column(model, 'queued');
    expect(queued.cards.map((c) => c.id)).toEqual(['T5', 'T6', 'T7']);
    expect(queued.cards.find((c) => c.selected)?.id).toBe('T7');
    expect(queued.top).toBe(4);
    expect(queued.more).toBe('+6 more (4 above)');
  });

  it('shows the selected card even when the column has room for one card only', () => {
    const model = board(queue(5), { height: 4, selectedId: 'T5' });
    expect(column(model, 'queued').cards.map((c) => c.id)).toEqual(['T5']);
  });

  it('selects the first card when the selected task is not on the board', () => {
    expect(board(mixed(), { selectedId: 'T8' }).selectedId).toBe('T1');
    expect(board(mixed(), { selectedId: null }).selectedId).toBe('T1');
    expect(board(mixed(), { selectedId: 'T5' }).selectedId).toBe('T5');
  });
});

describe('moveSelection', () => {
  // queued: T1 T2 T3; active: empty; done: D1; needs you: F1 F2.
  const tasks = (): Task[] => [
    task('T1', { createdAt: now - 3 * MIN }),
    task('T2', { createdAt: now - 2 * MIN }),
    task('T3', { createdAt: now - 1 * MIN }),
    task('D1', { state: 'done' }),
    task('F1', { state: 'failed', updatedAt: now }),
    task('F2', { state: 'failed', updatedAt: now - MIN }),
  ];
  const model = board(tasks());

  it('moves up and down in the column and stays at its ends', () => {
    expect(moveSelection(model, 'T1', 'down')).toBe('T2');
    expect(moveSelection(model, 'T2', 'up')).toBe('T1');
    expect(moveSelection(model, 'T1', 'up')).toBe('T1');
    expect(moveSelection(model, 'T3', 'down')).toBe('T3');
  });

  it('moves across an empty column to the card on the nearest row', () => {
    expect(moveSelection(model, 'T1', 'right')).toBe('D1');
    expect(moveSelection(model, 'T3', 'right')).toBe('D1');
    expect(moveSelection(model, 'D1', 'left')).toBe('T1');
    expect(moveSelection(model, 'D1', 'right')).toBe('F1');
    expect(moveSelection(model, 'F2', 'left')).toBe('D1');
  });

  it('keeps the row when the neighbour has a card there', () => {
    const wide = board([...tasks(), task('D2', { state: 'done', updatedAt: now - 90 * MIN })]);
    expect(moveSelection(wide, 'F2', 'left')).toBe('D2');
    expect(moveSelection(wide, 'T2', 'right')).toBe('D2');
  });

  it('stays at the left and right edges', () => {
    expect(moveSelection(model, 'T2', 'left')).toBe('T2');
    expect(moveSelection(model, 'F1', 'right')).toBe('F1');
  });

  it('moves by screen row in a scrolled column', () => {
    const many = Array.from({ length: 9 }, (_, i) => task(`Q${i + 1}`, { createdAt: now - (100 - i) * MIN }));
    const scrolled = board([...many, task('D1', { state: 'done', updatedAt: now }), task('D2', { state: 'done', updatedAt: now - MIN })], { height: 10, selectedId: 'D2' });
    // Q1..Q3 shown; D2 is on the second row, so left lands on Q2.
    expect(moveSelection(scrolled, 'D2', 'left')).toBe('Q2');
    const down = board([...many, task('D1', { state: 'done' })], { height: 10, selectedId: 'Q8' });
    // Q6..Q8 shown: Q8 is on the third row, and D1 is the only card on the right.
    expect(moveSelection(down, 'Q8', 'right')).toBe('D1');
    expect(moveSelection(down, 'D1', 'left')).toBe('Q6');
  });

  it('picks the first card when nothing is selected, and null on an empty board', () => {
    expect(moveSelection(model, null, 'down')).toBe('T1');
    expect(moveSelection(model, 'gone', 'left')).toBe('T1');
    expect(moveSelection(board([]), null, 'right')).toBeNull();
  });
});

describe('the empty board', () => {
  it('says how to add a task instead of drawing empty columns', () => {
    const model = board([]);
    expect(model.columns).toEqual([]);
    expect(model.empty).toEqual([EMPTY_BOARD_TEXT]);
    expect(EMPTY_BOARD_TEXT).toBe('No tasks yet — press n to add one, or drop a .md file in .muxctl/inbox/');
  });

  it('wraps the text on a narrow terminal', () => {
    const model = board([], { width: 30 });
    expect(model.empty?.join(' ')).toBe(EMPTY_BOARD_TEXT);
    for (const line of model.empty ?? []) expect(textWidth(line)).toBeLessThanOrEqual(30);
  });

  it('a board of canceled tasks only is not "no tasks yet"', () => {
    const model = board([task('T1', { state: 'canceled' })]);
    expect(model.empty).toBeNull();
    expect(model.footer).toBe('1 canceled (not shown)');
  });
});
