/**
 * What each configured host answers for the doctor: can muxctl log in, is there a clone of this
 * repository at its `repo`, is tmux there. One ssh call a host, all hosts at once, so one slow or dead
 * host costs the doctor its ssh timeout, not the sum of them.
 */
import { SshError, SshHost, type SshTarget } from '../adapters/ssh.js';
import type { HostConfig } from '../core/config/config.js';
import type { HostFacts } from '../core/rules/doctor.js';

/** Between git's answer and tmux's in the probe's output. */
const TMUX_MARK = '--muxctl-tmux--';

/**
 * The probe, as one argv: the clone's path goes in as $1, never into the script's text, so a path with
 * quotes or `$(…)` in it is only a path on the host.
 */
const PROBE = ['sh', '-c', `git -C "$1" rev-list --max-parents=0 HEAD -- 2>/dev/null; echo ${TMUX_MARK}; tmux -V 2>/dev/null; exit 0`, 'muxctl-probe'];

export function sshTarget(host: HostConfig): SshTarget {
  return {
    name: host.name,
    destination: host.ssh,
    ...(host.port === undefined ? {} : { port: host.port }),
    ...(host.identityFile === undefined ? {} : { identityFile: host.identityFile }),
    sshArgs: host.sshArgs,
  };
}

export async function probeHost(host: HostConfig, connect: (target: SshTarget) => SshHost = (target) => new SshHost(target)): Promise<HostFacts> {
  const facts = { name: host.name, destination: host.ssh, repo: host.repo };
  const ssh = connect(sshTarget(host));
  try {
    const { stdout } = await ssh.run([...PROBE, host.repo]);
    const [git = '', tmux = ''] = stdout.split(TMUX_MARK);
    const roots = git.split('\n').map((line) => line.trim()).filter((line) => /^[0-9a-f]{40,64}$/.test(line));
    return { ...facts, unreachable: null, rootCommits: roots.length > 0 ? roots : null, tmux: tmux.trim() || null };
  } catch (error) {
    if (error instanceof SshError) return { ...facts, unreachable: error.said, rootCommits: null, tmux: null };
    throw error;
  } finally {
    await ssh.close();
  }
}

export function probeHosts(hosts: Readonly<Record<string, HostConfig>>, connect?: (target: SshTarget) => SshHost): Promise<HostFacts[]> {
  return Promise.all(Object.values(hosts).map((host) => probeHost(host, connect)));
}
