/**
 * The keymap's rows for the views of lines (the log view and the diff view: scroll, follow, filter,
 * search), then the keys that work on every screen: back, help, quit.
 */
import { SCREENS, type Binding } from './bindingTypes.js';
import { AWAY, char, ctrl, LINES, LOG, named, row, WORKERS } from './bindingRows.js';

export const lineKeys: readonly Binding[] = [
  // The log view and the diff view: scroll, follow, filter.
  row({ action: 'scrollUp', keys: [named('up'), char('k')], views: LINES, label: '↑/k', description: 'scroll up a line (stops following)', hint: null }),
  row({ action: 'scrollDown', keys: [named('down'), char('j')], views: LINES, label: '↓/j', description: 'scroll down a line', hint: null }),
  row({ action: 'pageUp', keys: [named('pageUp'), ctrl('u')], views: LINES, label: 'PgUp/Ctrl-U', description: 'scroll up a page', hint: null }),
  row({ action: 'pageDown', keys: [named('pageDown'), ctrl('d')], views: LINES, label: 'PgDn/Ctrl-D', description: 'scroll down a page', hint: null }),
  row({ action: 'scrollTop', keys: [char('g'), named('home')], views: LINES, label: 'g/Home', description: 'go to the first line (in the log, the oldest)', hint: null }),
  row({ action: 'follow', keys: [char('G'), named('end')], views: LINES, label: 'G/End', description: 'go to the last line (in the log, the newest) and follow new ones', hint: 'follow' }),
  row({ action: 'cycleLevel', keys: [char('e')], views: LOG, label: 'e', description: 'lowest level shown: all → info → warn → error', hint: 'level' }),
  row({ action: 'search', keys: [char('/')], views: LINES, label: '/', description: 'search the lines: type what to look for', hint: 'search' }),
  // Everywhere.
  row({ action: 'back', keys: [named('escape'), char('q')], views: AWAY, label: 'Esc/q', description: 'back to the workers (the grid or the list)', hint: 'back' }),
  row({ action: 'help', keys: [char('?')], views: SCREENS, label: '?', description: 'show or hide this help', hint: 'help' }),
  row({ action: 'quit', keys: [char('q'), ctrl('c')], views: WORKERS, label: 'q/Ctrl-C', description: 'quit the dashboard (workers keep running)', hint: 'quit' }),
];
