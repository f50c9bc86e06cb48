/**
 * The project config (`sessions.json`): its schema, its validation and the messages a person reads when
 * it is wrong. Pure: the caller reads the file and passes its text and absolute path.
 *
 * Validation reports every problem at once, each with the field path, what was expected, what was found
 * and where in the file it is (`sessions.json:12:7: workers[1].lane: …`), because fixing a config one
 * error per run is miserable.
 */
import path from 'node:path';
import { z } from 'zod';
import { WORKER_NAME_PATTERN, defaultSocketName } from '../rules/names.js';
import { formatPath, lineColumn, parseJsonc, type JsonDocument, type JsonPath } from './jsonLocate.js';

// Re-exported: these lived here before JSON reading moved to jsonLocate.ts.
export { formatPath, type JsonPath } from './jsonLocate.js';

export const LOG_FORMATS = ['auto', 'claude-code', 'claude-stream-json', 'codex-rollout', 'codex-exec-json', 'aider', 'json-lines', 'muxctl', 'text'] as const;
export const RESTART_POLICIES = ['never', 'on-failure', 'always'] as const;
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface WorkerConfig {
  name: string;
  lane: string;
  /** A string is run by `sh -c` as written; an array is an argv (see `shellCommand` in names.ts). */
  command: string | string[];
  env: Record<string, string>;
  /** Relative to the worker's worktree. */
  cwd?: string;
  /** `path` may be a glob: relative to the worker's worktree, absolute, or under ~/, with placeholders (see expandLogPath). */
  log?: { path: string; format: LogFormat };
  restart: { policy: RestartPolicy; maxRestarts: number; backoffSeconds: number };
  stop: { keys: string[]; signal: StopSignal; graceSeconds: number };
  task: TaskDelivery;
}

/**
 * How a task reaches the worker. `paste` types the prompt into an interactive agent that is already
 * running (Claude Code, Codex, Gemini CLI); `env` (re)starts the worker's command with the task in its
 * environment (MUXCTL_TASK_*), or runs `command` instead with {id}, {title}, {prompt}, {branch} filled in.
 */
export interface TaskDelivery {
  delivery: 'paste' | 'env';
  command?: string | string[];
}

export interface RoutingRule {
  lane: string;
  /** A task with any of these labels goes to the lane. */
  labels: string[];
  /** A task whose title holds any of these words (case-insensitive, whole words) goes to the lane. */
  words: string[];
}

/** The merge queue (issue 5): how finished work lands on the base branch. */
export interface LandConfig {
  /** The project's check, run in the integration worktree before the base moves; null: none. */
  check: string | null;
  /** How a task branch is brought onto the current base: a merge commit, or its commits replayed. */
  strategy: 'merge' | 'rebase';
  /** Push the base to this remote after it moved (never forced); null: do not push. */
  push: string | null;
  /** The leading dashboard lands done tasks without being asked. */
  auto: boolean;
  /** Land up to this many entries together, one check for all; a failure is found by halves. */
  batch: number;
}

export interface TasksConfig {
  /** How long a claim lasts without activity from its worker; activity renews it. */
  leaseSeconds: number;
  /** Hand queued tasks to idle workers without being asked (can be paused from the dashboard). */
  autoDispatch: boolean;
  routing: RoutingRule[];
}

export interface ProjectConfig {
  /** Absolute path of the config file. */
  file: string;
  project: string;
  /** Absolute. */
  repo: string;
  baseBranch: string;
  /** Absolute; each worker's worktree is `<worktreeDir>/<worker>`. */
  worktreeDir: string;
  tmuxSocket: string;
  lanes: Record<string, { description?: string }>;
  workers: WorkerConfig[];
  health: HealthConfig;
  alerts: { bell: boolean };
  hooks: { onStateChange: string | null };
  logs: { ringSize: number };
  tasks: TasksConfig;
  land: LandConfig;
}

