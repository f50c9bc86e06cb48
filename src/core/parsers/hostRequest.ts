/**
 * What a worker on a host asks of the board: the host's `muxctl` (a shell script muxctl puts there,
 * adapters/hostShim.ts) writes one line a command, `<id> :<base64 arg> :<base64 arg> …`, and the
 * dashboard runs it here as that worker. Only `task` and `emit` go this way, and never with a config of
 * the worker's choosing: the board's config is the one this machine's muxctl was started with.
 */

export interface HostRequest {
  /** `<seconds>-<pid>` on the host: it names the request's answer file there, so nothing else is allowed. */
  id: string;
  argv: string[];
}

export type ParsedRequest = { ok: true; request: HostRequest } | { ok: false; id: string | null; error: string };

const ID = /^[0-9]{1,20}-[0-9]{1,10}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const COMMANDS = new Set(['task', 'emit']);

export function parseHostRequest(line: string): ParsedRequest | null {
  const [id = '', ...words] = line.trim().split(' ');
  if (id === '') return null;
  if (!ID.test(id)) return { ok: false, id: null, error: `not a request: ${JSON.stringify(line.slice(0, 80))}` };
  const argv: string[] = [];
  for (const word of words) {
    const encoded = word.slice(1);
    if (!word.startsWith(':') || !BASE64.test(encoded)) return { ok: false, id, error: `request ${id}: an argument is not base64` };
    argv.push(Buffer.from(encoded, 'base64').toString('utf8'));
  }
  const [command] = argv;
  if (command === undefined || !COMMANDS.has(command)) return { ok: false, id, error: `muxctl on a host runs only \`muxctl task …\` and \`muxctl emit …\`; the rest runs where the dashboard is` };
  if (argv.some((arg) => arg === '--config' || arg.startsWith('--config='))) return { ok: false, id, error: 'muxctl on a host acts on the board it was started from: --config is not taken' };
  return { ok: true, request: { id, argv } };
}
