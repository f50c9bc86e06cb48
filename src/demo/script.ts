/**
 * What the demo agent does next. Pure: every step is a function of (profile, seed, step index), so a
 * seed replays the same run and the tests can check a profile's shape without waiting for its clock.
 * `agent.ts` does the printing, logging, sleeping and stdin reading.
 */
import { parseArgs } from 'node:util';

export const DEMO_PROFILES = ['steady', 'asks', 'flaky', 'quick'] as const;
export type DemoProfile = (typeof DEMO_PROFILES)[number];

export type ToolName = 'Read' | 'Edit' | 'Grep' | 'Bash';

/** A tool call, with `input` named the way Claude Code names them so a log reader sees familiar fields. */
export interface ToolCall {
  tool: ToolName;
  input: { file_path: string } | { pattern: string } | { command: string };
}

export interface Tokens {
  input: number;
  output: number;
}

/** `delayMs` is the "thinking" before a step, at speed 1; the agent multiplies it by `--speed`. */
export type DemoStep =
  | { kind: 'task'; turn: number; title: string; delayMs: number }
  | { kind: 'message'; turn: number; text: string; delayMs: number }
  | { kind: 'tool'; turn: number; call: ToolCall; ok: boolean; output: string; delayMs: number; durationMs: number }
  /** Needs a y/n line on stdin; a "y" runs `call` (ok), an "n" logs it rejected. */
  | { kind: 'question'; turn: number; call: ToolCall; prompt: string; output: string; delayMs: number; durationMs: number }
  | { kind: 'result'; turn: number; title: string; tokens: Tokens; costUsd: number; delayMs: number }
  /** The last step: exit with `code`; `error` is printed to stderr and logged first. */
  | { kind: 'exit'; turn: number; code: number; error?: string; delayMs: number }
  /** Task mode: write `content` to `file` and commit it on the task branch; a checkpoint names the commit. */
  | { kind: 'commit'; turn: number; file: string; content: string; message: string; delayMs: number }
  /** Task mode, the last step: `muxctl task done`, then wait, alive and quiet, for the next task. */
  | { kind: 'finish'; turn: number; taskId: string; delayMs: number };

/** The task muxctl gave this run in MUXCTL_TASK_*: it replaces the made-up work. */
export interface AgentTask {
  id: string;
  title: string;
  /** The task branch, already checked out in the working directory. */
  branch: string;
  /** Worked on before (commits on the branch, a checkpoint, another worker's WIP): carry on, say so. */
  resume: boolean;
  /** The last checkpoint in words ("committed, 3f2a9c1d"), when there is one. */
  checkpoint?: string;
}

interface MadeUpTask {
  title: string;
  files: readonly string[];
  pattern: string;
}

const TASKS: readonly MadeUpTask[] = [
  { title: 'Fix login redirect', files: ['src/auth/login.ts', 'src/auth/session.ts', 'test/auth/login.test.ts'], pattern: 'redirectTo' },
  { title: 'Add dark mode', files: ['src/theme/colors.ts', 'src/components/Header.tsx', 'src/settings/appearance.ts'], pattern: 'prefers-color-scheme' },
  { title: 'Migrate config loader', files: ['src/config/load.ts', 'src/config/schema.ts', 'test/config/load.test.ts'], pattern: 'loadConfig' },
  { title: 'Bump node to 22', files: ['package.json', '.nvmrc', '.github/workflows/ci.yml'], pattern: 'node-version' },
  { title: 'Speed up search index', files: ['src/search/index.ts', 'src/search/tokenize.ts'], pattern: 'buildIndex' },
  { title: 'Fix flaky upload test', files: ['test/upload/upload.test.ts', 'src/upload/retry.ts'], pattern: 'setTimeout' },
  { title: 'Add rate limiting to the API', files: ['src/api/middleware.ts', 'src/api/limits.ts', 'test/api/limits.test.ts'], pattern: 'app.use' },
  { title: 'Remove deprecated billing endpoints', files: ['src/billing/routes.ts', 'src/billing/legacy.ts', 'docs/api.md'], pattern: '@deprecated' },
];

const CHECKS = [
  { command: 'npm test', output: '42 passed (1.8s)' },
  { command: 'npm run lint', output: 'no problems' },
  { command: 'npx tsc --noEmit', output: 'no errors' },
  { command: 'git diff --stat', output: '3 files changed, 41 insertions(+), 12 deletions(-)' },
] as const;

/** Commands a careful agent asks before running. */
const RISKY_COMMANDS = [
  { command: 'npm install', output: 'added 3 packages in 2s' },
  { command: 'git push origin HEAD', output: 'branch pushed' },
  { command: 'rm -rf dist', output: '' },
  { command: 'npx prisma migrate dev', output: 'migration applied' },
] as const;

