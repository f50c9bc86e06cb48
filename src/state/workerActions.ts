/**
 * `W`: a new worker from a form (name, lane, agent preset or command), written into sessions.json (the
 * file's other lines untouched) and started. A problem is named by its field and the form stays open;
 * nothing is written until the entry is valid.
 */
import { formDialog } from './dialogs.js';
import { focusedWorker, type DashboardStore } from './store.js';

export interface NewWorkerInput {
  name: string;
  lane: string;
  agent: string;
  command: string;
}

export interface WorkerCommands {
  /** Checks the entry against the config as it is on disk: a problem ("lane: expected …"), or null. */
  checkWorker(input: NewWorkerInput): string | null;
  /** Writes it and starts it; resolves to one line for the person. */
  addWorker(input: NewWorkerInput): Promise<string>;
}

export function createWorkerHandlers(store: DashboardStore, commands: WorkerCommands, perform: (label: string, work: () => Promise<string>) => void) {
  return {
    addWorker: (): void => {
      const lane = focusedWorker(store.getState())?.lane ?? '';
      store.setState({
        overlay: formDialog({
          title: 'New worker',
          lines: ['Written into sessions.json (its other lines kept as they are), then started in its own worktree.'],
          fields: [
            { name: 'name', label: 'name', value: '', placeholder: 'e.g. app-3' },
            { name: 'lane', label: 'lane', value: lane, placeholder: 'one of the lanes' },
            { name: 'agent', label: 'agent', value: '', placeholder: 'claude-code, codex, gemini, aider, or empty' },
            { name: 'command', label: 'command', value: '', placeholder: 'with no agent: the command to run' },
          ],
          onSubmit: (values) => {
            const input: NewWorkerInput = { name: values['name'] ?? '', lane: values['lane'] ?? '', agent: values['agent'] ?? '', command: values['command'] ?? '' };
            const problem = commands.checkWorker(input);
            if (problem !== null) return problem;
            perform(`adding ${input.name}`, () => commands.addWorker(input));
            return null;
          },
        }),
      });
    },
  };
}
