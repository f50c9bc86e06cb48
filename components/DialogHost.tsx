import type { ScreenView } from '../src/core/views/keymap.js';
import type { Actions } from '../src/state/actions.js';
import { keyView, type DashboardStore, type Overlay } from '../src/state/store.js';
import { AnswerDialog } from './AnswerDialog.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { HelpOverlay } from './HelpOverlay.js';
import { EventsDialog, FormDialog, PickDialog } from './TaskDialogs.js';

/**
 * The open dialog, drawn in place of the screen; `screen` is the view under it, whose keys the help
 * lists. The dialog takes the keys while the store's top overlay is of its kind, checked as each key
 * arrives: a key pressed just after a dialog closed goes to what is on top now.
 */
export function DialogHost({ store, overlay, actions, screen, width, height }: { store: DashboardStore; overlay: Overlay; actions: Actions; screen: ScreenView; width: number; height: number }) {
  const isActive = (): boolean => keyView(store.getState()) === overlay.kind;
  const frame = { actions, width, height, isActive };
  switch (overlay.kind) {
    case 'help':
      return <HelpOverlay view={screen} {...frame} />;
    case 'confirm':
      return <ConfirmDialog overlay={overlay} {...frame} />;
    case 'answer':
      return <AnswerDialog overlay={overlay} {...frame} />;
    case 'pick':
      return <PickDialog overlay={overlay} {...frame} />;
    case 'form':
      return <FormDialog overlay={overlay} {...frame} />;
    case 'events':
      return <EventsDialog overlay={overlay} {...frame} />;
  }
}
