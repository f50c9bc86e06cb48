/**
 * The one keymap table (ARCHITECTURE.md §10). Every key handler (the screens' and each dialog's), the
 * hints bar, the dialogs' hint lines, the `?` overlay and the README's key table are all made from it,
 * so a key can never work without being documented or be documented without working. Its rows are
 * written per kind of view in keys/; this module puts them together, in the order the help and the
 * README list them, and reads them.
 */
import { DIALOGS, SCREENS, VIEWS, type Action, type Binding, type DialogView, type KeyPress, type KeySpec, type View } from './keys/bindingTypes.js';
import { dialogKeys } from './keys/dialogKeys.js';
import { lineKeys } from './keys/lineKeys.js';
import { workerKeys } from './keys/workerKeys.js';

export * from './keys/bindingTypes.js';

export const keymap: readonly Binding[] = [...workerKeys, ...lineKeys, ...dialogKeys];

/** The bindings that work in a view, in table order. */
export function bindingsFor(view: View, table: readonly Binding[] = keymap): Binding[] {
  return table.filter((b) => b.views.includes(view));
}

/** Movement keys, shown in the hints as one group rather than one hint each. */
const HINT_GROUPS: Record<View, { keys: string; hint: string } | null> = {
  grid: { keys: '←↑↓→', hint: 'move' },
  list: { keys: '↑↓', hint: 'move' },
  log: { keys: '↑↓', hint: 'scroll' },
  preview: null,
  diff: { keys: '↑↓', hint: 'scroll' },
  board: { keys: '←↑↓→', hint: 'move' },
  confirm: null,
  answer: null,
  pick: { keys: '↑↓', hint: 'choose' },
  form: null,
  search: null,
  events: null,
  help: null,
};

/** Hints the bar never drops for lack of room: the way to every other key, and the way out. */
const KEPT_HINTS: readonly Action[] = ['help', 'quit', 'back'];

/**
 * The hints bar for a view at a width: the group hint and the table's hints in order, as many whole
 * ones as fit, always ending with help and the way out (a hint cut in half helps nobody).
 */
export function hintsLine(view: View, width: number, table: readonly Binding[] = keymap): string {
  const bindings = bindingsFor(view, table).filter((b) => b.hint !== null && (b.hintViews ?? b.views).includes(view));
  const kept = bindings.filter((b) => KEPT_HINTS.includes(b.action)).map((b) => `${b.label} ${b.hint}`);
  const group = HINT_GROUPS[view];
  const optional = [...(group !== null ? [`${group.keys} ${group.hint}`] : []), ...bindings.filter((b) => !KEPT_HINTS.includes(b.action)).map((b) => `${b.label} ${b.hint}`)];
  const SEP = '  ';
  const lengthOf = (hints: readonly string[]): number => 1 + hints.reduce((sum, h, i) => sum + [...h].length + (i > 0 ? SEP.length : 0), 0);
  const chosen: string[] = [];
  for (const hint of optional) {
    if (lengthOf([...chosen, hint, ...kept]) > width) break;
    chosen.push(hint);
  }
  return ' ' + [...chosen, ...kept].join(SEP);
}

/** One hint of a dialog's line: the keys as written, what they do, and the action (null for a group of movement keys). */
export interface DialogHint {
  action: Action | null;
  keys: string;
  hint: string;
}

/** A dialog's own words for a hint (the confirm's extra answer says what it is), or null to leave the hint out. */
export type HintOverrides = Partial<Record<Action, string | null>>;

/** A dialog's hint line, in table order after its group hint: "y yes · n/Esc no". */
export function dialogHints(view: DialogView, overrides: HintOverrides = {}, table: readonly Binding[] = keymap): DialogHint[] {
  const group = HINT_GROUPS[view];
  const hints: DialogHint[] = group === null ? [] : [{ action: null, ...group }];
  for (const b of bindingsFor(view, table)) {
    const override = overrides[b.action];
    const hint = override === undefined ? b.hint : override;
    if (hint !== null) hints.push({ action: b.action, keys: b.label, hint });
  }
  return hints;
}