const CRASHES = [
  "Error: Cannot find module 'left-pad'",
  'Error: ENOSPC: no space left on device, write',
  "TypeError: Cannot read properties of undefined (reading 'map')",
] as const;

const OPENERS = ['Let me look at how this works today.', 'Starting with the code around the bug.', 'First, the current behaviour.'];
const FINDINGS = ['Found the cause; making the change.', 'The fix is small — editing now.', 'That explains it. Updating the code.'];
const CLOSERS = ['Checks pass. Wrapping up.', 'Done; the change is ready for review.', 'All green.'];

/** Dollars per token, roughly a mid-size model's list price: only so the dashboard has a cost to show. */
const USD_PER_INPUT_TOKEN = 3 / 1_000_000;
const USD_PER_OUTPUT_TOKEN = 15 / 1_000_000;

function costOf(tokens: Tokens): number {
  return Math.round((tokens.input * USD_PER_INPUT_TOKEN + tokens.output * USD_PER_OUTPUT_TOKEN) * 10_000) / 10_000;
}

/** FNV-1a: a stable 32-bit number from a string (a worker's name becomes its default seed). */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: small, seedable, good enough for made-up work. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(private readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
}

/** How a tool call reads on the agent's terminal: "Reading src/auth/login.ts", "Bash npm test". */
export function describeCall(call: ToolCall): string {
  const input = call.input;
  if ('command' in input) return `Bash ${input.command}`;
  if ('pattern' in input) return `Searching for "${input.pattern}"`;
  return `${call.tool === 'Edit' ? 'Editing' : 'Reading'} ${input.file_path}`;
}

/** Reads a y/n answer; undefined means "ask again". */
export function parseAnswer(line: string): 'yes' | 'no' | undefined {
  const word = line.trim().toLowerCase();
  if (word === 'y' || word === 'yes') return 'yes';
  if (word === 'n' || word === 'no') return 'no';
  return undefined;
}

function workStep(dice: Dice, turn: number, task: MadeUpTask, position: number): DemoStep {
  const delayMs = dice.int(800, 2000);
  const durationMs = dice.int(200, 1000);
  const file = dice.pick(task.files);
  switch (position % 4) {
    case 0:
      return { kind: 'tool', turn, call: { tool: 'Read', input: { file_path: file } }, ok: true, output: `${dice.int(20, 400)} lines`, delayMs, durationMs };
    case 1:
      return dice.chance(0.5)
        ? { kind: 'tool', turn, call: { tool: 'Grep', input: { pattern: task.pattern } }, ok: true, output: `${dice.int(1, 9)} matches`, delayMs, durationMs }
        : { kind: 'message', turn, text: dice.pick(FINDINGS), delayMs };
    case 2:
      return { kind: 'tool', turn, call: { tool: 'Edit', input: { file_path: file } }, ok: true, output: `+${dice.int(1, 30)} −${dice.int(0, 12)}`, delayMs, durationMs };
    default: {
      const check = dice.pick(CHECKS);
      return { kind: 'tool', turn, call: { tool: 'Bash', input: { command: check.command } }, ok: true, output: check.output, delayMs, durationMs };
    }
  }
}

function questionStep(dice: Dice, turn: number): DemoStep {
  const risky = dice.pick(RISKY_COMMANDS);
  return {
    kind: 'question', turn, call: { tool: 'Bash', input: { command: risky.command } },
    prompt: `Allow Bash(${risky.command})?`, output: risky.output, delayMs: dice.int(800, 2000), durationMs: dice.int(300, 1200),
  };
}

/**
 * One turn — one made-up task from start to result (or to the crash). Each turn has its own random
 * stream, so turn N does not depend on how long turns 1..N-1 were.
 */
export function planTurn(profile: DemoProfile, seed: number, turn: number): DemoStep[] {
  const dice = new Dice(seededRandom(hashString(`${seed}:${turn}`)));
  const task = dice.pick(TASKS);
  const quick = profile === 'quick';
  const steps: DemoStep[] = [{ kind: 'task', turn, title: task.title, delayMs: dice.int(300, 1000) }];
  if (!quick) steps.push({ kind: 'message', turn, text: dice.pick(OPENERS), delayMs: dice.int(800, 2000) });
  const workCount = quick ? dice.int(2, 3) : dice.int(3, 6);
  // The first turn of "asks" always asks, so the demo shows a waiting worker early; later ones now and then.
  const askAt = profile === 'asks' && (turn === 1 || dice.chance(0.6)) ? dice.int(0, workCount - 1) : -1;
  const crashAfter = profile === 'flaky' ? dice.int(1, Math.min(3, workCount - 1)) : -1;
  for (let position = 0; position < workCount; position++) {
    if (position === crashAfter) {
      steps.push({ kind: 'exit', turn, code: 3, error: dice.pick(CRASHES), delayMs: dice.int(500, 1500) });
      return steps;
    }
    if (position === askAt) steps.push(questionStep(dice, turn));
    steps.push(workStep(dice, turn, task, position));
  }
  if (!quick) steps.push({ kind: 'message', turn, text: dice.pick(CLOSERS), delayMs: dice.int(800, 2000) });
  const tokens = { input: dice.int(2_000, 8_000) * steps.length, output: dice.int(80, 600) * steps.length };
  steps.push({ kind: 'result', turn, title: task.title, tokens, costUsd: costOf(tokens), delayMs: dice.int(300, 800) });
  if (quick) steps.push({ kind: 'exit', turn, code: 0, delayMs: 0 });
  return steps;
}

