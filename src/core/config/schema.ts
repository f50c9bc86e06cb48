/**
 * The zod schema of `sessions.json` as a person writes it, and the JSON Schema editors get from it.
 * Its messages say what was expected; problems.ts adds what was found and where.
 *
 * No zod `.default()`s: a worker's fields are merged over `defaults` first, and only then filled from
 * WORKER_DEFAULTS (a zod default would make `restart: {policy}` in a worker hide `defaults.restart`).
 * The defaults still appear in the JSON Schema through `.meta({ default })`, for editors.
 */
import path from 'node:path';
// The namespace import lets the bundle keep only the parts used (~170 KB, not zod's whole 755 KB with every locale).
import * as z from 'zod';
import { AGENT_NAMES } from '../rules/agents.js';
import { WORKER_NAME_PATTERN } from '../rules/names.js';
import { HOST_DEFAULTS, PROJECT_DEFAULTS, WORKER_DEFAULTS } from './defaults.js';
import { leavesCheckout } from './includeGlob.js';
import type { JsonPath } from './jsonLocate.js';
import { LOG_FORMATS, RESTART_POLICIES, STOP_SIGNALS } from './types.js';

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
          "Log file or glob: relative to the worker's worktree, absolute, or under ~/. {worktree} is the worktree's path, {claudeProject} the name Claude Code gives its folder under ~/.claude/projects, {claudeConfigDir} $CLAUDE_CONFIG_DIR or ~/.claude.",
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
/** Fields each worker sets for itself, refused in `defaults`. */
export const DEFAULTS_FORBIDDEN = new Set(['name', 'lane', 'host', 'command', 'agent', 'resume']);

const worker = z
  .strictObject({
    name: z
      .string()
      .regex(WORKER_NAME_PATTERN, { error: `expected a worker name (${NAME_RULE}; tmux session names cannot hold "." or ":")` })
      .meta({ description: 'Names the tmux session, the worktree directory and the branch muxctl/<name>.' }),
    lane: z.string().min(1).meta({ description: 'A key of "lanes".' }),
    host: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A key of "hosts": the worker runs on that machine, in a worktree of its clone, under a tmux server there. Left out: it runs here.' }),
    agent: z
      .enum(AGENT_NAMES)
      .optional()
      .meta({ description: "An agent preset: its log, waiting lines, stop keys and conversation resume. `command` is then optional (the agent's program), or the program and flags to use." }),
    command: command.optional(),
    resume: z
      .strictObject({ command: command.meta({ description: 'Run instead of `command` when the worker restarts on an earlier conversation; {sessionId} is its id (muxctl gives each new conversation one, as MUXCTL_SESSION_ID).' }) })
      .optional()
      .meta({ description: 'For a worker without an agent preset: how to resume its conversation.' }),
    ...sharedWorkerFields,
  })
  .superRefine((w, ctx) => {
    if (w.command === undefined && w.agent === undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: `expected a command (a string or an array of strings), or "agent": one of ${AGENT_NAMES.join(', ')}` });
    }
    if (w.resume !== undefined && w.agent !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['resume'], message: `the "${w.agent}" preset already knows how to resume; "resume" is for a worker without "agent"` });
    }
  });

const copyGlob = nonBlank('a glob such as ".env" or "config/*.local.json"').refine((glob) => !leavesCheckout(glob), {
  error: 'expected a glob inside the repository (no ".." segment)',
});

const worktree = z
  .strictObject({
    copy: z.array(copyGlob).optional().meta({
      default: [],
      description:
        'Files git does not track (ignored ones such as .env included) copied from the main checkout into a new worktree; globs read like .gitignore lines. A .worktreeinclude file at the repo root adds more. An existing file is never overwritten.',
    }),
    setup: nonBlank('a non-empty command').optional().meta({
      description: "Run by sh -c once in a new worktree before its worker starts, with the worker's environment (MUXCTL_PORT too); its output goes to the worker's log. A failure keeps the worker stopped; it runs again at the next start.",
    }),
    setupTimeoutSeconds: z.number().min(1).max(86_400).optional().meta({ default: PROJECT_DEFAULTS.worktree.setupTimeoutSeconds, description: 'A setup running longer is killed and counts as failed.' }),
    portBase: z.int().min(1024).max(65_535).optional().meta({ default: PROJECT_DEFAULTS.worktree.portBase, description: "Each worker's MUXCTL_PORT: this plus its index in workers." }),
  })
  .meta({ description: 'Preparing the worktrees muxctl creates, and a port for each worker.' });

const hostPath = (what: string) =>
  nonBlank(`an absolute path on the host (${what})`).refine((p) => path.posix.isAbsolute(p), {
    error: `expected an absolute path on the host (${what}); "~" is not expanded there`,
  });

