/**
 * `muxctl` on a host, where muxctl itself is not installed: a POSIX sh script muxctl puts beside the
 * host's worktrees (`<worktreeDir>/.muxctl/bin/muxctl`, first on its workers' PATH). A worker's
 * `muxctl task …` or `muxctl emit …` there becomes one line appended to its requests file, every
 * argument base64 (never a shell word); the dashboard that follows that file runs the command here as
 * that worker and writes the answer back, which the script prints with its exit code.
 *
 * Who takes a request is settled by `mkdir` of `<id>.taken`, atomic on the host: the dashboard takes it
 * to run it; the script takes it itself when no dashboard did in time, and then says nothing was done,
 * so a request found later (a connection back up) is never run behind the agent's back. The markers stay,
 * so a second dashboard reading the same line never runs it again.
 */
import { HOST_DEFAULTS } from '../core/config/defaults.js';
import { writeOnHost, type RemoteWriter } from './hostFiles.js';
import type { RemoteRunner } from './remoteTail.js';

/**
 * How long the script waits for a dashboard to take its request: MUXCTL_REQUEST_WAIT (seconds, from the
 * host's `requestWaitSeconds`), else the default. Once taken, the answer is waited for up to 40 minutes (×0.2 s).
 */
const ANSWER_TICKS = 12_000;

export const HOST_SHIM = String.raw`#!/bin/sh
# muxctl's stand-in on this host, put here by the muxctl dashboard that runs its workers: 'muxctl task'
# and 'muxctl emit' go to that dashboard through files beside the worktrees, and its answer comes back.
base=$MUXCTL_REQUESTS
if [ -z "$base" ]; then
  echo "muxctl: this is muxctl's stand-in on a host: it runs inside a worker muxctl started (MUXCTL_REQUESTS is not set)" >&2
  exit 2
fi
case "$1" in
  task|emit) ;;
  --version) echo "muxctl host stand-in: task and emit go to the dashboard"; exit 0 ;;
  *) echo "muxctl: on a host only 'muxctl task ...' and 'muxctl emit ...' run; the rest runs where the dashboard is" >&2; exit 2 ;;
esac
id="$(date +%s)-$$"
line=$id
for arg in "$@"; do
  line="$line :$(printf '%s' "$arg" | base64 | tr -d '\n')"
done
printf '%s\n' "$line" >> "$base.requests"
wait_s=$MUXCTL_REQUEST_WAIT
board=
case $wait_s in ''|*[!0-9]*) wait_s=${HOST_DEFAULTS.requestWaitSeconds} ;; esac
waited=0
while :; do
  if [ -f "$base.$id.answer" ]; then
    code=$(head -n 1 "$base.$id.answer")
    tail -n +2 "$base.$id.answer"
    rm -f "$base.$id.answer"
    [ -n "$code" ] || code=1
    exit "$code"
  fi
  if [ -z "$board" ] && [ "$waited" -ge $((wait_s * 5)) ]; then
    if mkdir "$base.$id.taken" 2>/dev/null; then
      echo "muxctl: no muxctl dashboard took this in $wait_s s (none runs, or it cannot reach this host), so nothing was done. Run it again once the dashboard runs and reaches this host." >&2
      exit 75
    fi
    board=taken
  fi
  if [ "$waited" -ge ${ANSWER_TICKS} ]; then
    echo "muxctl: the dashboard took this and has not answered in 40 minutes; its board says what happened (muxctl task show, there)" >&2
    exit 75
  fi
  sleep 0.2
  waited=$((waited + 1))
done
`;

/** Where a worker's requests and their answers live on its host: `<base>.requests`, `<base>.<id>.answer`. */
export function requestsBase(stateDir: string, worker: string): string {
  return `${stateDir}/requests/${worker}`;
}

/**
 * The host's state directory made (logs, requests, bin) and the stand-in written there, in one call;
 * written each time, so a host has the stand-in of the muxctl that runs it. Replaced by a rename: a
 * worker running it meanwhile keeps the old file.
 */
export async function installHostShim(host: RemoteWriter, stateDir: string): Promise<void> {
  const script = 'mkdir -p -m 700 "$1/logs" "$1/requests" "$1/bin" && cat > "$1/bin/.muxctl.$$" && chmod 755 "$1/bin/.muxctl.$$" && mv -f "$1/bin/.muxctl.$$" "$1/bin/muxctl"';
  const result = await host.run(['sh', '-c', script, 'sh', stateDir], { input: HOST_SHIM });
  if (result.exitCode !== 0) throw new Error(`cannot write muxctl's stand-in in ${stateDir}/bin: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}

/** Takes request `id` to run it; false when it was taken already (the script gave up on it, or another dashboard has it). */
export async function takeRequest(host: RemoteRunner, base: string, id: string): Promise<boolean> {
  return (await host.run(['mkdir', `${base}.${id}.taken`])).exitCode === 0;
}

/** The answer the script prints: its exit code on the first line, then what the command printed. Renamed into place whole. */
export async function answerRequest(host: RemoteWriter, base: string, id: string, exitCode: number, output: string): Promise<void> {
  const text = output === '' || output.endsWith('\n') ? output : `${output}\n`;
  await writeOnHost(host, `${base}.${id}.answer`, `${exitCode}\n${text}`, ' on the host');
}

/**
 * Takes away the markers and unread answers of requests older than a day in a host's requests directory:
 * by then no dashboard reads their line again (each follows from the end), so nothing can run twice.
 */
export async function sweepRequests(host: RemoteRunner, dir: string): Promise<void> {
  await host.run(['find', dir, '-maxdepth', '1', '(', '-name', '*.taken', '-o', '-name', '*.answer', ')', '-mmin', '+1440', '-exec', 'rm', '-rf', '{}', '+']);
}