/** Where task mode writes its work, relative to the worktree: one file per task. */
export function workFilePath(taskId: string): string {
  // The id comes from the environment: whatever it holds, the file stays inside demo-work/.
  return `demo-work/${taskId.replace(/[^A-Za-z0-9._-]/g, '-')}.md`;
}

/** A work step as one line of the task's work file. */
function workLine(step: DemoStep): string | null {
  if (step.kind === 'message') return step.text;
  if (step.kind !== 'tool') return null;
  const description = describeCall(step.call);
  return step.output === '' ? description : `${description}: ${step.output}`;
}

/**
 * A board task from start to `finish`: the profile's kind of work at its pace, then a real commit of the
 * work file. flaky crashes (exit 3) before committing, every time, so its restarts run into the crash-loop
 * guard; asks asks a y/n question before finishing. The random stream is the task's own, so a restarted
 * run of the same task does the same steps.
 */
export function planTask(profile: DemoProfile, seed: number, task: AgentTask): DemoStep[] {
  const turn = 1;
  const dice = new Dice(seededRandom(hashString(`${seed}:${task.id}`)));
  const quick = profile === 'quick';
  // The tool steps are pretend; files and a pattern from a made-up task make them read like real work.
  const scenery = dice.pick(TASKS);
  const work: MadeUpTask = { title: task.title, files: scenery.files, pattern: scenery.pattern };
  const resumedFrom = task.checkpoint ?? 'the work on its branch';
  const steps: DemoStep[] = [];
  if (task.resume) steps.push({ kind: 'message', turn, text: `resuming ${task.id} from ${resumedFrom}`, delayMs: 0 });
  steps.push({ kind: 'task', turn, title: `${task.id} ${task.title}`, delayMs: dice.int(300, 1000) });
  if (!quick) steps.push({ kind: 'message', turn, text: dice.pick(OPENERS), delayMs: dice.int(800, 2000) });
  const workCount = quick ? dice.int(2, 3) : dice.int(3, 5);
  const crashAfter = profile === 'flaky' ? dice.int(1, Math.min(3, workCount - 1)) : -1;
  const lines: string[] = [];
  for (let position = 0; position < workCount; position++) {
    if (position === crashAfter) {
      steps.push({ kind: 'exit', turn, code: 3, error: dice.pick(CRASHES), delayMs: dice.int(500, 1500) });
      return steps;
    }
    const step = workStep(dice, turn, work, position);
    steps.push(step);
    const line = workLine(step);
    if (line !== null) lines.push(line);
  }
  const content = [`# ${task.id}: ${task.title}`, '', ...(task.resume ? [`Resumed from ${resumedFrom}.`, ''] : []), ...lines.map((line) => `- ${line}`), ''];
  steps.push({ kind: 'commit', turn, file: workFilePath(task.id), content: content.join('\n'), message: `${task.id}: ${task.title}`, delayMs: dice.int(500, 1500) });
  if (profile === 'asks') steps.push(questionStep(dice, turn));
  if (!quick) steps.push({ kind: 'message', turn, text: dice.pick(CLOSERS), delayMs: dice.int(800, 2000) });
  const tokens = { input: dice.int(2_000, 8_000) * steps.length, output: dice.int(80, 600) * steps.length };
  steps.push({ kind: 'result', turn, title: `${task.id} ${task.title}`, tokens, costUsd: costOf(tokens), delayMs: dice.int(300, 800) });
  steps.push({ kind: 'finish', turn, taskId: task.id, delayMs: dice.int(300, 800) });
  return steps;
}

/** Every step of a run, lazily: endless for steady and asks, ending with an `exit` step for quick and flaky. */
export function* demoScript(profile: DemoProfile, seed: number): Generator<DemoStep, void, undefined> {
  for (let turn = 1; ; turn++) {
    const steps = planTurn(profile, seed, turn);
    yield* steps;
    if (steps.at(-1)?.kind === 'exit') return;
  }
}

