import { useInput } from 'ink';
import { createContext, useState, type ReactNode } from 'react';
import type { KeyPress, View } from '../src/core/views/keymap.js';

/** A value, or a way to read it when a key arrives. */
export type Live<T> = T | (() => T);

export const read = <T,>(value: Live<T>): T => (typeof value === 'function' ? (value as () => T)() : value);

/** What one `useBindings` call asks for: its view's keys, while it is active. */
export interface KeyOwner {
  view: Live<View>;
  isActive: Live<boolean>;
  /** Handles a key press already known to be this owner's. */
  press(view: View, input: string, key: KeyPress): void;
}

/**
 * The owners of keys below one Ink root. Each key press has exactly one owner, chosen before any handler
 * runs: a key that opens a dialog or starts a search is never also read by the dialog or search it opened.
 */
export class KeyRoutes {
  private readonly owners = new Set<{ current: KeyOwner }>();

  add(owner: { current: KeyOwner }): () => void {
    this.owners.add(owner);
    return () => this.owners.delete(owner);
  }

  /**
   * The latest-registered active owner gets the key; the others never see it. Letters that arrive in one
   * read (a held key, keys pressed faster than a frame, `tmux send-keys j j j`) are that many presses,
   * each routed anew: the first may open a dialog that owns the next. Typed into a form or a search,
   * they are text either way.
   */
  press(input: string, key: KeyPress): void {
    const chars = [...input];
    if (chars.length > 1 && isPlain(key) && chars.every(printable)) {
      for (const char of chars) this.pressOne(char, key);
      return;
    }
    this.pressOne(input, key);
  }

  private pressOne(input: string, key: KeyPress): void {
    const owner = [...this.owners].reverse().find((o) => read(o.current.isActive));
    if (owner) owner.current.press(read(owner.current.view), input, key);
  }
}

/** No named key and no Ctrl or Alt: plain characters only. */
function isPlain(key: KeyPress): boolean {
  return !Object.entries(key).some(([name, on]) => on === true && name !== 'shift');
}

function printable(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code >= 0x20 && code !== 0x7f;
}

export const KeyRoutesContext = createContext<KeyRoutes | null>(null);

/** The one Ink input listener of the dashboard: it hands each key to the owner `useBindings` registered. */
export function KeyRouter({ children }: { children: ReactNode }) {
  const [routes] = useState(() => new KeyRoutes());
  useInput((input, key) => routes.press(input, key));
  return <KeyRoutesContext.Provider value={routes}>{children}</KeyRoutesContext.Provider>;
}