export interface HealthConfig {
  /** Quiet this long with no turn open: idle. */
  idleAfterSeconds: number;
  /** Quiet this long with work in hand: stuck. */
  stuckAfterSeconds: number;
  /** A new state must hold this long before it is shown. */
  settleMs: number;
  /** Extra regular expressions for a screen line that asks the person something. */
  waitingPatterns: string[];
}

export const PROJECT_DEFAULTS = {
  health: { idleAfterSeconds: 30, stuckAfterSeconds: 600, settleMs: 1500, waitingPatterns: [] as string[] },
  alerts: { bell: true },
  logs: { ringSize: 500 },
  tasks: { leaseSeconds: 600, autoDispatch: true },
  land: { check: null, strategy: 'merge', push: null, auto: false, batch: 1 },
} as const;

export interface ConfigProblem {
  file: string;
  /** Field path such as `workers[2].lane`, or `(root)`. */
  path: string;
  /** What was expected, and what was found. */
  message: string;
  /** 1-based position in the file of the offending value or field name, when known. */
  line?: number;
  column?: number;
}

export type ConfigResult = { ok: true; config: ProjectConfig } | { ok: false; problems: ConfigProblem[] };

/** What a worker gets when neither it nor `defaults` says otherwise. */
export const WORKER_DEFAULTS = {
  logFormat: 'auto',
  restart: { policy: 'never', maxRestarts: 3, backoffSeconds: 5 },
  stop: { keys: [] as string[], signal: 'SIGTERM', graceSeconds: 5 },
  task: { delivery: 'paste' },
} as const satisfies { logFormat: LogFormat; restart: WorkerConfig['restart']; stop: WorkerConfig['stop']; task: WorkerConfig['task'] };

// ── Schema ──────────────────────────────────────────────────────────────────────────────────────────
// No zod `.default()`s: a worker's fields are merged over `defaults` first, and only then filled from
// WORKER_DEFAULTS (a zod default would make `restart: {policy}` in a worker hide `defaults.restart`).
// The defaults still appear in the JSON Schema through `.meta({ default })`, for editors.

const NAME_RULE = 'use letters, digits, "-" and "_", starting with a letter or digit, at most 48 characters';
const COMMAND_EXPECTED = 'expected a string or a non-empty array of strings';
const nonBlank = (what: string) => z.string({ error: `expected ${what}` }).regex(/\S/, { error: `expected ${what}` });

