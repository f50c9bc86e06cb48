/**
 * Task chains (issue 5): a named list of steps, each a task with its own acceptance check, added in one
 * command from a small YAML or JSON file. Each step waits on the one before, so a failed step stops the
 * chain there and a restart picks up at the first unfinished step: done steps are never run again.
 */
import { parse as parseYaml } from 'yaml';
import { didYouMean } from '../config/config.js';
import { ATTEMPTS_RANGE, PRIORITY_RANGE, checkCommand, checkInteger, checkLabels, checkLane, shown, type Checked } from '../parsers/inbox.js';
import type { NewTask } from './tasks.js';

const CHAIN_FIELDS = ['name', 'lane', 'priority', 'labels', 'steps'] as const;
const STEP_FIELDS = ['title', 'prompt', 'lane', 'priority', 'check', 'labels', 'maxAttempts'] as const;

export interface ChainPlan {
  name: string;
  /** In order; step k (from 0) waits on step k-1 (written `#k-1`, resolved by the store when added). */
  steps: Array<Omit<NewTask, 'id'>>;
}

export type ChainParse = { ok: true; chain: ChainPlan } | { ok: false; problems: string[] };

export function parseChainFile(text: string, fileName: string, lanes: readonly string[]): ChainParse {
  const fail = (problems: string[]): ChainParse => ({ ok: false, problems: problems.map((p) => `${fileName}: ${p}`) });
  let raw: unknown;
  try {
    // JSON is YAML: one parser reads both.
    raw = parseYaml(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return fail([`not valid YAML or JSON: ${(error as Error).message.split('\n')[0] ?? ''}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail([`expected a mapping with "name" and "steps", got ${shown(raw)}`]);
  const chain = raw as Record<string, unknown>;
  const problems: string[] = unknown(chain, CHAIN_FIELDS, '');
  const name = typeof chain['name'] === 'string' && /^[\w.-]{1,64}$/.test(chain['name']) ? chain['name'] : null;
  if (name === null) problems.push(`name: expected a chain name of letters, digits, ".", "-" and "_", got ${shown(chain['name'])}`);
  const pick = <T>(result: Checked<T>): T | undefined => {
    if (result.ok) return result.value;
    problems.push(result.problem);
    return undefined;
  };
  const laneDefault = chain['lane'] === undefined ? undefined : pick(checkLane(chain['lane'], lanes));
  const priorityDefault = pick(checkInteger('priority', chain['priority'], PRIORITY_RANGE));
  const labelsDefault = pick(checkLabels(chain['labels'])) ?? [];
  const steps = chain['steps'];
  if (!Array.isArray(steps) || steps.length === 0) {
    problems.push(`steps: expected a list of at least one step (each with a "title"), got ${shown(steps)}`);
    return fail(problems);
  }
  const planned: Array<Omit<NewTask, 'id'>> = [];
  steps.forEach((entry: unknown, index) => {
    const at = `steps[${index}]`;
    const step = typeof entry === 'string' ? { title: entry } : entry;
    if (step === null || typeof step !== 'object' || Array.isArray(step)) {
      problems.push(`${at}: expected a step with a "title", got ${shown(step)}`);
      return;
    }
    const fields = step as Record<string, unknown>;
    const before = problems.length;
    problems.push(...unknown(fields, STEP_FIELDS, `${at}.`));
    const title = typeof fields['title'] === 'string' && fields['title'].trim() !== '' ? fields['title'].trim() : null;
    if (title === null) problems.push(`${at}.title: expected a non-empty string, got ${shown(fields['title'])}`);
    const inStep = <T>(result: Checked<T>): T | undefined => pick(result.ok ? result : { ok: false, problem: `${at}.${result.problem}` });
    const lane = fields['lane'] === undefined ? (laneDefault ?? inStep(checkLane(undefined, lanes))) : inStep(checkLane(fields['lane'], lanes));
    const priority = inStep(checkInteger('priority', fields['priority'], PRIORITY_RANGE)) ?? priorityDefault;
    const check = inStep(checkCommand(fields['check']));
    const labels = inStep(checkLabels(fields['labels']));
    const maxAttempts = inStep(checkInteger('maxAttempts', fields['maxAttempts'], ATTEMPTS_RANGE));
    const prompt = typeof fields['prompt'] === 'string' ? fields['prompt'] : undefined;
    if (fields['prompt'] !== undefined && prompt === undefined) problems.push(`${at}.prompt: expected text, got ${shown(fields['prompt'])}`);
    if (problems.length > before || title === null || lane === undefined || name === null) return;
    planned.push({
      title,
      lane,
      labels: [...labelsDefault, ...(labels ?? [])],
      check: check ?? null,
      ...(prompt === undefined ? {} : { prompt }),
      ...(priority === undefined ? {} : { priority }),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      after: index === 0 ? [] : [`#${index - 1}`],
      chain: { name, step: index + 1 },
    });
  });
  if (problems.length > 0 || name === null) return fail(problems);
  return { ok: true, chain: { name, steps: planned } };
}

function unknown(fields: Record<string, unknown>, allowed: readonly string[], prefix: string): string[] {
  return Object.keys(fields)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${prefix}${key}: unknown field${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})`);
}
