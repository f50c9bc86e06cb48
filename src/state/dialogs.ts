/**
 * The one place overlays are built: every confirm, answer, pick, form, events and help dialog the dashboard
 * shows comes from a function here, so each starts in a known state (first option highlighted, no
 * error, copies of the caller's lists) and a new field on a dialog has one place to get its default.
 * Callers open one with `store.setState({ overlay: confirmDialog({ … }) })`.
 */
import type { Question } from '../core/rules/answers.js';
import type { AnswerOverlay, ConfirmOverlay, EventsOverlay, FormField, FormOverlay, HelpOverlay, PickOption, PickOverlay } from './store.js';

/** Asks yes or no before an action; `extra` is a third answer on the keymap's `confirmExtra` key (x). */
export function confirmDialog(options: {
  title: string;
  lines: readonly string[];
  onYes: () => Promise<void> | void;
  extra?: { label: string; onKey: () => void };
}): ConfirmOverlay {
  return { kind: 'confirm', title: options.title, lines: [...options.lines], onYes: options.onYes, ...(options.extra ? { extra: options.extra } : {}) };
}

/** A worker's question with its choices, as read off its screen: each choice is sent by its own key. */
export function answerDialog(options: { worker: string; question: Question }): AnswerOverlay {
  return { kind: 'answer', worker: options.worker, question: options.question, problem: null };
}

/** Choose one of a list; the first option is highlighted. `onPick` gets the chosen option's value. */
export function pickDialog(options: { title: string; lines: readonly string[]; options: readonly PickOption[]; onPick: (value: string) => void }): PickOverlay {
  return { kind: 'pick', title: options.title, lines: [...options.lines], options: [...options.options], index: 0, onPick: options.onPick };
}

/** A small form, the first field current. `onSubmit` returns a problem to show, or null when accepted. */
export function formDialog(options: {
  title: string;
  lines: readonly string[];
  fields: readonly FormField[];
  onSubmit: (values: Record<string, string>) => string | null;
}): FormOverlay {
  return { kind: 'form', title: options.title, lines: [...options.lines], fields: options.fields.map((f) => ({ ...f })), index: 0, error: null, onSubmit: options.onSubmit };
}

/** What happened to a worker or a task, oldest first; says so when nothing was recorded. */
export function eventsDialog(options: { title: string; lines: readonly string[] }): EventsOverlay {
  return { kind: 'events', title: options.title, lines: options.lines.length > 0 ? [...options.lines] : ['nothing recorded yet'] };
}

/** The keys of the screen it was opened on. */
export function helpDialog(): HelpOverlay {
  return { kind: 'help' };
}