const command = z
  .union(
    [
      nonBlank('a non-empty command').meta({ description: 'Run by sh -c as written.' }),
      z
        .array(z.string(), { error: COMMAND_EXPECTED })
        .min(1, { error: COMMAND_EXPECTED })
        .refine((argv) => argv[0]?.trim() !== '', { error: 'expected the program to run as the first element', path: [0] })
        .meta({ description: 'An argv: each element is passed as one argument, no shell parsing.' }),
    ],
    { error: COMMAND_EXPECTED },
  )
  .meta({ description: 'What the worker runs, in its worktree (or cwd); muxctl puts its own bin dir first on PATH.' });

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid environment variable name: use letters, digits and "_", not starting with a digit` })
  .regex(/^(?!MUXCTL_)/, { error: (iss) => `${JSON.stringify(iss.input)} is reserved: muxctl sets the MUXCTL_* variables itself` });

const relativeInside = (what: string) =>
  z
    .string()
    .min(1)
    .refine((p) => !path.isAbsolute(p) && path.normalize(p).split(path.sep)[0] !== '..', {
      error: `expected a relative path inside ${what} (not absolute, not starting with "..")`,
    });

const log = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith('~') || p === '~' || p.startsWith('~/'), { error: 'expected "~/…" for a path in your home directory ("~user" is not expanded)' })
      .meta({
        description:
          "Log file or glob: relative to the worker's worktree, absolute, or under ~/. {worktree} is the worktree's path and {claudeProject} the name Claude Code gives its folder under ~/.claude/projects.",
      }),
    format: z.enum(LOG_FORMATS).optional().meta({ default: WORKER_DEFAULTS.logFormat, description: 'How to read the log; auto guesses from its content.' }),
  })
  .meta({ description: 'Where the agent writes its log, so muxctl can tell what it is doing.' });

const seconds = z.number().min(0).max(86_400);

const restart = z
  .strictObject({
    policy: z.enum(RESTART_POLICIES).optional().meta({ default: WORKER_DEFAULTS.restart.policy }),
    maxRestarts: z.int().min(0).max(1000).optional().meta({ default: WORKER_DEFAULTS.restart.maxRestarts }),
    backoffSeconds: seconds.optional().meta({ default: WORKER_DEFAULTS.restart.backoffSeconds }),
  })
  .meta({ description: 'What muxctl does when the command exits on its own.' });

const stop = z
  .strictObject({
    keys: z.array(z.string().min(1)).optional().meta({ default: [], description: 'tmux key names sent first, e.g. ["C-c"] or ["Escape", "/exit", "Enter"].' }),
    signal: z.enum(STOP_SIGNALS).optional().meta({ default: WORKER_DEFAULTS.stop.signal }),
    graceSeconds: seconds.optional().meta({ default: WORKER_DEFAULTS.stop.graceSeconds, description: 'How long to wait after the keys, and again after the signal.' }),
  })
  .meta({ description: 'How a worker is stopped: keys, then the signal, then SIGKILL.' });

const task = z
  .strictObject({
    delivery: z.enum(['paste', 'env']).optional().meta({
      default: WORKER_DEFAULTS.task.delivery,
      description: 'paste: type the task into the running agent; env: (re)start the command with MUXCTL_TASK_* in its environment.',
    }),
    command: command.optional().meta({ description: 'With delivery env: run this instead of the worker command for a task; {id}, {title}, {prompt} and {branch} are filled in.' }),
  })
  .meta({ description: 'How a task reaches this worker.' });

/** The worker fields `defaults` may also set; name, lane and command belong to each worker. */
const sharedWorkerFields = {
  task: task.optional(),
  env: z.record(envName, z.string()).optional().meta({ default: {}, description: 'Extra environment variables (values are strings).' }),
  cwd: relativeInside("the worker's worktree").optional().meta({ description: "Directory to run in, relative to the worker's worktree." }),
  log: log.optional(),
  restart: restart.optional(),
  stop: stop.optional(),
};
const DEFAULTS_FORBIDDEN = new Set(['name', 'lane', 'command']);

const worker = z.strictObject({
  name: z
    .string()
    .regex(WORKER_NAME_PATTERN, { error: `expected a worker name (${NAME_RULE}; tmux session names cannot hold "." or ":")` })
    .meta({ description: 'Names the tmux session, the worktree directory and the branch muxctl/<name>.' }),
  lane: z.string().min(1).meta({ description: 'A key of "lanes".' }),
  command,
  ...sharedWorkerFields,
});

const laneName = z.string().regex(WORKER_NAME_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid lane name: ${NAME_RULE}` });

