/**
 * The keymap's rows for the screens of every worker, the grid and the list (moving, opening a worker's
 * views, what they show), and the keys that act on a worker or a task wherever one is in front of the
 * person. Every key that acts on the grid's selected panel acts on the list's selected line alike.
 */
import type { Binding } from './bindingTypes.js';
import { ANY, BOARD, char, ctrl, GRID, LIST, named, needsSession, needsTaskOrWorker, needsWorker, row, TASKS, WORKERS } from './bindingRows.js';

export const workerKeys: readonly Binding[] = [
  // The grid and the list: move, open a worker's views, choose what they show.
  row({ action: 'moveUp', keys: [named('up'), char('k')], views: TASKS, label: '↑/k', description: 'select the worker (or, on the board, the task) above', hint: null, disabledReason: needsTaskOrWorker }),
  row({ action: 'moveDown', keys: [named('down'), char('j')], views: TASKS, label: '↓/j', description: 'select the worker (or task) below', hint: null, disabledReason: needsTaskOrWorker }),
  row({ action: 'moveLeft', keys: [named('left')], views: ['grid', 'board'], label: '←', description: 'select the worker (or task) to the left', hint: null, disabledReason: needsTaskOrWorker }),
  row({ action: 'moveRight', keys: [named('right')], views: ['grid', 'board'], label: '→', description: 'select the worker (or task) to the right', hint: null, disabledReason: needsTaskOrWorker }),
  // The list's pages: a hundred lines are more than one screen.
  row({ action: 'movePageUp', keys: [named('pageUp'), ctrl('u')], views: LIST, label: 'PgUp/Ctrl-U', description: 'select the worker a page up', hint: null }),
  row({ action: 'movePageDown', keys: [named('pageDown'), ctrl('d')], views: LIST, label: 'PgDn/Ctrl-D', description: 'select the worker a page down', hint: null }),
  row({ action: 'moveFirst', keys: [char('g'), named('home')], views: LIST, label: 'g/Home', description: 'select the first worker', hint: null }),
  row({ action: 'moveLast', keys: [char('G'), named('end')], views: LIST, label: 'G/End', description: 'select the last worker', hint: null }),
  // Early in the table, so a narrow hints bar keeps the way between the two.
  row({ action: 'toggleLayout', keys: [char('v')], views: GRID, label: 'v', description: 'show the workers as a list: a line each, the selected one in detail', hint: 'list' }),
  row({
    action: 'toggleLayout',
    keys: [char('v')],
    views: LIST,
    label: 'v',
    description: 'show the workers as panels (when not all fit, as many as fit around the selected one)',
    hint: 'grid',
  }),
  row({ action: 'attach', keys: [named('enter')], views: ANY, label: '⏎', description: "attach to the worker's terminal (Ctrl-Q or tmux's detach comes back)", hint: 'attach', hintViews: [...WORKERS, 'preview'], disabledReason: needsSession }),
  row({ action: 'openLog', keys: [char('l')], views: [...WORKERS, 'preview'], label: 'l', description: "the worker's log: every event, with level filter and search", hint: 'log', disabledReason: needsWorker }),
  row({ action: 'openPreview', keys: [char('p')], views: [...WORKERS, 'log'], label: 'p', description: "a live preview of the worker's screen", hint: 'preview', disabledReason: needsWorker }),
  row({ action: 'openDiff', keys: [char('d')], views: [...WORKERS, 'log', 'preview'], label: 'd', description: "the worker's diff against the base: files with +/− counts, then the patch", hint: 'diff', hintViews: WORKERS, disabledReason: needsWorker }),
  row({ action: 'cycleFilter', keys: [char('f')], views: WORKERS, label: 'f', description: 'filter the workers shown: all → needs you → working → idle or done → each lane', hint: 'filter' }),
  row({ action: 'cycleSort', keys: [char('o')], views: WORKERS, label: 'o', description: 'order the workers: config → needs you first → by name → by last activity', hint: null }),
  row({ action: 'restart', keys: [char('r')], views: ANY, label: 'r', description: 'restart the worker', hint: 'restart', hintViews: WORKERS, dangerous: true, disabledReason: needsWorker }),
  row({ action: 'stop', keys: [char('s')], views: ANY, label: 's', description: 'stop the worker gracefully (its worktree is kept)', hint: 'stop', hintViews: WORKERS, disabledReason: needsSession }),
  row({ action: 'start', keys: [char('u')], views: ANY, label: 'u', description: 'start the worker, or bring it back with its task', hint: 'start', hintViews: WORKERS, disabledReason: needsWorker }),
  row({
    action: 'continueAfterLimit',
    keys: [char('c')],
    views: [...WORKERS, 'preview'],
    label: 'c',
    description: 'on a limited worker: cancel (or set again) the "continue" at its reset',
    hint: null,
    disabledReason: (ctx) => (ctx.state === null ? 'no worker selected' : ctx.state !== 'limited' ? 'the worker is not limited (no usage limit to continue after)' : null),
  }),
  row({
    action: 'answer',
    keys: [char('y')],
    views: [...WORKERS, 'preview'],
    label: 'y',
    description: "answer a waiting worker's question, its choices read off its screen",
    hint: 'answer',
    disabledReason: (ctx) => (ctx.state === null ? 'no worker selected' : ctx.state !== 'waiting' ? 'the worker is not asking anything' : null),
  }),
  row({ action: 'message', keys: [char('m')], views: [...WORKERS, 'preview'], label: 'm', description: "type a message into the worker's agent (at its prompt; a busy one gets it later)", hint: 'message', hintViews: WORKERS, disabledReason: needsWorker }),
  row({ action: 'messageMany', keys: [char('M')], views: WORKERS, label: 'M', description: 'a message to every worker of a lane, or to all, after a confirmation', hint: null }),
  row({ action: 'addWorker', keys: [char('W')], views: WORKERS, label: 'W', description: 'add a worker: name, lane, agent or command; written into sessions.json, then started', hint: null }),
  row({ action: 'bringBack', keys: [char('U')], views: WORKERS, label: 'U', description: 'bring back every worker that should run, each with its task (muxctl up)', hint: null }),
  // Tasks: the board, and the task moves on a worker or a card.
  row({ action: 'openBoard', keys: [char('t')], views: WORKERS, label: 't', description: 'the task board: a column per state, drift marked', hint: 'tasks' }),
  row({ action: 'newTask', keys: [char('n')], views: TASKS, label: 'n', description: 'add a task: title, lane, priority, acceptance check', hint: 'new task', hintViews: ['board'] }),
  row({ action: 'assign', keys: [char('a')], views: TASKS, label: 'a', description: 'assign a queued task to the worker; on the board, to a worker (a proposal: accept it)', hint: 'assign', hintViews: ['board'], disabledReason: needsTaskOrWorker }),
  row({ action: 'reassign', keys: [char('R')], views: TASKS, label: 'R', description: 'move a task to another worker, its uncommitted work with it', hint: 'reassign', hintViews: ['board'], dangerous: true, disabledReason: needsTaskOrWorker }),
  row({ action: 'events', keys: [char('e')], views: TASKS, label: 'e', description: 'what happened to the worker (or task), with the reasons', hint: 'events', disabledReason: needsTaskOrWorker }),
  row({ action: 'toggleDispatch', keys: [char('P')], views: BOARD, label: 'P', description: 'pause or resume handing queued tasks to idle workers', hint: null }),
  row({ action: 'land', keys: [char('L')], views: BOARD, label: 'L', description: 'land done tasks on the base now: merge, check, fast-forward', hint: 'land' }),
  row({ action: 'doctor', keys: [char('D')], views: BOARD, label: 'D', description: 'the drift doctor: where the record and the world disagree, with fixes', hint: 'doctor' }),
];
