/**
 * Writing a file on a host, over its connection: the path is the fixed script's argument and the text
 * its stdin, never part of the script. A write is renamed into place whole, so a reader there never
 * sees half of it; an append makes the file's directory first.
 */
import type { RemoteRunner } from './remoteTail.js';

/** Runs on the host with input: SshHost.run. */
export interface RemoteWriter extends RemoteRunner {
  run(remote: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

export async function writeOnHost(host: RemoteWriter, file: string, text: string, where: string): Promise<void> {
  const result = await host.run(['sh', '-c', 'cat > "$1.tmp" && mv -f "$1.tmp" "$1"', 'sh', file], { input: text });
  if (result.exitCode !== 0) throw new Error(`cannot write ${file}${where}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}

export async function appendOnHost(host: RemoteWriter, file: string, text: string, where: string): Promise<void> {
  const result = await host.run(['sh', '-c', 'mkdir -p "$(dirname "$1")" && cat >> "$1"', 'sh', file], { input: text });
  if (result.exitCode !== 0) throw new Error(`cannot append to ${file}${where}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}