const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    project: nonBlank('a non-empty project name').meta({ description: 'The project name; it also names the tmux socket.' }),
    repo: z.string().min(1).optional().meta({ default: '.', description: 'The git repository, relative to this file.' }),
    baseBranch: z.string().regex(/^\S+$/, { error: 'expected a branch name (no spaces)' }).optional().meta({ default: 'main', description: 'Worker branches start from here.' }),
    worktreeDir: z.string().min(1).optional().meta({ description: 'Where worker worktrees go, relative to this file. Default: <repo>-worktrees beside the repo.' }),
    tmuxSocket: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a socket name of letters, digits, "-" and "_"' })
      .max(80)
      .optional()
      .meta({ description: 'The private tmux server (tmux -L <name>). Default: muxctl-<project>.' }),
    lanes: z
      .record(laneName, z.strictObject({ description: z.string().optional() }))
      .refine((lanes) => Object.keys(lanes).length > 0, { error: 'expected at least one lane, e.g. {"app": {}}' })
      .meta({ minProperties: 1, description: 'Groups of workers with one role; tasks are routed to lanes.' }),
    defaults: z.strictObject(sharedWorkerFields).optional().meta({ description: 'Worker fields applied under every worker (the worker wins, field by field).' }),
    workers: z.array(worker).min(1, { error: 'expected at least one worker' }),
    health: z
      .strictObject({
        idleAfterSeconds: seconds.optional().meta({ default: PROJECT_DEFAULTS.health.idleAfterSeconds, description: 'Quiet this long with no turn open: idle.' }),
        stuckAfterSeconds: seconds.optional().meta({ default: PROJECT_DEFAULTS.health.stuckAfterSeconds, description: 'Quiet this long with work in hand: stuck.' }),
        settleMs: z.number().int().min(0).max(60_000).optional().meta({ default: PROJECT_DEFAULTS.health.settleMs, description: 'A new state must hold this long before it is shown (no flicker).' }),
        waitingPatterns: z
          .array(z.string().refine(isRegExp, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid regular expression` }))
          .optional()
          .meta({ description: 'Extra regular expressions for a screen line that asks the person something.' }),
      })
      .optional()
      .meta({ description: 'When a worker counts as idle, stuck or waiting.' }),
    alerts: z
      .strictObject({ bell: z.boolean().optional().meta({ default: true, description: 'Ring the terminal bell when a worker starts waiting, crashes or gets stuck.' }) })
      .optional(),
    hooks: z
      .strictObject({
        onStateChange: z.string().min(1).optional().meta({
          description: 'A shell command run when a worker becomes waiting, crashed or stuck; MUXCTL_WORKER, MUXCTL_OLD_STATE, MUXCTL_NEW_STATE and MUXCTL_EVIDENCE are in its environment.',
        }),
      })
      .optional(),
    tasks: z
      .strictObject({
        leaseSeconds: z.number().min(5).max(86_400).optional().meta({ default: PROJECT_DEFAULTS.tasks.leaseSeconds, description: "How long a claim lasts without activity from its worker." }),
        autoDispatch: z.boolean().optional().meta({ default: PROJECT_DEFAULTS.tasks.autoDispatch, description: 'Hand queued tasks to idle workers of their lane without being asked.' }),
        routing: z
          .array(
            z.strictObject({
              lane: z.string().min(1).meta({ description: 'A key of "lanes".' }),
              labels: z.array(z.string().min(1)).optional().meta({ default: [], description: 'Tasks with any of these labels go to the lane.' }),
              words: z.array(z.string().min(1)).optional().meta({ default: [], description: 'Tasks whose title has any of these words go to the lane.' }),
            }),
          )
          .optional()
          .meta({ description: 'Which lane a task without one goes to; the first rule that matches wins.' }),
      })
      .optional()
      .meta({ description: 'The task board: leases, dispatch and routing.' }),
    land: z
      .strictObject({
        check: z.string().min(1).optional().meta({ description: 'The project check run before the base moves, e.g. "npm test".' }),
        strategy: z.enum(['merge', 'rebase']).optional().meta({ default: PROJECT_DEFAULTS.land.strategy, description: 'merge: a merge commit on the base; rebase: the task commits replayed onto it.' }),
        push: z.string().min(1).optional().meta({ description: 'A remote to push the base to after it moved (never forced).' }),
        auto: z.boolean().optional().meta({ default: PROJECT_DEFAULTS.land.auto, description: 'Land done tasks without being asked (the leading dashboard).' }),
        batch: z.int().min(1).max(50).optional().meta({ default: PROJECT_DEFAULTS.land.batch, description: 'Land this many entries together; a failure is found by halves.' }),
      })
      .optional()
      .meta({ description: 'The merge queue: how finished work lands on the base branch.' }),
    logs: z
      .strictObject({ ringSize: z.number().int().min(10).max(100_000).optional().meta({ default: PROJECT_DEFAULTS.logs.ringSize, description: 'Log events kept in memory per worker for the log view.' }) })
      .optional(),
  })
  .meta({ title: 'muxctl sessions.json', description: 'Workers (tmux session + git worktree + command) for one project.' });

type ParsedConfig = z.infer<typeof configSchema>;
type ParsedWorker = z.infer<typeof worker>;
type SharedFields = NonNullable<ParsedConfig['defaults']>;

/** JSON Schema (draft 2020-12) of the file as written, for editors (`"$schema": "./sessions.schema.json"`). */
export function configJsonSchema(): object {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
}

// ── Parsing ─────────────────────────────────────────────────────────────────────────────────────────

interface RawProblem {
  path: JsonPath;
  message: string;
  /** Set when the problem is about a field's name (unknown, duplicated) rather than its value. */
  keyPath?: JsonPath;
}

/** `text` is JSON with `//` and `/* *\/` comments allowed (see jsonLocate.ts), as people expect of a hand-edited config. */
export function parseConfig(text: string, file: string): ConfigResult {
  if (!path.isAbsolute(file)) throw new Error(`parseConfig: file must be an absolute path (got ${JSON.stringify(file)})`);
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text; // editors on Windows write a BOM
  const scanned = parseJsonc(source);
  if (scanned.syntaxError) {
    const { offset, message } = scanned.syntaxError;
    return { ok: false, problems: [{ file, path: '(root)', message: `invalid JSON: ${message}`, ...lineColumn(source, offset) }] };
  }
  const raw = scanned.value;

  const problems: RawProblem[] = scanned.duplicateKeys.map((keyPath) => ({
    path: keyPath.slice(0, -1),
    keyPath,
    message: `field ${JSON.stringify(keyPath.at(-1))} appears twice; JSON keeps only the last one — merge them`,
  }));
  const parsed = configSchema.safeParse(raw, { error: expectedText });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => issueProblems(issue, [], raw)));
  problems.push(...crossFieldProblems(raw));

  if (problems.length > 0) return { ok: false, problems: placeProblems(problems, file, source, scanned) };
  if (!parsed.success) throw new Error('unreachable: zod failed without issues');
  return { ok: true, config: buildConfig(parsed.data, file) };
}

/** The "expected …" half of every message; `issueProblems` adds what was found. */
function expectedText(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'expected a non-empty string' : `expected at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `expected a number ${issue.inclusive === false ? '>' : '≥'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      return `expected a number ${issue.inclusive === false ? '<' : '≤'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of: ${issue.values.map(String).join(', ')}`;
    default:
      return undefined; // schema-level messages (regexes, refinements) already say what is expected
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

function issueProblems(issue: z.core.$ZodIssue, prefix: JsonPath, raw: unknown): RawProblem[] {
  const at: JsonPath = [...prefix, ...issue.path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg))];
  const found = valueAt(raw, at);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: at, keyPath: [...at, key], message: unknownFieldMessage(at, key) }));
    case 'invalid_key':
      // The nested messages name the key themselves ("\"A-B\" is not a valid environment variable name…").
      return [{ path: at, keyPath: at, message: issue.issues.map((inner) => inner.message).join('; ') }];
    case 'invalid_union': {
      // One branch got past its type check (e.g. an array whose 2nd element is a number): its issues
      // say more than "expected a string or an array".
      const deep = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
      if (deep.length === 1 && deep[0]) return deep[0].flatMap((inner) => issueProblems(inner, at, raw));
      return [{ path: at, message: `${issue.message}${foundText(found)}` }];
    }
    case 'invalid_value': {
      const suggestion = typeof found === 'string' ? didYouMean(found, issue.values.map(String)) : '';
      return [{ path: at, message: `${issue.message}${foundText(found)}${suggestion}` }];
    }
    default: {
      const quoteHint = issue.code === 'invalid_type' && issue.expected === 'string' && (typeof found === 'number' || typeof found === 'boolean') ? ` (write it in quotes: "${String(found)}")` : '';
      return [{ path: at, message: `${issue.message}${foundText(found)}${quoteHint}` }];
    }
  }
}

