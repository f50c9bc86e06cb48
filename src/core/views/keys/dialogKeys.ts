/**
 * The keymap's rows for the dialogs, each a view of its own. Their hint lines list these rows in this
 * order; what is typed into a form or a search is text, not keys.
 */
import type { Binding } from './bindingTypes.js';
import { CHOICE_KEYS, char, ctrl, named, NOT_WORKERS, row } from './bindingRows.js';

export const dialogKeys: readonly Binding[] = [
  row({ action: 'confirmYes', keys: [char('y'), char('Y')], views: ['confirm'], label: 'y', description: 'yes: do what the dialog asks', hint: 'yes' }),
  row({ action: 'confirmNo', keys: [char('n'), char('N'), named('escape')], views: ['confirm'], label: 'n/Esc', description: 'no: close the dialog, nothing is done', hint: 'no' }),
  row({ action: 'confirmExtra', keys: [char('x')], views: ['confirm'], label: 'x', description: 'the other answer, when the dialog offers one (restart: reset to the base instead)', hint: 'other answer' }),
  row({ action: 'answerChoice', keys: CHOICE_KEYS, views: ['answer'], label: 'a–z/0–9', description: "send the choice of that key, if the screen still asks the same (else nothing is sent)", hint: 'send that choice' }),
  row({ action: 'answerEnter', keys: [named('enter')], views: ['answer'], label: '⏎', description: 'send Enter: the highlighted choice, or the default', hint: 'send Enter' }),
  row({ action: 'close', keys: [named('escape')], views: ['answer'], label: 'Esc', description: 'cancel: close the question, nothing is sent', hint: 'cancel' }),
  row({ action: 'pickUp', keys: [named('up'), char('k')], views: ['pick'], label: '↑/k', description: 'highlight the option above', hint: null }),
  row({ action: 'pickDown', keys: [named('down'), char('j')], views: ['pick'], label: '↓/j', description: 'highlight the option below', hint: null }),
  row({ action: 'pickChoose', keys: [named('enter')], views: ['pick'], label: '⏎', description: 'pick the highlighted option', hint: 'pick' }),
  row({ action: 'close', keys: [named('escape'), char('q')], views: ['pick'], label: 'Esc/q', description: 'cancel: close the list, nothing is picked', hint: 'cancel' }),
  row({ action: 'formNext', keys: [named('tab'), named('down')], views: ['form'], label: 'Tab/↓', description: 'the next field', hint: 'next field' }),
  row({ action: 'formPrevious', keys: [named('shiftTab'), named('up')], views: ['form'], label: 'Shift-Tab/↑', description: 'the previous field', hint: 'previous' }),
  row({ action: 'formSubmit', keys: [named('enter')], views: ['form'], label: '⏎', description: 'submit the form (a problem is named and the form stays open)', hint: 'submit' }),
  row({ action: 'close', keys: [named('escape')], views: ['form'], label: 'Esc', description: 'cancel: close the form, nothing is done', hint: 'cancel' }),
  row({ action: 'erase', keys: [named('backspace')], views: ['form', 'search'], label: 'Backspace', description: 'erase the last character typed', hint: null }),
  row({ action: 'searchApply', keys: [named('enter')], views: ['search'], label: '⏎', description: 'apply the search typed (nothing typed clears it)', hint: 'apply' }),
  row({ action: 'searchCancel', keys: [named('escape')], views: ['search'], label: 'Esc', description: 'cancel the typing: the search shown before stays', hint: 'cancel' }),
  row({ action: 'close', keys: [named('escape'), char('q'), char('e')], views: ['events'], label: 'Esc/q/e', description: 'close the events', hint: 'close' }),
  row({ action: 'close', keys: [named('escape'), char('?'), char('q')], views: ['help'], label: 'Esc/?/q', description: 'close the help', hint: 'close' }),
  // Ctrl-C quits from every view but the grid and the list, whose row binds q too; elsewhere q goes back, closes or is typed.
  row({ action: 'quit', keys: [ctrl('c')], views: NOT_WORKERS, label: 'Ctrl-C', description: 'quit the dashboard (workers keep running)', hint: null }),
];
