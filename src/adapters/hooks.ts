/** Runs the person's `hooks.onStateChange` command: detached, so a slow or hung hook never stalls muxctl. */
import { spawn } from 'node:child_process';

export function runHook(command: string, env: Record<string, string>, cwd: string, onError: (message: string) => void): void {
  try {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env: { ...process.env, ...env }, stdio: 'ignore', detached: true });
    child.on('error', (error) => onError(`hook failed to start: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (code !== 0) onError(`hook exited ${code ?? signal}: ${command}`);
    });
    child.unref();
  } catch (error) {
    onError(`hook failed to start: ${(error as Error).message}`);
  }
}
