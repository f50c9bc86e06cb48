#!/usr/bin/env node
// A stand-in for Claude Code that has hit its usage limit, for the tests of the `limited` state. It writes
// its transcript as Claude Code 2.1.179 did when it hit the limit (the shape and words of
// test/fixtures/agent-logs/claude-code/slopus-happy__rate-limit.jsonl: a synthetic assistant message,
// isApiErrorMessage, error "rate_limit", HTTP 429, "You've hit your limit · resets <when> (<zone>)"), with
// a reset time `--reset-in` minutes from now in its own words, and prints the same line on its screen.
// Then it waits at its prompt: each line typed is answered, and written to the transcript as a turn.
//
//   node limitedAgent.mjs --log FILE [--reset-in MINUTES]
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1];
};
const log = option('--log');
if (log === undefined) {
  console.error('usage: limitedAgent.mjs --log FILE [--reset-in MINUTES]');
  process.exit(2);
}
const resetInMinutes = Number(option('--reset-in', '120'));
const zone = 'America/Los_Angeles';
const sessionId = randomUUID();
let parent = null;

/** Claude Code's wall-clock reset as it writes it: "Dec 2 at 6pm", "Dec 2 at 6:30pm", in the named zone. */
function claudeReset(at) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const minutes = parts.minute === '00' ? '' : `:${parts.minute}`;
  return `${parts.month} ${parts.day} at ${parts.hour}${minutes}${parts.dayPeriod.toLowerCase()}`;
}

function write(entry) {
  const uuid = randomUUID();
  const line = { parentUuid: parent, isSidechain: false, userType: 'external', cwd: process.cwd(), sessionId, version: '2.1.179', gitBranch: 'main', ...entry, uuid, timestamp: new Date().toISOString() };
  parent = uuid;
  appendFileSync(log, `${JSON.stringify(line)}\n`);
}

const usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
// Rounded up to a whole minute, as the agents say it.
const resetAt = Math.ceil((Date.now() + resetInMinutes * 60_000) / 60_000) * 60_000;
const words = `You've hit your limit · resets ${claudeReset(resetAt)} (${zone})`;

mkdirSync(dirname(log), { recursive: true });
write({ type: 'user', message: { role: 'user', content: 'fix the login redirect' } });
write({
  type: 'assistant',
  requestId: `req_${randomUUID().replaceAll('-', '')}`,
  error: 'rate_limit',
  isApiErrorMessage: true,
  apiErrorStatus: 429,
  message: { id: randomUUID(), model: '<synthetic>', role: 'assistant', type: 'message', stop_reason: 'stop_sequence', stop_sequence: '', content: [{ type: 'text', text: words }], usage },
});
process.stdout.write(`> fix the login redirect\n  ⎿  ${words}\n\n> `);

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  write({ type: 'user', message: { role: 'user', content: line } });
  const reply = `heard: ${line}. Picking up where I left off.`;
  write({ type: 'assistant', message: { id: `msg_${randomUUID()}`, model: 'claude-sonnet-4-5', role: 'assistant', type: 'message', stop_reason: 'end_turn', content: [{ type: 'text', text: reply }], usage: { ...usage, input_tokens: 12, output_tokens: 9 } } });
  process.stdout.write(`${reply}\n> `);
});
