/**
 * What a waiting worker asks, read off its screen, and how to answer it without attaching: the line
 * that asks, the lines around it that say what it is about (the command, the file), and each choice
 * with the keys that pick it. Pure: the screen comes in, the control layer captures and sends.
 *
 * The shapes read are the agents' own (their sources and captured screens, quoted in
 * test/unit/answers.test.ts):
 * - a menu, one key press picks: a numbered list with the highlighted option marked — Claude Code
 *   (`❯ 1. Yes`), Codex (`› 1. Yes, proceed (y)`, codex-rs/tui list_selection_view.rs: a digit selects
 *   and accepts), Gemini CLI (`● 1. Allow once`, useSelectionList.ts: a digit selects at once when no
 *   longer number starts with it). ⏎ picks the highlighted option.
 * - a line prompt, the letters then Enter: `[y/n]`, `(y/n)`, `[Y/n]` (a capital is the default ⏎
 *   takes), and Aider's `(Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again [Yes]:` (aider/io.py
 *   confirm_ask: the first letter of a word answers, an empty answer is the default in brackets).
 * - any other line a waiting pattern matches (`health.waitingPatterns`, a preset's): the question is
 *   shown; "Press Enter to continue" has ⏎ as its choice, anything else no choice muxctl can name.
 */
import { DEFAULT_WAITING_PATTERNS } from './liveness.js';

export interface Choice {
  /** As the screen words it: "Yes", "No, and tell Codex what to do differently (esc)". */
  label: string;
  /** The keys that pick it, as the person presses them: "1", "y", "enter" (⏎). */
  keys: string[];
}

export interface Question {
  /** The line that asks, as on the screen: "Do you want to proceed?", "Proceed? [y/n]". */
  question: string;
  /** What it is about: the few lines around the question (the command to run, the file to edit). */
  context: string[];
  choices: Choice[];
  /** `key`: one key press answers (a menu). `line`: the letters are typed and Enter ends them. */
  input: 'key' | 'line';
}

/** The key name of ⏎ in a choice's keys and on the command line. */
export const ENTER = 'enter';

/** How many non-blank lines from the bottom the last option of a menu may be: a footer or two follow it. */
const MENU_TAIL = 8;
/** How far above the first option the question may be (Claude Code's folder-trust prompt has a paragraph between). */
const QUESTION_REACH = 10;
const CONTEXT_ABOVE = 3;
const CONTEXT_BETWEEN = 6;

/** Box edges (Gemini CLI draws the prompt in a box, Codex's older TUI a bar) and the scrollbar at the right. */
const LEFT_EDGE = /^[\s│┃║▌▎]+/;
const RIGHT_EDGE = /[\s│┃║█]+$/;
/** A line of box drawing only (a border, a separator): blank for reading. */
const RULE = /^[\s─━═╌┄┈╭╮╰╯┌┐└┘├┤┬┴┼╔╗╚╝]*$/;
/** `❯ 1. Yes`, `  2. No`: the marker (the highlighted one), the number, the label. */
const OPTION = /^(?:([❯›>●▶])\s*)?(\d{1,2})[.)]\s+(\S.*)$/;
/** A shortcut letter at the end of an option, as Codex writes them: "Yes, proceed (y)". */
const SHORTCUT = /\(([a-z])\)$/;
const YES_NO = /[[(]([yY])\/([nN])[\])]\s*:?$/;
const AIDER = /\(Y\)es\/\(N\)o((?:\/\([A-Z]\)[^/[]*)*)\s*\[([^\]]+)\]:$/;

/** The question the screen's last lines put to the person, or null when they ask nothing muxctl can read. */
export function readQuestion(screen: readonly string[], patterns: readonly RegExp[] = DEFAULT_WAITING_PATTERNS): Question | null {
  const lines = screen.map(clean);
  const shown = lines.flatMap((line, i) => (line === '' ? [] : [i]));
  if (shown.length === 0) return null;
  return linePrompt(lines, shown) ?? menu(lines, shown) ?? patterned(lines, shown, patterns);
}

/** "⏎", "Enter", "return" → "enter"; a letter as its lower case. */
export function normalizeKey(raw: string): string {
  const key = raw.trim();
  if (/^(⏎|enter|return)$/i.test(key)) return ENTER;
  return key.length === 1 ? key.toLowerCase() : key;
}

export function choiceFor(question: Question, key: string): Choice | undefined {
  const wanted = normalizeKey(key);
  return question.choices.find((c) => c.keys.includes(wanted));
}

/** What is typed into the pane for a key (tmux key names): a menu's key alone, a line prompt's letter and Enter. */
export function keysToSend(question: Question, key: string): string[] {
  const k = normalizeKey(key);
  if (k === ENTER) return ['Enter'];
  return question.input === 'line' ? [k, 'Enter'] : [k];
}

/**
 * The same question: the same line, the same lines around it (Claude Code asks "Do you want to
 * proceed?" of every command), the same choices with the same keys (⏎ on another option is another
 * answer). Anything else and nothing is sent.
 */
export function sameQuestion(a: Question, b: Question): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A key as a person reads it: ⏎ for enter. */
export function keyLabel(key: string): string {
  return key === ENTER ? '⏎' : key;
}

/** What was typed, in words: "y Enter". */
export function sentText(keys: readonly string[]): string {
  return keys.join(' ');
}