const host = z
  .strictObject({
    ssh: nonBlank('an ssh destination such as "dev@box1.example" or a Host of your ~/.ssh/config')
      .refine((d) => !d.startsWith('-'), { error: 'expected an ssh destination, not an option (put options in "sshArgs")' })
      .meta({ description: 'What ssh connects to: user@host, or a Host alias of ~/.ssh/config (its settings apply).' }),
    port: z.int({ error: 'expected a port number, 1–65535' }).min(1).max(65_535).optional().meta({ description: "The host's ssh port. Default: ssh's own (22, or ~/.ssh/config)." }),
    identityFile: nonBlank('a key file such as "~/.ssh/id_ed25519"').optional().meta({ description: 'The private key to log in with (~/ is your home directory here).' }),
    sshArgs: z.array(z.string()).optional().meta({ default: [], description: 'Extra arguments given to every ssh call as written, e.g. ["-J", "bastion"].' }),
    repo: hostPath('a clone of this repository').meta({ description: 'A clone of this repository on the host: the same root commit.' }),
    worktreeDir: hostPath("where this host's worktrees go").optional().meta({ description: "Where workers' worktrees go on the host. Default: <repo>-worktrees beside it." }),
    requestWaitSeconds: z
      .int({ error: 'expected a whole number of seconds, 1–3600' })
      .min(1)
      .max(3600)
      .optional()
      .meta({ default: HOST_DEFAULTS.requestWaitSeconds, description: "How long a worker's own `muxctl task|emit` there waits for a dashboard to take it before it says nothing was done." }),
  })
  .meta({ description: 'A machine workers can run on, reached with the system ssh (BatchMode: keys or an agent, never a password prompt).' });

const laneName = z.string().regex(WORKER_NAME_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid lane name: ${NAME_RULE}` });

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    project: nonBlank('a non-empty project name').meta({ description: 'The project name; it also names the tmux socket.' }),
    repo: z.string().min(1).optional().meta({ default: '.', description: 'The git repository, relative to this file.' }),
    baseBranch: z.string().regex(/^\S+$/, { error: 'expected a branch name (no spaces)' }).optional().meta({ default: 'main', description: 'Worker branches start from here.' }),
    worktreeDir: z.string().min(1).optional().meta({ description: 'Where worker worktrees go, relative to this file. Default: <repo>-worktrees beside the repo.' }),
    worktree: worktree.optional(),
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
    hosts: z
      .record(z.string().regex(WORKER_NAME_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid host name: ${NAME_RULE}` }), host)
      .optional()
      .meta({ default: {}, description: 'Other machines, by name. `muxctl doctor` checks each: reachable, its clone the same repository, tmux there.' }),
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
      .strictObject({
        bell: z.boolean().optional().meta({ default: PROJECT_DEFAULTS.alerts.bell, description: 'Ring the terminal bell when a worker starts waiting, crashes, gets stuck or hits its usage limit.' }),
        desktop: z.boolean().optional().meta({
          default: PROJECT_DEFAULTS.alerts.desktop,
          description: 'Also send a desktop notification then, and when a task finishes: notify-send, osascript, or the terminal\'s own (OSC 777 / OSC 9). Only the leading dashboard sends.',
        }),
        minIntervalSeconds: seconds.optional().meta({ default: PROJECT_DEFAULTS.alerts.minIntervalSeconds, description: 'At most one desktop notification a worker this often; later ones within it are dropped.' }),
      })
      .optional()
      .meta({ description: 'How muxctl tells you a worker needs you.' }),
    recover: z
      .strictObject({
        afterLimit: z.boolean().optional().meta({
          default: PROJECT_DEFAULTS.recover.afterLimit,
          description: 'When a worker\'s usage limit resets (the time its agent gave), send it "continue" once; c on the worker cancels.',
        }),
      })
      .optional()
      .meta({ description: 'What muxctl does on its own to bring a worker back to work.' }),
    hooks: z
      .strictObject({
        onStateChange: z.string().min(1).optional().meta({
          description: 'A shell command run when a worker becomes waiting, crashed, stuck or limited; MUXCTL_WORKER, MUXCTL_OLD_STATE, MUXCTL_NEW_STATE and MUXCTL_EVIDENCE are in its environment.',
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
        acceptProposals: z
          .array(z.string().min(1))
          .optional()
          .meta({ default: [], description: "Lanes whose workers' proposals (muxctl task propose) are queued at once instead of waiting for a person's accept." }),
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

export type ParsedConfig = z.infer<typeof configSchema>;
export type ParsedWorker = z.infer<typeof worker>;
export type SharedFields = NonNullable<ParsedConfig['defaults']>;

/** JSON Schema (draft 2020-12) of the file as written, for editors (`"$schema": "./sessions.schema.json"`). */
export function configJsonSchema(): object {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
}

/** The field names the schema allows in the object at `at` (walking the schema as the data is walked). */
export function allowedFields(at: JsonPath): string[] {
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

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
