/**
 * muxctl-demo-agent: behaves like a coding agent (prints work, asks permission, crashes, finishes) so
 * the example config runs anywhere with no API keys. What it does comes from `script.ts`; this file does
 * the I/O: the terminal, the JSONL event log, stdin answers, delays and signals. It is an executable —
 * an adapter of its own — which is why it, alone under src/demo, touches the file system.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AGENT_USAGE, AgentUsageError, demoScript, describeCall, parseAgentOptions, parseAnswer,
  type AgentOptions, type DemoStep, type ToolCall,
} from './script.js';

type EventType = 'message' | 'prompt' | 'tool_start' | 'tool_end' | 'question' | 'answer' | 'result' | 'error' | 'heartbeat';

/** Every optional field of muxctl's own event format; `time`, `type` and `worker` are filled in. */
interface EventFields {
  text?: string;
  tool?: string;
  input?: ToolCall['input'];
  ok?: boolean;
  tokens?: { input: number; output: number };
  costUsd?: number;
  turn?: number;
}

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

function installSignalHandlers(log: EventLog, currentTurn: () => number): void {
  const exitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const signal of Object.keys(exitCodes) as (keyof typeof exitCodes)[]) {
    process.on(signal, () => {
      // After SIGHUP the terminal is gone (tmux killed the pane): writing to it could fail, so only log.
      if (signal !== 'SIGHUP') process.stdout.write(`\n${yellow('interrupted')}\n`);
      log('message', { turn: currentTurn(), text: `interrupted (${signal})` });
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

async function run(options: AgentOptions): Promise<void> {
  const log = createEventLog(resolve(options.logPath), options.worker);
  let turn = 0;
  installSignalHandlers(log, () => turn);
  const heartbeat = setInterval(() => log('heartbeat', { turn }), Math.max(MIN_HEARTBEAT_MS, HEARTBEAT_MS * options.speed));
  heartbeat.unref();
  let readLine: (() => Promise<string | undefined>) | undefined;

  process.stdout.write(`${dim(`muxctl-demo-agent · profile ${options.profile} · seed ${options.seed}`)}\n`);
  log('message', { text: `demo agent started (profile ${options.profile}, seed ${options.seed})` });
  for (const step of demoScript(options.profile, options.seed)) {
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
        break;
      }
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
