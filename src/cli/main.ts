/** The entry point: parses argv, runs one command, turns typed errors into a message and an exit code. */
import { parseArgs } from 'node:util';
import { MuxctlError } from '../core/errors.js';
import { HELP } from './help.js';
import { mark, writeTimeline } from '../adapters/timeline.js';
// Every command's code is loaded when that command runs (the bundle is split at these imports):
// `--version` loads nothing else, `status` never loads Ink, the lander or the task commands.
import type { Services, OpenOptions } from '../app/services.js';

declare const MUXCTL_VERSION: string | undefined;
const VERSION = typeof MUXCTL_VERSION === 'string' ? MUXCTL_VERSION : '0.0.0-dev';

class UsageError extends MuxctlError {
  constructor(message: string) {
    super(`${message}\nRun muxctl --help for usage.`, 2);
  }
}

/** Finds and loads the config, checks tmux and git: see openProject. */
async function open(configFlag: string | undefined, options?: OpenOptions): Promise<Services> {
  return (await import('../app/services.js')).openProject(configFlag, options);
}

async function main(argv: string[]): Promise<number> {
  mark('entry loaded');
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        reason: { type: 'string' },
        json: { type: 'boolean', default: false },
        stat: { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        now: { type: 'boolean', default: false },
        remove: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        sha: { type: 'string' },
        step: { type: 'string' },
        percent: { type: 'string' },
        'no-redact': { type: 'boolean', default: false },
        lane: { type: 'string' },
        agent: { type: 'string' },
        command: { type: 'string' },
        base: { type: 'string' },
        priority: { type: 'string' },
        label: { type: 'string', multiple: true },
        check: { type: 'string' },
        prompt: { type: 'string' },
        'prompt-file': { type: 'string' },
        'max-attempts': { type: 'string' },
        after: { type: 'string' },
        state: { type: 'string' },
        follow: { type: 'boolean', short: 'f', default: false },
        since: { type: 'string' },
        about: { type: 'string' },
        yes: { type: 'boolean', default: false },
        'refuse-dirty': { type: 'boolean', default: false },
        reset: { type: 'boolean', default: false },
        confirm: { type: 'string' },
        fix: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command = 'dashboard', ...rest] = positionals;
  const one = (what: string): string => {
    if (rest.length !== 1 || !rest[0]) throw new UsageError(`muxctl ${what} takes exactly one worker name.`);
    return rest[0];
  };
  if (values.force && !values.remove && command !== 'worker') throw new UsageError('--force only goes with down --remove or worker remove.');

  switch (command) {
    case 'dashboard': {
      // Loading the dashboard's code overlaps the checks' I/O.
      if (process.stdout.isTTY && process.stdin.isTTY) void import('../app/dashboard.js');
      return dashboardOrTable(await open(values.config, { redact: !values['no-redact'] }), !values['no-redact']);
    }
    case 'up':
      return (await import('./commands.js')).upCommand(await open(values.config), rest, values.reason ?? 'started from the command line');
    case 'down':
      return (await import('./commands.js')).downCommand(await open(values.config), rest, {
        remove: values.remove,
        force: values.force,
        reason: values.reason ?? 'stopped from the command line',
      });
    case 'worker':
      return (await import('./workerCommand.js')).workerCommand(values.config, rest, {
        lane: values.lane,
        agent: values.agent,
        command: values.command,
        base: values.base,
        reason: values.reason,
        force: values.force,
        json: values.json,
      });
    case 'explain':
      return (await import('./explainCommand.js')).explainCommand(values.config, rest[0], values.json);
    case 'send':
      return (await import('./sendCommand.js')).sendCommand(await open(values.config), rest, { lane: values.lane, all: values.all, now: values.now, json: values.json });
    case 'answer':
      return (await import('./answerCommand.js')).answerCommand(await open(values.config), rest, values.json);
    case 'diff':
      return (await import('./diffCommand.js')).diffCommand(values.config, one('diff'), { stat: values.stat, json: values.json });
    case 'status':
      return (await import('./commands.js')).statusCommand(await open(values.config, { redact: !values['no-redact'] }), values.json, !values['no-redact']);
    case 'attach':
      return (await import('./commands.js')).attachCommand(await open(values.config), one('attach'));
    case 'restart':
      return (await import('./commands.js')).restartCommand(await open(values.config), one('restart'), {
        reason: values.reason ?? 'restarted from the command line',
        reset: values.reset,
        confirmation: values.confirm ?? null,
      });
    case 'task':
      return (await import('./taskCommands.js')).taskCommand(await open(values.config), rest, values);
    case 'events':
      return (await import('./taskCommands.js')).eventsCommand(await open(values.config), values);
    case 'report':
      return (await import('./taskCommands.js')).reportCommand(await open(values.config), values);
    case 'export':
      return (await import('./taskCommands.js')).exportCommand(await open(values.config));
    case 'land':
      return (await import('./landCommands.js')).landCommand(await open(values.config), rest, values.json);
    case 'doctor':
      return (await import('./landCommands.js')).doctorCommand(await open(values.config), values);
    case 'dispatch':
      return (await import('./taskCommands.js')).dispatchCommand(await open(values.config), rest);
    case 'emit':
      // Inside a worker, on every heartbeat: no config, tmux or git needed.
      return (await import('./emitCommand.js')).emitCommand(rest[0], rest.slice(1), { sha: values.sha, step: values.step, percent: values.percent });
    case 'demo': {
      const { prepareDemo, demoDir } = await import('./demo.js');
      const file = await prepareDemo(demoDir());
      const ctx = await open(file, { redact: !values['no-redact'] });
      // A reopened demo is brought back as `up` would: each held task given to its worker's new process.
      const [{ printResults }, { CLI_PERSON }] = await Promise.all([import('./commands.js'), import('../core/rules/tasks.js')]);
      printResults(await ctx.recovery.bringBack([], CLI_PERSON, 'muxctl demo'), process.stderr);
      return dashboardOrTable(ctx, !values['no-redact']);
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

async function dashboardOrTable(ctx: Services, redact: boolean): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    await (await import('./commands.js')).statusCommand(ctx, false, redact);
    process.stdout.write(`\n(no terminal here, so no dashboard: run muxctl in a terminal to open it)\n`);
    return 0;
  }
  // Loaded only for the dashboard: the headless commands never pay for Ink and React.
  const { runDashboard } = await import('../app/dashboard.js');
  return runDashboard(ctx, { redact });
}

main(process.argv.slice(2)).then(
  (code) => {
    mark('done');
    writeTimeline();
    process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof MuxctlError) {
      process.stderr.write(`muxctl: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`muxctl: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
