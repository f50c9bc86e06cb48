/**
 * Fills the state layer's `Commands` port (what the keys need) from the services: each key's command
 * acts as the person at the dashboard, then asks for a fresh look at tmux and the board.
 */
import { formatEvent } from '../core/rules/events.js';
import { clockTime } from '../core/rules/health.js';
import { diagnose, type Finding } from '../core/rules/doctor.js';
import { DASHBOARD_PERSON } from '../core/rules/tasks.js';
import { applyFix, gatherDoctorFacts } from '../control/doctorFixes.js';
import type { DetailRequest } from '../control/detailFeed.js';
import type { Commands } from '../state/actions.js';
import { promptsOf } from '../control/messenger.js';
import type { DashboardStore } from '../state/store.js';
import type { Services } from './services.js';
import { readFileSync } from 'node:fs';
import { addWorkerEntry, type WorkerEntry } from '../core/config/workerEdit.js';
import type { NewWorkerInput } from '../state/workerActions.js';

/** The form's fields as a sessions.json entry: an agent preset, or a command run by sh -c. */
function newWorkerEntry(input: NewWorkerInput): WorkerEntry {
  return { name: input.name, lane: input.lane, ...(input.agent === '' ? {} : { agent: input.agent }), ...(input.command === '' ? {} : { command: input.command }) };
}

export interface DashboardHooks {
  /** After an action of ours: look at tmux and the board now rather than at the next tick. */
  refresh(): void;
  attach(worker: string): void;
  watchDetail(request: DetailRequest | null): void;
  quit(): void;
}

const PERSON = DASHBOARD_PERSON;

export function dashboardCommands(services: Services, store: DashboardStore, hooks: DashboardHooks): Commands {
  let findings: Finding[] = [];
  const done = (message: string): string => {
    hooks.refresh();
    return message;
  };
  const summary = (results: readonly { worker: string; outcome: string }[]): string => done(results.map((r) => `${r.worker}: ${r.outcome}`).join(' · '));
  return {
    start: async (name) => summary(await services.recovery.bringBack([name], PERSON, 'started from the dashboard (u)')),
    bringBack: async () => {
      const results = await services.recovery.bringBack([], PERSON, 'brought back from the dashboard (U)');
      // One line is all the notice holds: what changed, else that nothing needed to.
      const changed = results.filter((r) => !r.outcome.startsWith('already running') && !r.outcome.startsWith('left stopped'));
      return summary(changed.length > 0 ? changed : [{ worker: 'all', outcome: 'every worker that should run is running with its task' }]);
    },
    stop: async (name) => summary([await services.workers.stop(name, PERSON, 'stopped from the dashboard (s)')]),
    checkWorker: (input) => {
      const file = services.config().file;
      // The file as it is on disk now: what the write will start from (an edit by hand included).
      const checked = addWorkerEntry(readFileSync(file, 'utf8'), file, newWorkerEntry(input));
      if (checked.ok) return null;
      if (checked.kind === 'entry') return checked.problems.map((p) => `${p.field}: ${p.message}`).join(' · ');
      return checked.kind === 'config' ? `${file} has problems of its own: fix them first (${checked.problems[0]?.message ?? ''})` : 'no such worker';
    },
    addWorker: async (input) => {
      const outcome = await services.entries.add(newWorkerEntry(input), PERSON, 'added from the dashboard (W)');
      if (!outcome.ok) return done(`${input.name}: nothing written: ${outcome.problems.map((p) => `${p.field}: ${p.message}`).join(' · ')}`);
      return summary(outcome.results.length > 0 ? outcome.results : [{ worker: input.name, outcome: `added to ${outcome.file}` }]);
    },
    send: async (target, text) => {
      // At its prompt: its state and how long its screen has been still, as the dashboard sees it now.
      const outcome = await services.messenger.send(target, text, PERSON, promptsOf(() => store.getState().workers, Date.now()));
      return done(outcome.lines.map((line) => `${line.worker ? `${line.worker}: ` : ''}${line.text}`).join(' · '));
    },
    toggleContinue: (name) => {
      const worker = store.getState().workers.find((w) => w.name === name);
      if (worker === undefined) return `${name} is gone`;
      return done(services.afterLimit.toggle(worker, PERSON));
    },
    readQuestion: (name) => services.answering.read(name),
    answerQuestion: async (name, asked, key) => done((await services.answering.answer(name, key, { actor: PERSON, asked })).message),
    attach: hooks.attach,
    watchDetail: hooks.watchDetail,
    quit: hooks.quit,
    assign: async (taskId, worker) => done((await services.tasks.assign(taskId, worker, PERSON)).message),
    accept: async (taskId) => done(services.tasks.move(taskId, () => ({ type: 'accept' }), PERSON).message),
    reassign: async (taskId, worker, laneConfirmed) => {
      const outcome = await services.tasks.reassign(taskId, worker, PERSON, { laneConfirmed });
      done(outcome.message);
      return outcome.ok ? { message: outcome.message } : { message: outcome.message, ...(outcome.askLane === true ? { askLane: true } : {}) };
    },
    addTask: (input) => {
      const priority = input.priority === '' ? undefined : Number(input.priority);
      if (priority !== undefined && (!Number.isInteger(priority) || priority < 0 || priority > 9)) return `priority: expected a whole number 0–9, got "${input.priority}"`;
      const outcome = services.tasks.add(
        {
          title: input.title,
          ...(input.lane === '' ? {} : { lane: input.lane }),
          ...(priority === undefined ? {} : { priority }),
          ...(input.check === '' ? {} : { check: input.check }),
        },
        PERSON,
      );
      if (!outcome.ok) return outcome.message;
      store.setState({ notice: { level: 'info', text: outcome.message }, boardSelected: outcome.task?.id ?? null });
      done(outcome.message);
      return null;
    },
    restartDecision: (worker, options) => services.restarts.decision(worker, { ...options, automatic: false }),
    restartGuarded: async (worker, options) => {
      const outcome = await services.restarts.restart(worker, { actor: PERSON, reason: 'restarted from the dashboard (r), confirmed', ...options });
      return done(`${worker}: ${outcome.message} · ${outcome.decision.reasons[0] ?? ''}`);
    },
    eventLines: (about) => services.store.events({ about, limit: 200 }).map((event) => formatEvent(event, clockTime)),
    land: async () => done(await services.landings.land(PERSON)),
    doctorFindings: async () => {
      findings = diagnose(await gatherDoctorFacts(services.doctor(PERSON)));
      return findings;
    },
    fixFinding: async (index) => {
      const finding = findings[index];
      if (finding === undefined) return 'that finding is gone: press D to look again';
      return done(await applyFix(finding, services.doctor(PERSON)));
    },
    setDispatchPaused: (paused) => {
      services.dispatcher.setPaused(paused, PERSON, paused ? 'paused from the dashboard (P)' : 'resumed from the dashboard (P)');
      hooks.refresh();
    },
  };
}
