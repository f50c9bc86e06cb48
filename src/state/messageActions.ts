/**
 * `m` and `M`: a message typed into one worker's agent, or into every worker of a lane (or all) after a
 * confirmation. The text is one field of a form; the send itself is the control plane's (a paste at
 * the agent's prompt, or waiting in the board until it is there), and its outcome the notice line.
 */
import type { MessageTarget } from '../core/rules/messages.js';
import { confirmDialog, formDialog } from './dialogs.js';
import { focusedWorker, type DashboardStore } from './store.js';

export interface MessageCommands {
  /** Sends `text` to the target's workers; resolves to one line for the person. */
  send(target: MessageTarget, text: string): Promise<string>;
}

export function createMessageHandlers(store: DashboardStore, commands: MessageCommands, perform: (label: string, work: () => Promise<string>) => void) {
  return {
    message: (): void => {
      const worker = focusedWorker(store.getState());
      if (worker === undefined) return;
      store.setState({
        overlay: formDialog({
          title: `Message to ${worker.name}`,
          lines: ['Typed into its agent at its prompt (one paste, then Enter); a busy worker gets it when it is back there.'],
          fields: [{ name: 'text', label: 'message', value: '', placeholder: 'what to tell it, in a line' }],
          onSubmit: (values) => {
            const text = values['text'] ?? '';
            if (text === '') return 'a message needs some text';
            perform(`sending to ${worker.name}`, () => commands.send({ kind: 'worker', name: worker.name }, text));
            return null;
          },
        }),
      });
    },
    messageMany: (): void => {
      const state = store.getState();
      const lanes = [...new Set(state.workers.map((w) => w.lane))];
      const worker = focusedWorker(state);
      store.setState({
        overlay: formDialog({
          title: 'Message to many workers',
          lines: [`To a lane (${lanes.join(', ')}) or all.`],
          fields: [
            { name: 'to', label: 'to', value: worker?.lane ?? 'all', placeholder: 'a lane, or all' },
            { name: 'text', label: 'message', value: '', placeholder: 'what to tell them, in a line' },
          ],
          onSubmit: (values) => {
            const to = values['to'] ?? '';
            const text = values['text'] ?? '';
            if (to !== 'all' && !lanes.includes(to)) return `to: expected a lane (${lanes.join(', ')}) or all; got "${to}"`;
            if (text === '') return 'a message needs some text';
            const target: MessageTarget = to === 'all' ? { kind: 'all' } : { kind: 'lane', lane: to };
            const names = store.getState().workers.filter((w) => to === 'all' || w.lane === to).map((w) => w.name);
            // Many agents at once: the person says yes to the list first.
            store.setState({
              overlay: confirmDialog({
                title: `Send to ${names.length} worker${names.length === 1 ? '' : 's'}?`,
                lines: [`To ${to === 'all' ? 'every worker' : `lane ${to}`}: ${names.join(', ')}`, `“${text}”`, 'Each gets it at its prompt; a busy one when it is back there.'],
                onYes: () => perform(`sending to ${names.length} workers`, () => commands.send(target, text)),
              }),
            });
            return null;
          },
        }),
      });
    },
  };
}
