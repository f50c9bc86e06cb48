import { useContext, useLayoutEffect, useRef } from 'react';
import { bindingFor, splitTyped, TEXT_EDITING, type Action, type KeyPress, type View } from '../src/core/views/keymap.js';
import { KeyRoutesContext, type KeyOwner, type Live } from './KeyRouter.js';

export type { Live } from './KeyRouter.js';

/** What each action of a view does here, given the key's input (an answer dialog sends the letter pressed); an action left out does nothing. */
export type Handlers = Partial<Record<Action, (input: string) => void>>;

/**
 * Dispatches each key press to the action the keymap binds it to in `view`, while `isActive`. With
 * `onText`, what is typed and bound to nothing is text (a form field, a search): a chunk typed fast
 * is split so the control keys in it still act, through the table too.
 *
 * `view` and `isActive` may be read when the key arrives rather than at the last render: Ink renders
 * after a key's handler returns, so the next key of a burst (`/` then a pasted search) must see the
 * store as the previous key left it, not as the screen last showed it. Needs a `KeyRouter` above.
 */
export function useBindings(view: Live<View>, handlers: Handlers, isActive: Live<boolean>, onText?: (text: string) => void): void {
  const routes = useContext(KeyRoutesContext);
  if (routes === null) throw new Error('useBindings needs a <KeyRouter> above it');
  const owner = useRef<KeyOwner>({ view, isActive, press: () => {} });
  // Set at commit, so a key always reaches the handlers the screen shows.
  useLayoutEffect(() => {
    owner.current = { view, isActive, press: (current, input, key) => dispatch(current, handlers, onText, input, key) };
  });
  useLayoutEffect(() => routes.add(owner), [routes]);
}

function dispatch(view: View, handlers: Handlers, onText: ((text: string) => void) | undefined, input: string, key: KeyPress): void {
  const binding = bindingFor(input, key, view);
  if (binding) return handlers[binding.action]?.(input);
  // A Ctrl or Alt chord bound to nothing is not text either.
  if (onText === undefined || key.ctrl === true || key.meta === true) return;
  for (const piece of splitTyped(input)) {
    if ('text' in piece) {
      onText(piece.text);
      continue;
    }
    // A control byte bound to nothing here is dropped; after a key that may close the dialog, so is the rest.
    const inner = bindingFor('', piece.key, view);
    if (inner === undefined) continue;
    handlers[inner.action]?.('');
    if (!TEXT_EDITING.includes(inner.action)) return;
  }
}
