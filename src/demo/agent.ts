/**
 * muxctl-demo-agent: behaves like a coding agent (prints work, asks permission, crashes, finishes) so
 * the example config runs anywhere with no API keys. What it does comes from `script.ts`; this file does
 * the I/O: the terminal, the JSONL event log, stdin answers, delays and signals. It is an executable —
 * an adapter of its own — which is why it, alone under src/demo, touches the file system.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  AGENT_USAGE, AgentUsageError, demoScript, describeCall, parseAgentOptions, parseAnswer, planTask,
  type AgentOptions, type DemoStep, type ToolCall,
} from './script.js';

type EventType = 'message' | 'prompt' | 'tool_start' | 'tool_end' | 'question' | 'answer' | 'result' | 'error' | 'heartbeat' | 'status' | 'checkpoint';

/** Every optional field of muxctl's own event format; `time`, `type` and `worker` are filled in. */
interface EventFields {
  text?: string;
  tool?: string;
  input?: ToolCall['input'];
  ok?: boolean;
  tokens?: { input: number; output: number };
  costUsd?: number;
  turn?: number;
  sha?: string;
  step?: string;
}

const execFileAsync = promisify(execFile);

/** Only for a repository with no identity of its own: the demo's scratch repo has one. */
const DEMO_IDENTITY = ['-c', 'user.name=muxctl-demo', '-c', 'user.email=demo@muxctl.invalid'];

const HEARTBEAT_MS = 5_000;
/** Heartbeats stay this far apart even at --speed 0, so a fast test run does not flood its log. */
const MIN_HEARTBEAT_MS = 50;

const useColour = !process.env['NO_COLOR'];
const paint = (code: string) => (text: string) => (useColour ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');
const cyan = paint('36');

type EventLog = (type: EventType, fields?: EventFields) => void;

function createEventLog(path: string, worker: string | undefined): EventLog {
  mkdirSync(dirname(path), { recursive: true });
  // Synchronous on purpose: a signal handler exits right after logging, and the line must be on disk.
  return (type, fields = {}) => {
    appendFileSync(path, `${JSON.stringify({ time: new Date().toISOString(), type, worker, ...fields })}\n`);
  };
}

/**
 * Lines from stdin, queued so an answer typed ahead of its question is not lost. Created at the first
 * question only: profiles that never ask leave stdin alone (and do not stay alive waiting on it).
 */
function createLineReader(): () => Promise<string | undefined> {
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let closed = false;
  // terminal: false — in a pty the tty's own line discipline echoes and edits; readline only splits lines.
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    closed = true;
    for (const next of waiting.splice(0)) next(undefined);
  });
  return () => {
    const line = lines.shift();
    if (line !== undefined || closed) return Promise.resolve(line);
    return new Promise((resolveLine) => waiting.push(resolveLine));
  };
}

/** `currentTurn` is 0 while no turn is open (waiting for a task, or one finished). */
function installSignalHandlers(log: EventLog, currentTurn: () => number): void {
  const exitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const signal of Object.keys(exitCodes) as (keyof typeof exitCodes)[]) {
    process.on(signal, () => {
      // After SIGHUP the terminal is gone (tmux killed the pane): writing to it could fail, so only log.
      if (signal !== 'SIGHUP') process.stdout.write(`\n${yellow('interrupted')}\n`);
      // Mid-turn, what an interrupted agent logs (a message in its turn); between turns a status, which
      // opens none: an agent that only waited for a task must not look as if it was working.
      const turn = currentTurn();
      if (turn > 0) log('message', { turn, text: `interrupted (${signal})` });
      else log('status', { text: `stopped (${signal})` });
      process.exit(exitCodes[signal]);
    });
  }
}

async function runTool(step: { turn: number; call: ToolCall; output: string; durationMs: number }, ok: boolean, speed: number, log: EventLog): Promise<void> {
  const { tool, input } = step.call;
  const description = describeCall(step.call);
  const marker = tool === 'Bash' ? cyan('▸') : green('●');
  process.stdout.write(`${marker} ${description}\n`);
  log('tool_start', { turn: step.turn, tool, input, text: description });
  await sleep(step.durationMs * speed);
  if (step.output !== '') process.stdout.write(`  ${dim('⎿')} ${ok ? dim(step.output) : red(step.output)}\n`);
  log('tool_end', { turn: step.turn, tool, input, ok, text: step.output });
}