/** The same line as plain text. */
export function dialogHintText(view: DialogView, overrides: HintOverrides = {}, table: readonly Binding[] = keymap): string {
  return dialogHints(view, overrides, table)
    .map((h) => `${h.keys} ${h.hint}`)
    .join(' · ');
}

export { splitTyped, TEXT_EDITING, type TypedPiece } from './typing.js';

export function matchesKey(spec: KeySpec, input: string, key: KeyPress): boolean {
  if (spec.kind === 'char') return !key.ctrl && input === spec.char;
  if (spec.kind === 'ctrl') return key.ctrl === true && input === spec.char;
  switch (spec.name) {
    case 'up':
      return key.upArrow === true;
    case 'down':
      return key.downArrow === true;
    case 'left':
      return key.leftArrow === true;
    case 'right':
      return key.rightArrow === true;
    case 'pageUp':
      return key.pageUp === true;
    case 'pageDown':
      return key.pageDown === true;
    case 'home':
      return key.home === true;
    case 'end':
      return key.end === true;
    case 'enter':
      // LF as well as CR: an Enter pressed before the dashboard put the terminal in raw mode was turned
      // into "\n" by the tty (ICRNL) and waits in its buffer; Ink names it "enter", not "return".
      return key.return === true || (input === '\n' && !key.ctrl);
    case 'escape':
      return key.escape === true;
    case 'tab':
      return key.tab === true && key.shift !== true;
    case 'shiftTab':
      return key.tab === true && key.shift === true;
    case 'backspace':
      // Most terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`: both erase.
      return key.backspace === true || key.delete === true;
  }
}

/** The binding a key press selects in a view, if any. */
export function bindingFor(input: string, key: KeyPress, view: View = 'grid', table: readonly Binding[] = keymap): Binding | undefined {
  return table.find((binding) => binding.views.includes(view) && binding.keys.some((spec) => matchesKey(spec, input, key)));
}

const VIEW_NAMES: Record<View, string> = {
  grid: 'grid',
  list: 'list',
  log: 'log view',
  preview: 'preview',
  diff: 'diff view',
  board: 'board',
  confirm: 'confirmation',
  answer: 'answer',
  pick: 'pick list',
  form: 'form',
  search: 'log search',
  events: 'events',
  help: 'help',
};

/** Where a binding works, in words: "everywhere" for every screen, "every dialog" for every dialog. */
function whereText(views: readonly View[]): string {
  const screens = SCREENS.every((v) => views.includes(v)) ? ['everywhere'] : SCREENS.filter((v) => views.includes(v)).map((v) => VIEW_NAMES[v]);
  const dialogs = DIALOGS.every((v) => views.includes(v)) ? ['every dialog'] : DIALOGS.filter((v) => views.includes(v)).map((v) => VIEW_NAMES[v]);
  return [...screens, ...dialogs].join(', ');
}

/** A key table as Markdown: a row per binding that works in one of `views`, saying where among them. */
export function keyTableMarkdown(table: readonly Binding[] = keymap, views: readonly View[] = VIEWS): string {
  const rows = table
    .filter((b) => b.views.some((v) => views.includes(v)))
    .map((b) => `| ${b.label.replace(/\|/g, '\\|')} | ${whereText(b.views.filter((v) => views.includes(v)))} | ${b.description}${b.dangerous ? ' — asks first' : ''} |`);
  return ['| key | where | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README's key section: the screens' table, then the dialogs'. */
export function keyDocMarkdown(table: readonly Binding[] = keymap): string {
  return [keyTableMarkdown(table, SCREENS), '', 'In a dialog only its own keys work:', '', keyTableMarkdown(table, DIALOGS)].join('\n');
}