function unknownFieldMessage(objectPath: JsonPath, key: string): string {
  if (objectPath.length === 1 && objectPath[0] === 'defaults' && DEFAULTS_FORBIDDEN.has(key)) {
    return `"${key}" cannot be set in defaults — each worker sets its own`;
  }
  const allowed = allowedFields(objectPath);
  const suggestion = didYouMean(key, allowed);
  if (suggestion !== '') return `unknown field ${JSON.stringify(key)}${suggestion}`;
  return `unknown field ${JSON.stringify(key)}; expected one of: ${allowed.join(', ')}`;
}

/** The field names the schema allows in the object at `at` (walking the schema as the data is walked). */
function allowedFields(at: JsonPath): string[] {
  let schema: z.ZodType | undefined = configSchema;
  for (const seg of at) schema = schema === undefined ? undefined : childSchema(schema, seg);
  schema = schema === undefined ? undefined : unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

function childSchema(schema: z.ZodType, seg: string | number): z.ZodType | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return (inner.shape as Record<string, z.ZodType>)[String(seg)];
  if (inner instanceof z.ZodArray) return inner.element as z.ZodType;
  if (inner instanceof z.ZodRecord) return inner.valueType as z.ZodType;
  return undefined;
}

/** Checks that need more than one field: unique worker names and lanes that exist. */
function crossFieldProblems(raw: unknown): RawProblem[] {
  if (!isPlainObject(raw) || !Array.isArray(raw.workers)) return [];
  const problems: RawProblem[] = [];
  const lanes = isPlainObject(raw.lanes) ? Object.keys(raw.lanes) : undefined;
  const firstIndexByName = new Map<string, number>();
  raw.workers.forEach((entry: unknown, index) => {
    if (!isPlainObject(entry)) return;
    if (typeof entry.name === 'string') {
      const first = firstIndexByName.get(entry.name);
      if (first === undefined) firstIndexByName.set(entry.name, index);
      else problems.push({ path: ['workers', index, 'name'], message: `expected a unique worker name; got ${JSON.stringify(entry.name)}, already used by workers[${first}]` });
    }
    if (lanes !== undefined && lanes.length > 0 && typeof entry.lane === 'string' && entry.lane !== '' && !lanes.includes(entry.lane)) {
      problems.push({
        path: ['workers', index, 'lane'],
        message: `expected one of the lanes ${lanes.join(', ')}; got ${JSON.stringify(entry.lane)}${didYouMean(entry.lane, lanes)}`,
      });
    }
  });
  const routing = isPlainObject(raw.tasks) && Array.isArray(raw.tasks.routing) ? raw.tasks.routing : [];
  routing.forEach((rule: unknown, index) => {
    if (lanes === undefined || lanes.length === 0 || !isPlainObject(rule) || typeof rule.lane !== 'string' || rule.lane === '' || lanes.includes(rule.lane)) return;
    problems.push({
      path: ['tasks', 'routing', index, 'lane'],
      message: `expected one of the lanes ${lanes.join(', ')}; got ${JSON.stringify(rule.lane)}${didYouMean(rule.lane, lanes)}`,
    });
  });
  for (const field of ['repo', 'worktreeDir'] as const) {
    const value = raw[field];
    if (typeof value === 'string' && /^~(\/|$)/.test(value)) {
      problems.push({ path: [field], message: `expected a path relative to the config file or absolute ("~" is not expanded); got ${JSON.stringify(value)}` });
    }
  }
  return problems;
}

