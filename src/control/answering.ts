/**
 * Answers a waiting worker's question from outside its terminal (`y` in the dashboard, `muxctl answer`).
 * Right before sending, the screen is captured again and read again: only when the same question
 * (its line, the lines around it, its choices and their keys) is still there is anything typed. A
 * screen that changed in between, even by a line, gets nothing: an answer typed into the wrong
 * question may approve a command nobody read. A sent answer is a board event with the question, the
 * key and who answered.
 */
import type { TaskStore } from '../adapters/taskStore.js';
import type { Tmux } from '../adapters/tmux.js';
import type { ProjectConfig } from '../core/config/config.js';
import { choiceFor, choicesText, keyLabel, keysToSend, normalizeKey, readQuestion, sameQuestion, sentText, waitingPatterns, type Choice, type Question } from '../core/rules/answers.js';
import type { Actor } from '../core/rules/tasks.js';

export interface AnsweringDeps {
  config: () => ProjectConfig;
  tmux: Pick<Tmux, 'capturePanes' | 'sendKeys'>;
  store: Pick<TaskStore, 'record'>;
  now: () => number;
  /** Masks secrets in the question and the lines around it, as shown and as recorded. */
  redact?: (text: string) => string;
}

export type AnswerOutcome =
  | { ok: true; question: Question; choice: Choice; key: string; sent: string[]; message: string }
  | { ok: false; why: 'not-asking' | 'changed' | 'not-a-choice'; question: Question | null; message: string };

/** Lines captured: a question's context is a few lines, but a wide prompt box pushes it up. */
const CAPTURED_LINES = 60;

export class Answering {
  constructor(private readonly deps: AnsweringDeps) {}

  /** The question on the worker's screen now, or null when it asks nothing muxctl can read (or has no session). */
  async read(worker: string): Promise<Question | null> {
    const screen = (await this.deps.tmux.capturePanes([worker], CAPTURED_LINES)).get(worker);
    if (screen === undefined) return null;
    const redact = this.deps.redact ?? ((text: string) => text);
    return readQuestion(screen.map(redact), this.patterns(worker));
  }

  /**
   * Sends the answer `key` picks. With `asked` (the question the person saw), only if the screen still
   * asks exactly that; without it (a script that read nothing first), only if the key is one of the
   * choices of what the screen asks now.
   */
  async answer(worker: string, rawKey: string, options: { actor: Actor; asked?: Question }): Promise<AnswerOutcome> {
    const key = normalizeKey(rawKey);
    const { asked } = options;
    if (asked !== undefined && choiceFor(asked, key) === undefined) return notAChoice(worker, key, asked);
    const current = await this.read(worker);
    if (asked !== undefined && (current === null || !sameQuestion(asked, current))) {
      return { ok: false, why: 'changed', question: current, message: `${worker}: the question changed: nothing sent` };
    }
    if (current === null) return { ok: false, why: 'not-asking', question: null, message: `${worker}: the worker is not asking anything: nothing sent` };
    const choice = choiceFor(current, key);
    if (choice === undefined) return notAChoice(worker, key, current);
    const sent = keysToSend(current, key);
    await this.deps.tmux.sendKeys(worker, sent);
    this.deps.store.record({
      time: this.deps.now(),
      actor: options.actor,
      kind: 'worker',
      subject: worker,
      action: 'answer',
      worker,
      reasons: [`asked: ${current.question}`, `answered ${keyLabel(key)}: ${choice.label} (sent ${sentText(sent)})`],
    });
    return { ok: true, question: current, choice, key, sent, message: `${worker}: sent ${sentText(sent)} (${choice.label}) to "${current.question}"` };
  }

  private patterns(worker: string): RegExp[] {
    const config = this.deps.config();
    const own = config.workers.find((w) => w.name === worker)?.waitingPatterns ?? [];
    return waitingPatterns([...config.health.waitingPatterns, ...own]);
  }
}

function notAChoice(worker: string, key: string, question: Question): AnswerOutcome {
  return { ok: false, why: 'not-a-choice', question, message: `${worker}: ${keyLabel(key)} is not one of the choices (${choicesText(question)}): nothing sent` };
}
