/**
 * What the keymap's rows are written with: the key specs, the reasons a key does nothing, and the
 * groups of views rows share. Only the table's modules use these.
 */
import { DIALOGS, type Binding, type KeySpec, type SelectionContext, type View } from './bindingTypes.js';

export const char = (c: string): KeySpec => ({ kind: 'char', char: c });
export const ctrl = (c: string): KeySpec => ({ kind: 'ctrl', char: c });
export const named = (name: Extract<KeySpec, { kind: 'named' }>['name']): KeySpec => ({ kind: 'named', name });
const always = (): null => null;
export const needsWorker = (ctx: SelectionContext): string | null => (ctx.state === null ? 'no worker selected' : null);
export const needsSession = (ctx: SelectionContext): string | null => {
  if (ctx.state === null) return 'no worker selected';
  if (ctx.state === 'missing' || ctx.state === 'stopped') return `the worker is ${ctx.state}: press u to start it`;
  return null;
};
export const needsTaskOrWorker = (ctx: SelectionContext): string | null => (ctx.taskState === undefined ? needsWorker(ctx) : ctx.taskState === null ? 'no task selected' : null);

export const GRID: readonly View[] = ['grid'];
export const LIST: readonly View[] = ['list'];
/** The two screens of every worker: the grid of panels and the list of lines (`v` toggles). */
export const WORKERS: readonly View[] = ['grid', 'list'];
/** An answer dialog's keys: whatever letter or digit a choice on the worker's screen names. */
export const CHOICE_KEYS: KeySpec[] = [...'abcdefghijklmnopqrstuvwxyz0123456789'].map(char);
export const LOG: readonly View[] = ['log'];
/** Views of lines that scroll and search alike: the log view and the diff view (logView.ts). */
export const LINES: readonly View[] = ['log', 'diff'];
/** Views with a way back to the workers. */
export const AWAY: readonly View[] = ['log', 'preview', 'diff', 'board'];
/** Keys that act on a worker work wherever one worker is in front of the person: the selected one, or the one a view shows. */
export const ANY: readonly View[] = [...WORKERS, 'log', 'preview', 'diff'];
/** Keys about tasks: on a worker in the grid or the list, or on the selected card of the board. */
export const TASKS: readonly View[] = [...WORKERS, 'board'];
/** Keys about the whole board rather than one worker: they work where the board is in front of the person. */
export const BOARD: readonly View[] = ['board'];
/** Ctrl-C quits from anywhere but the grid and the list, whose row binds q too. */
export const NOT_WORKERS: readonly View[] = [...AWAY, ...DIALOGS];

type Row = Omit<Binding, 'dangerous' | 'disabledReason'> & Partial<Pick<Binding, 'dangerous' | 'disabledReason'>>;
export const row = (r: Row): Binding => ({ dangerous: false, disabledReason: always, ...r });