/** Attaches file positions and sorts problems into the order they appear in the file. */
function placeProblems(problems: RawProblem[], file: string, source: string, scanned: JsonDocument): ConfigProblem[] {
  const placed = problems.map((problem, index) => {
    const offset = (problem.keyPath && scanned.keyOffsets.get(formatPath(problem.keyPath))) ?? nearestValueOffset(problem.path, scanned);
    return { index, offset, problem: { file, path: formatPath(problem.path), message: problem.message, ...lineColumn(source, offset) } };
  });
  placed.sort((a, b) => a.offset - b.offset || a.index - b.index);
  return placed.map((entry) => entry.problem);
}

/** A missing field has no position of its own: point at the object that should hold it. */
function nearestValueOffset(at: JsonPath, scanned: JsonDocument): number {
  for (let length = at.length; length >= 0; length--) {
    const offset = scanned.valueOffsets.get(formatPath(at.slice(0, length)));
    if (offset !== undefined) return offset;
  }
  return 0;
}

// ── Building the resolved config ────────────────────────────────────────────────────────────────────

function buildConfig(parsed: ParsedConfig, file: string): ProjectConfig {
  const configDir = path.dirname(file);
  const repo = path.resolve(configDir, parsed.repo ?? '.');
  const lanes: ProjectConfig['lanes'] = {};
  for (const [name, lane] of Object.entries(parsed.lanes)) lanes[name] = lane.description === undefined ? {} : { description: lane.description };
  return {
    file,
    project: parsed.project,
    repo,
    baseBranch: parsed.baseBranch ?? 'main',
    // Outside the main checkout by default: worktrees inside it would show up in its `git status`,
    // its editor's search and its file watchers.
    worktreeDir: parsed.worktreeDir === undefined ? path.join(path.dirname(repo), `${path.basename(repo)}-worktrees`) : path.resolve(configDir, parsed.worktreeDir),
    tmuxSocket: parsed.tmuxSocket ?? defaultSocketName(parsed.project),
    lanes,
    workers: parsed.workers.map((entry) => mergeWorker(parsed.defaults ?? {}, entry)),
    health: {
      idleAfterSeconds: parsed.health?.idleAfterSeconds ?? PROJECT_DEFAULTS.health.idleAfterSeconds,
      stuckAfterSeconds: parsed.health?.stuckAfterSeconds ?? PROJECT_DEFAULTS.health.stuckAfterSeconds,
      settleMs: parsed.health?.settleMs ?? PROJECT_DEFAULTS.health.settleMs,
      waitingPatterns: [...(parsed.health?.waitingPatterns ?? [])],
    },
    alerts: { bell: parsed.alerts?.bell ?? PROJECT_DEFAULTS.alerts.bell },
    hooks: { onStateChange: parsed.hooks?.onStateChange ?? null },
    logs: { ringSize: parsed.logs?.ringSize ?? PROJECT_DEFAULTS.logs.ringSize },
    land: {
      check: parsed.land?.check ?? null,
      strategy: parsed.land?.strategy ?? PROJECT_DEFAULTS.land.strategy,
      push: parsed.land?.push ?? null,
      auto: parsed.land?.auto ?? PROJECT_DEFAULTS.land.auto,
      batch: parsed.land?.batch ?? PROJECT_DEFAULTS.land.batch,
    },
    tasks: {
      leaseSeconds: parsed.tasks?.leaseSeconds ?? PROJECT_DEFAULTS.tasks.leaseSeconds,
      autoDispatch: parsed.tasks?.autoDispatch ?? PROJECT_DEFAULTS.tasks.autoDispatch,
      routing: (parsed.tasks?.routing ?? []).map((rule) => ({ lane: rule.lane, labels: [...(rule.labels ?? [])], words: [...(rule.words ?? [])] })),
    },
  };
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** The worker's fields over `defaults`, object fields merged field by field, then the built-in defaults. */
function mergeWorker(defaults: SharedFields, entry: ParsedWorker): WorkerConfig {
  const merged: WorkerConfig = {
    name: entry.name,
    lane: entry.lane,
    command: Array.isArray(entry.command) ? [...entry.command] : entry.command,
    env: { ...defaults.env, ...entry.env },
    restart: {
      policy: entry.restart?.policy ?? defaults.restart?.policy ?? WORKER_DEFAULTS.restart.policy,
      maxRestarts: entry.restart?.maxRestarts ?? defaults.restart?.maxRestarts ?? WORKER_DEFAULTS.restart.maxRestarts,
      backoffSeconds: entry.restart?.backoffSeconds ?? defaults.restart?.backoffSeconds ?? WORKER_DEFAULTS.restart.backoffSeconds,
    },
    stop: {
      keys: [...(entry.stop?.keys ?? defaults.stop?.keys ?? WORKER_DEFAULTS.stop.keys)],
      signal: entry.stop?.signal ?? defaults.stop?.signal ?? WORKER_DEFAULTS.stop.signal,
      graceSeconds: entry.stop?.graceSeconds ?? defaults.stop?.graceSeconds ?? WORKER_DEFAULTS.stop.graceSeconds,
    },
    task: { delivery: entry.task?.delivery ?? defaults.task?.delivery ?? WORKER_DEFAULTS.task.delivery },
  };
  const taskCommand = entry.task?.command ?? defaults.task?.command;
  if (taskCommand !== undefined) merged.task.command = Array.isArray(taskCommand) ? [...taskCommand] : taskCommand;
  const cwd = entry.cwd ?? defaults.cwd;
  if (cwd !== undefined) merged.cwd = cwd;
  const logPath = entry.log?.path ?? defaults.log?.path;
  if (logPath !== undefined) merged.log = { path: logPath, format: entry.log?.format ?? defaults.log?.format ?? WORKER_DEFAULTS.logFormat };
  return merged;
}

export function workerPath(config: ProjectConfig, worker: string): string {
  return path.join(config.worktreeDir, worker);
}

// ── Presenting problems ─────────────────────────────────────────────────────────────────────────────

/**
 * One line per problem, `file:line:column: path: message` (the form editors and terminals make
 * clickable). `relativeTo` shortens the file name for display, e.g. to the current directory.
 */
export function formatProblems(problems: readonly ConfigProblem[], options: { relativeTo?: string } = {}): string {
  return problems
    .map((problem) => {
      let shown = problem.file;
      if (options.relativeTo !== undefined) {
        const relative = path.relative(options.relativeTo, problem.file);
        if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) shown = relative;
      }
      const where = problem.line === undefined ? shown : `${shown}:${problem.line}:${problem.column ?? 1}`;
      return `${where}: ${problem.path}: ${problem.message}`;
    })
    .join('\n');
}