/** The step at `index` (0-based), or undefined past the end of a run that exits. */
export function stepAt(profile: DemoProfile, seed: number, index: number): DemoStep | undefined {
  let i = 0;
  for (const step of demoScript(profile, seed)) {
    if (i++ === index) return step;
  }
  return undefined;
}

export interface AgentOptions {
  profile: DemoProfile;
  seed: number;
  /** Multiplies every delay: 1 is a believable pace, tests use 0.01. */
  speed: number;
  /** Where the JSONL events go; a relative path is taken from the agent's working directory. */
  logPath: string;
  /** MUXCTL_WORKER: the name muxctl gave this worker, written into every event. */
  worker: string | undefined;
  /** --await-task: with no task given, wait quietly for one (so the board sees an idle worker) instead of making up work. */
  awaitTask: boolean;
  /** MUXCTL_TASK_*: the board's task, worked on instead of made-up ones. */
  task?: AgentTask;
}

export const AGENT_USAGE = `usage: muxctl-demo-agent [--profile steady|asks|flaky|quick] [--seed N] [--speed X] [--log PATH] [--await-task]
  --profile     steady: works forever · asks: sometimes waits for y/n on stdin
                flaky: crashes with exit code 3 after a few steps · quick: finishes one task, exits 0
  --seed        replays the same run (default: from $MUXCTL_WORKER, else the clock)
  --speed       multiplies every delay (default 1; 0.01 is nearly instant)
  --log         JSONL event log (default: $MUXCTL_AGENT_LOG, else .muxctl-agent/events.jsonl)
  --await-task  with no $MUXCTL_TASK_ID, wait quietly for a task instead of making up work
With $MUXCTL_TASK_ID set (muxctl's env task delivery) it works on that task: commits demo-work/<id>.md
on the task branch, runs \`muxctl task done\` and waits for the next task. flaky crashes before committing.`;

export class AgentUsageError extends Error {
  readonly exitCode = 2;
  constructor(problem: string) {
    super(`muxctl-demo-agent: ${problem}\n${AGENT_USAGE}`);
    this.name = 'AgentUsageError';
  }
}

function isProfile(value: string): value is DemoProfile {
  return (DEMO_PROFILES as readonly string[]).includes(value);
}

/**
 * Reads the command line and environment. `fallbackSeed` is used when neither --seed nor MUXCTL_WORKER
 * gives one (the caller passes the clock, keeping this function pure). Returns 'help' for --help.
 */
export function parseAgentOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  fallbackSeed: number,
): AgentOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        profile: { type: 'string' }, seed: { type: 'string' }, speed: { type: 'string' },
        log: { type: 'string' }, 'await-task': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new AgentUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';
  const profile = values.profile ?? 'steady';
  if (!isProfile(profile)) throw new AgentUsageError(`unknown profile "${profile}"; expected one of ${DEMO_PROFILES.join(', ')}`);
  const worker = env['MUXCTL_WORKER'] || undefined;
  let seed = worker === undefined ? fallbackSeed >>> 0 : hashString(worker);
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed)) throw new AgentUsageError(`--seed must be a whole number, got "${values.seed}"`);
    seed = Number(values.seed) >>> 0;
  }
  let speed = 1;
  if (values.speed !== undefined) {
    speed = Number(values.speed);
    if (values.speed.trim() === '' || !Number.isFinite(speed) || speed < 0) {
      throw new AgentUsageError(`--speed must be a number ≥ 0, got "${values.speed}"`);
    }
  }
  const logPath = values.log ?? (env['MUXCTL_AGENT_LOG'] || '.muxctl-agent/events.jsonl');
  const options: AgentOptions = { profile, seed, speed, logPath, worker, awaitTask: values['await-task'] === true };
  const task = taskFromEnv(env);
  if (task !== undefined) options.task = task;
  return options;
}

/** The task of muxctl's env delivery, or undefined when MUXCTL_TASK_ID is unset or empty. */
function taskFromEnv(env: Readonly<Record<string, string | undefined>>): AgentTask | undefined {
  const id = env['MUXCTL_TASK_ID']?.trim();
  if (id === undefined || id === '') return undefined;
  const task: AgentTask = {
    id,
    title: env['MUXCTL_TASK_TITLE']?.trim() || id,
    branch: env['MUXCTL_TASK_BRANCH'] ?? '',
    resume: env['MUXCTL_TASK_RESUME'] === '1',
  };
  const checkpoint = env['MUXCTL_TASK_CHECKPOINT']?.trim();
  if (checkpoint) task.checkpoint = checkpoint;
  return task;
}