async function ask(step: Extract<DemoStep, { kind: 'question' }>, options: AgentOptions, log: EventLog, readLine: () => Promise<string | undefined>): Promise<void> {
  log('question', { turn: step.turn, tool: step.call.tool, input: step.call.input, text: step.prompt });
  let answer: 'yes' | 'no' | undefined;
  let line: string | undefined;
  while (answer === undefined) {
    process.stdout.write(`${yellow('?')} ${bold(step.prompt)} [y/n] `);
    line = await readLine();
    // A terminal echoes what was typed; a pipe does not, so say it to keep the transcript readable.
    if (!process.stdin.isTTY) process.stdout.write(`${line ?? '(stdin closed)'}\n`);
    // No more input can ever come (stdin closed): the safe answer is no.
    answer = line === undefined ? 'no' : parseAnswer(line);
    if (answer === undefined) process.stdout.write(`${dim('  please answer y or n')}\n`);
  }
  log('answer', { turn: step.turn, text: line ?? '', ok: answer === 'yes' });
  if (answer === 'yes') {
    await runTool(step, true, options.speed, log);
    return;
  }
  const rejected = { ...step, output: 'rejected by the user', durationMs: 0 };
  await runTool(rejected, false, options.speed, log);
  process.stdout.write(`${dim("  OK, I won't run that. Carrying on without it.")}\n`);
}

async function git(args: readonly string[]): Promise<string> {
  return (await execFileAsync('git', [...args])).stdout;
}

async function gitSucceeds(args: readonly string[]): Promise<boolean> {
  try {
    await execFileAsync('git', [...args]);
    return true;
  } catch {
    return false;
  }
}

/** Writes the work file and commits it on the branch checked out here; returns the commit's sha. */
async function commitWork(step: Extract<DemoStep, { kind: 'commit' }>, log: EventLog): Promise<string> {
  const command = `git add ${step.file} && git commit -m ${JSON.stringify(step.message)}`;
  const input = { command };
  process.stdout.write(`${cyan('▸')} Bash ${command}\n`);
  log('tool_start', { turn: step.turn, tool: 'Bash', input, text: `Bash ${command}` });
  mkdirSync(dirname(step.file), { recursive: true });
  writeFileSync(step.file, step.content);
  await git(['add', '--', step.file]);
  // A resumed task may find its file committed already, word for word: then there is nothing to commit.
  const staged = !(await gitSucceeds(['diff', '--cached', '--quiet']));
  if (staged) {
    const named = (await gitSucceeds(['config', 'user.name'])) && (await gitSucceeds(['config', 'user.email']));
    await git([...(named ? [] : DEMO_IDENTITY), 'commit', '--quiet', '-m', step.message]);
  }
  const sha = (await git(['rev-parse', 'HEAD'])).trim();
  const output = `[${sha.slice(0, 7)}] ${staged ? step.message : 'nothing new to commit'}`;
  process.stdout.write(`  ${dim('⎿')} ${dim(output)}\n`);
  log('tool_end', { turn: step.turn, tool: 'Bash', input, ok: true, text: output });
  process.stdout.write(`${green('●')} checkpoint ${sha.slice(0, 7)} · committed\n`);
  log('checkpoint', { turn: step.turn, sha, step: 'committed', text: step.message });
  return sha;
}

/** Runs muxctl with the terminal as its output, so its answer is on the worker's screen. */
function runMuxctl(args: readonly string[]): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolveRun) => {
    const child = spawn('muxctl', [...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (error) => resolveRun({ ok: false, detail: error.message }));
    child.once('close', (code, signal) => resolveRun({ ok: code === 0, detail: code === null ? `killed by ${signal ?? 'a signal'}` : `exit ${code}` }));
  });
}

/**
 * Tells the board the task is done. Logs no tool events: the turn closed with the result, and an open
 * turn would keep the worker from ever looking idle to the dispatcher.
 */
