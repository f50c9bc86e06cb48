/**
 * `muxctl send <worker> "text"`, `--lane L`, `--all`: a message typed into each worker's agent at its
 * prompt (one paste and Enter, confirmed on its screen), or waiting in the board until it is (a running
 * dashboard delivers it then). `--now` refuses instead of waiting. Inside a worker it is sent as that
 * worker: to another worker or lane, never to itself, a few a minute.
 */
import { MuxctlError } from '../core/errors.js';
import type { MessageTarget } from '../core/rules/messages.js';
import { promptsOf } from '../control/messenger.js';
import type { Services } from '../app/services.js';
import { cliActor } from './taskCommands.js';

export interface SendFlags {
  lane?: string | undefined;
  all: boolean;
  now: boolean;
  json: boolean;
}

export async function sendCommand(services: Services, args: readonly string[], flags: SendFlags): Promise<number> {
  const { target, text } = parseSend(args, flags);
  const sender = cliActor(services);
  // The workers as tmux shows them now: at its prompt means alive and its screen still.
  const snapshots = await services.observer.observe(0);
  const outcome = await services.messenger.send(target, text, sender, promptsOf(() => snapshots, Date.now()), { now: flags.now });
  if (flags.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
  else for (const line of outcome.lines) (line.ok ? process.stdout : process.stderr).write(`${line.ok ? '✔' : '✖'} ${line.worker ? `${line.worker}: ` : ''}${line.text}\n`);
  return outcome.ok ? 0 : 1;
}

function parseSend(args: readonly string[], flags: SendFlags): { target: MessageTarget; text: string } {
  const usage = 'muxctl send <worker> "text", muxctl send --lane L "text" or muxctl send --all "text"';
  if (flags.all && flags.lane !== undefined) throw new MuxctlError(`--all and --lane go one at a time: ${usage}`, 2);
  if (flags.all || flags.lane !== undefined) {
    if (args.length !== 1 || args[0] === undefined) throw new MuxctlError(`muxctl send takes the message as one argument: ${usage}`, 2);
    return { target: flags.all ? { kind: 'all' } : { kind: 'lane', lane: flags.lane ?? '' }, text: args[0] };
  }
  const [name, text, ...more] = args;
  if (name === undefined || text === undefined || more.length > 0) throw new MuxctlError(`muxctl send takes a worker and the message: ${usage}`, 2);
  return { target: { kind: 'worker', name }, text };
}