/** The choices in one line: "1 Yes · 2 No · ⏎ Yes". */
export function choicesText(question: Question): string {
  if (question.choices.length === 0) return 'no choices muxctl can read';
  return question.choices.flatMap((c) => c.keys.map((k) => `${keyLabel(k)} ${c.label}`)).join(' · ');
}

/** The waiting patterns muxctl knows, with the project's and the worker's own (its preset's) after them. */
export function waitingPatterns(own: readonly string[]): RegExp[] {
  return [...DEFAULT_WAITING_PATTERNS, ...own.map((p) => new RegExp(p))];
}

function clean(line: string): string {
  const text = line.replace(LEFT_EDGE, '').replace(RIGHT_EDGE, '');
  return RULE.test(text) ? '' : text;
}

function contextAround(lines: readonly string[], shown: readonly number[], from: number, to: number, above: number): string[] {
  const before = shown.filter((i) => i < from).slice(-above);
  const between = shown.filter((i) => i > from && i < to).slice(0, CONTEXT_BETWEEN);
  return [...before, ...between].map((i) => lines[i] ?? '');
}

/** The last line asks for a typed answer: `[y/n]`, Aider's `(Y)es/(N)o … [Yes]:`. */
function linePrompt(lines: readonly string[], shown: readonly number[]): Question | null {
  const at = shown[shown.length - 1] ?? 0;
  const line = lines[at] ?? '';
  const context = contextAround(lines, shown, at, at, CONTEXT_ABOVE);
  const aider = AIDER.exec(line);
  if (aider) {
    const words = [['Y', 'es'], ['N', 'o'], ...[...(aider[1] ?? '').matchAll(/\(([A-Z])\)([^/[]*)/g)].map((m) => [m[1] ?? '', m[2] ?? ''])];
    const fallback = (aider[2] ?? '').toLowerCase();
    const choices = words.map(([letter = '', rest = '']) => {
      const label = `${letter}${rest}`.trim();
      return { label, keys: [letter.toLowerCase(), ...(label.toLowerCase() === fallback ? [ENTER] : [])] };
    });
    return { question: line, context, choices, input: 'line' };
  }
  const yesNo = YES_NO.exec(line);
  if (yesNo) {
    const [y = 'y', n = 'n'] = [yesNo[1], yesNo[2]];
    // A capital letter is the default an empty answer takes; both of one case: no default.
    const enterYes = y === 'Y' && n === 'n';
    const enterNo = y === 'y' && n === 'N';
    const choices = [
      { label: 'yes', keys: ['y', ...(enterYes ? [ENTER] : [])] },
      { label: 'no', keys: ['n', ...(enterNo ? [ENTER] : [])] },
    ];
    return { question: line, context, choices, input: 'line' };
  }
  return null;
}

interface Option {
  at: number;
  number: number;
  marked: boolean;
  label: string;
}

/** A numbered list near the bottom with one option highlighted, and the question above it. */
function menu(lines: readonly string[], shown: readonly number[]): Question | null {
  const tail = shown.slice(-(MENU_TAIL + QUESTION_REACH));
  const options = tail.map((i) => ({ i, m: OPTION.exec(lines[i] ?? '') }));
  for (let start = options.length - 1; start >= 0; start -= 1) {
    const first = options[start];
    if (first?.m?.[2] !== '1') continue;
    const found: Option[] = [];
    let pending: string[] = [];
    for (const { i, m } of options.slice(start)) {
      if (m && Number(m[2]) === found.length + 1) {
        // Lines between two options are the one above wrapped.
        const last = found[found.length - 1];
        if (last && pending.length > 0) last.label = [last.label, ...pending].join(' ');
        pending = [];
        found.push({ at: i, number: Number(m[2]), marked: m[1] !== undefined, label: (m[3] ?? '').trim() });
      } else pending.push((lines[i] ?? '').trim());
    }
    const lastAt = found[found.length - 1]?.at ?? -1;
    if (found.length < 2 || !found.some((o) => o.marked) || shown.indexOf(lastAt) < shown.length - MENU_TAIL) continue;
    const firstAt = found[0]?.at ?? 0;
    const above = shown.filter((i) => i < firstAt).slice(-QUESTION_REACH).reverse();
    const asks = above.find((i) => (lines[i] ?? '').trim().endsWith('?')) ?? above[0];
    if (asks === undefined) return null;
    const used = new Set<string>(found.map((o) => String(o.number)));
    const choices = found.map((o) => {
      const letter = SHORTCUT.exec(o.label)?.[1];
      const shortcut = letter !== undefined && !used.has(letter) ? (used.add(letter), [letter]) : [];
      return { label: o.label, keys: [String(o.number), ...shortcut, ...(o.marked ? [ENTER] : [])] };
    });
    return { question: (lines[asks] ?? '').trim(), context: contextAround(lines, shown, asks, firstAt, CONTEXT_ABOVE), choices, input: 'key' };
  }
  return null;
}

/** A line a waiting pattern matches, among the last few: shown, with ⏎ only where it says to press Enter. */
function patterned(lines: readonly string[], shown: readonly number[], patterns: readonly RegExp[]): Question | null {
  const last = shown.slice(-4).reverse();
  const at = last.find((i) => patterns.some((p) => p.test(lines[i] ?? '')));
  if (at === undefined) return null;
  const line = (lines[at] ?? '').trim();
  const choices = /press enter/i.test(line) ? [{ label: 'continue', keys: [ENTER] }] : [];
  return { question: line, context: contextAround(lines, shown, at, at, CONTEXT_ABOVE), choices, input: 'line' };
}