function valueAt(raw: unknown, at: JsonPath): unknown {
  let current = raw;
  for (const seg of at) {
    if (Array.isArray(current) && typeof seg === 'number') current = current[seg];
    else if (isPlainObject(current) && typeof seg === 'string' && Object.hasOwn(current, seg)) current = current[seg];
    else return undefined;
  }
  return current;
}

function foundText(value: unknown): string {
  return value === undefined ? '; the field is missing' : `; got ${describeValue(value)}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty object' : 'an object';
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ` — did you mean "command"?` when one candidate is a likely typo of `input`, else ''. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const normal = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(normal(input), normal(candidate));
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined || best.candidate === input) return '';
  const allowed = Math.max(1, Math.floor(Math.min(input.length, best.candidate.length) / 3));
  if (best.distance <= Math.min(allowed, 3)) return ` — did you mean ${JSON.stringify(best.candidate)}?`;
  // A missing prefix or suffix ("TERM" for "SIGTERM") is too many edits but an obvious intent.
  const containing = normal(input).length >= 3 ? candidates.filter((c) => normal(c).includes(normal(input))) : [];
  return containing.length === 1 ? ` — did you mean ${JSON.stringify(containing[0])}?` : '';
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * A log path as the tailer follows it: `~/` is the home directory, `{worktree}` the worker's worktree,
 * `{claudeProject}` the folder Claude Code keeps that worktree's transcripts in (its path with every
 * character other than a letter or digit turned into "-"), and a relative path is inside the worktree.
 */
export function expandLogPath(pattern: string, where: { worktree: string; home: string }): string {
  const expanded = pattern
    .replaceAll('{worktree}', where.worktree)
    .replaceAll('{claudeProject}', where.worktree.replace(/[^A-Za-z0-9]/g, '-'))
    .replace(/^~(?=\/|$)/, where.home);
  return path.isAbsolute(expanded) ? expanded : path.join(where.worktree, expanded);
}
