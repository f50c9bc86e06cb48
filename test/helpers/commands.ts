/**
 * The dashboard's `Commands` port, answered with plain lines and nothing done: component tests start from
 * it and put in the commands they watch (recording calls, returning what the test needs). One place to
 * add a new command's fake.
 */
import type { Commands } from '../../src/state/actions.js';

export function quietCommands(overrides: Partial<Commands> = {}): Commands {
  return {
    start: async (n) => `${n}: started`,
    bringBack: async () => 'all: brought back',
    stop: async (n) => `${n}: stopped`,
    checkWorker: () => null,
    addWorker: async (input) => `${input.name}: started`,
    toggleContinue: (n) => `${n}: continue cancelled`,
    send: async () => 'sent',
    accept: async (id) => `${id} accepted`,
    restartDecision: async () => ({ action: 'idle', reasons: ['the worker comes back idle'], backupRef: false }),
    restartGuarded: async (n) => `${n}: restarted`,
    assign: async (id, n) => `${id} → ${n}`,
    reassign: async (id, n) => ({ message: `${id} moved to ${n}` }),
    addTask: () => null,
    eventLines: () => [],
    setDispatchPaused: () => {},
    land: async () => 'nothing to land',
    doctorFindings: async () => [],
    fixFinding: async () => 'fixed',
    readQuestion: async () => null,
    answerQuestion: async (n, _asked, key) => `${n}: sent ${key}`,
    attach: () => {},
    watchDetail: () => {},
    quit: () => {},
    ...overrides,
  };
}
