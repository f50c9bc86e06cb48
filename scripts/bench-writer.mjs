// A worker for `npm run bench`: appends muxctl-format events to $MUXCTL_AGENT_LOG at a steady rate,
// in small batches every 10 ms, like a chatty agent. Exits after --seconds, then sleeps (stays alive).
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '30' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const file = process.env.MUXCTL_AGENT_LOG;
if (!file) throw new Error('bench-writer runs inside a muxctl worker (MUXCTL_AGENT_LOG is not set)');
const worker = process.env.MUXCTL_WORKER;
const started = Date.now();
let written = 0;
const tick = () => {
  const elapsed = (Date.now() - started) / 1000;
  if (elapsed >= seconds) {
    console.log(`wrote ${written} lines`);
    setInterval(() => {}, 1 << 30);
    return;
  }
  const due = Math.floor(elapsed * rate) - written;
  if (due > 0) {
    let chunk = '';
    for (let i = 0; i < due; i++) {
      written += 1;
      chunk += JSON.stringify({ time: new Date().toISOString(), type: i % 10 === 0 ? 'tool_start' : 'message', tool: 'Bash', worker, text: `line ${written} of the bench` }) + '\n';
    }
    appendFileSync(file, chunk);
  }
  setTimeout(tick, 10);
};
tick();
