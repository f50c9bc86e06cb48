/**
 * What each configured host answers for the doctor: can muxctl log in, is there a clone of this
 * repository at its `repo`, is tmux there. One ssh call a host, all hosts at once, so one slow or dead
 * host costs the doctor its ssh timeout, not the sum of them.
 */
import { SshError, SshHost } from '../adapters/ssh.js';
import type { HostConfig, ProjectConfig } from '../core/config/config.js';
import { hostSocket, sshTarget } from './fleet.js';
import type { HostFacts } from '../core/rules/doctor.js';

/** Between git's answer and tmux's, and tmux's version and its sessions, in the probe's output. */
const TMUX_MARK = '--muxctl-tmux--';
const SESSIONS_MARK = '--muxctl-sessions--';
const CLOCK_MARK = '--muxctl-clock--';

/**
 * The probe, as one argv: the clone's path goes in as $1 and the tmux socket as $2, never into the
 * script's text, so a path with quotes or `$(…)` in it is only a path on the host.
 */
const PROBE = [
  'sh',
  '-c',
  `git -C "$1" rev-list --max-parents=0 HEAD -- 2>/dev/null; echo ${TMUX_MARK}; tmux -V 2>/dev/null; echo ${SESSIONS_MARK}; tmux -u -L "$2" -f /dev/null list-sessions -F '#{session_name}' 2>/dev/null; echo ${CLOCK_MARK}; date +%s; exit 0`,
  'muxctl-probe',
];

/**
 * The probe leaves the connection up: its master is shared by every muxctl here for that host entry (a
 * running dashboard's included), and ControlPersist ends it once nobody uses it.
 */
export async function probeHost(config: ProjectConfig, host: HostConfig, connect: (host: HostConfig) => SshHost = (entry) => new SshHost(sshTarget(entry))): Promise<HostFacts> {
  const socket = hostSocket(config, host.name);
  const ssh = connect(host);
  const facts = {
    name: host.name,
    destination: host.ssh,
    repo: host.repo,
    workers: config.workers.filter((w) => w.host === host.name).map((w) => w.name),
    killCommand: `ssh ${host.port === undefined ? '' : `-p ${host.port} `}${host.ssh} tmux -L ${socket} kill-session -t =`,
  };
  try {
    const askedAt = Date.now();
    const { stdout } = await ssh.run([...PROBE, host.repo, socket]);
    // The host's second, against the middle of the round trip here.
    const here = (askedAt + Date.now()) / 2;
    const [git = '', rest = ''] = stdout.split(TMUX_MARK);
    const [tmux = '', afterTmux = ''] = rest.split(SESSIONS_MARK);
    const [sessions = '', clock = ''] = afterTmux.split(CLOCK_MARK);
    const hostSeconds = Number.parseInt(clock.trim(), 10);
    const clockOffsetMs = Number.isFinite(hostSeconds) ? Math.round(hostSeconds * 1000 + 500 - here) : null;
    const roots = git.split('\n').map((line) => line.trim()).filter((line) => /^[0-9a-f]{40,64}$/.test(line));
    return { ...facts, unreachable: null, rootCommits: roots.length > 0 ? roots : null, tmux: tmux.trim() || null, sessions: sessions.split('\n').map((line) => line.trim()).filter(Boolean), clockOffsetMs };
  } catch (error) {
    if (error instanceof SshError) return { ...facts, unreachable: error.said, rootCommits: null, tmux: null, sessions: [] };
    throw error;
  }
}

export function probeHosts(config: ProjectConfig, connect?: (host: HostConfig) => SshHost): Promise<HostFacts[]> {
  return Promise.all(Object.values(config.hosts).map((host) => probeHost(config, host, connect)));
}