async function finishTask(step: Extract<DemoStep, { kind: 'finish' }>, log: EventLog): Promise<void> {
  process.stdout.write(`${cyan('▸')} muxctl task done\n`);
  const done = await runMuxctl(['task', 'done']);
  if (done.ok) {
    process.stdout.write(`${dim(`task ${step.taskId} finished; waiting for the next one`)}\n`);
    log('status', { turn: step.turn, text: `task ${step.taskId} finished; waiting for the next one` });
    return;
  }
  const problem = `muxctl task done did not succeed (${done.detail}); ${step.taskId} stays with this worker`;
  process.stderr.write(`${red(problem)}\n`);
  log('error', { turn: step.turn, text: problem });
}

/** Stays alive without doing anything: no heartbeats, no output, so the worker shows idle. */
function waitQuietly(): Promise<never> {
  // A long timer only to keep the event loop (and so the process) alive until a signal ends it.
  return new Promise(() => setInterval(() => undefined, 2 ** 30));
}

async function run(options: AgentOptions): Promise<void> {
  const log = createEventLog(resolve(options.logPath), options.worker);
  let turn = 0;
  installSignalHandlers(log, () => turn);
  const header = `muxctl-demo-agent · profile ${options.profile} · seed ${options.seed}`;
  if (options.task === undefined && options.awaitTask) {
    process.stdout.write(`${dim(header)}\n${dim('no task yet; waiting for one from the board')}\n`);
    // A status, not a message: a message opens a turn, and a worker with a turn open is never idle.
    log('status', { text: `demo agent started (profile ${options.profile}, seed ${options.seed}); waiting for a task` });
    return waitQuietly();
  }
  const heartbeat = setInterval(() => log('heartbeat', { turn }), Math.max(MIN_HEARTBEAT_MS, HEARTBEAT_MS * options.speed));
  heartbeat.unref();
  let readLine: (() => Promise<string | undefined>) | undefined;

  process.stdout.write(`${dim(options.task === undefined ? header : `${header} · task ${options.task.id}`)}\n`);
  log('message', { text: `demo agent started (profile ${options.profile}, seed ${options.seed})` });
  const script = options.task === undefined ? demoScript(options.profile, options.seed) : planTask(options.profile, options.seed, options.task);
  for (const step of script) {
    // No await for a zero delay: a heartbeat could slip in between quick's result and its exit, and
    // "the last event of a finished run is its result" is what a log reader relies on.
    if (step.delayMs > 0) await sleep(step.delayMs * options.speed);
    turn = step.turn;
    switch (step.kind) {
      case 'task':
        process.stdout.write(`\n${bold(`▶ ${step.title}`)}\n`);
        log('prompt', { turn, text: step.title });
        break;
      case 'message':
        process.stdout.write(`${step.text}\n`);
        log('message', { turn, text: step.text });
        break;
      case 'tool':
        await runTool(step, step.ok, options.speed, log);
        break;
      case 'question':
        readLine ??= createLineReader();
        await ask(step, options, log, readLine);
        break;
      case 'result': {
        const { input, output } = step.tokens;
        process.stdout.write(`${green('✓')} Done: ${step.title} ${dim(`· ${input.toLocaleString('en')} in / ${output.toLocaleString('en')} out · $${step.costUsd.toFixed(4)}`)}\n`);
        log('result', { turn, ok: true, text: step.title, tokens: step.tokens, costUsd: step.costUsd });
        turn = 0;
        break;
      }
      case 'commit':
        await commitWork(step, log);
        break;
      case 'finish':
        await finishTask(step, log);
        clearInterval(heartbeat);
        turn = 0;
        return waitQuietly();
      case 'exit':
        if (step.error !== undefined) {
          process.stderr.write(`${red(step.error)}\n`);
          log('error', { turn, text: step.error });
        }
        process.exit(step.code);
    }
  }
}

function main(): void {
  let options: AgentOptions | 'help';
  try {
    options = parseAgentOptions(process.argv.slice(2), process.env, Date.now());
  } catch (error) {
    if (!(error instanceof AgentUsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (options === 'help') {
    process.stdout.write(`${AGENT_USAGE}\n`);
    return;
  }
  run(options).catch((error: unknown) => {
    process.stderr.write(`muxctl-demo-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

main();
