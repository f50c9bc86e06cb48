/**
 * Sends desktop notifications: finds `notify-send` / `osascript` on PATH, runs them detached with an
 * argv (never a shell), or writes the terminal's escape. Never blocks and never throws: a notifier
 * that fails is reported once, as a notice, and tried again next time.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { chooseNotifier, notifyArgv, oscSequence, type NotificationText, type Notifier } from '../core/rules/notify.js';

/** A notifier that has not exited by then hangs (a D-Bus that never answers): it is killed. */
const KILL_AFTER_MS = 10_000;

/** The absolute path of `name` in the first PATH directory that has it executable, or null. */
export function findOnPath(name: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: the next directory.
    }
  }
  return null;
}

export interface DesktopSenderOptions {
  platform: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Writes an escape to the terminal the dashboard draws on (or drops it while that terminal is tmux's). */
  writeTerminal: (text: string) => void;
  /** Told once about a notifier that fails, until one succeeds again. */
  onError: (message: string) => void;
}

export interface DesktopSender {
  readonly notifier: Notifier;
  send(text: NotificationText): void;
}

/** Looks at PATH once, here: which way notifications go for as long as the dashboard runs. */
export function desktopSender({ platform, env, writeTerminal, onError }: DesktopSenderOptions): DesktopSender {
  const notifier = chooseNotifier({ platform, env, found: { 'notify-send': findOnPath('notify-send', env['PATH']), osascript: findOnPath('osascript', env['PATH']) } });
  let failing = false;
  const failed = (message: string): void => {
    if (!failing) onError(`desktop notification failed: ${message}`);
    failing = true;
  };
  const send = (text: NotificationText): void => {
    if (notifier.kind === 'osc') {
      writeTerminal(oscSequence(notifier, text));
      return;
    }
    try {
      const child = spawn(notifier.program, notifyArgv(notifier, text), { stdio: 'ignore', detached: true, env: { ...env } });
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      timer.unref();
      child.on('error', (error) => {
        clearTimeout(timer);
        failed(`${notifier.program}: ${error.message}`);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) failing = false;
        else failed(`${notifier.program} exited ${code ?? signal}`);
      });
      child.unref();
    } catch (error) {
      failed(`${notifier.program}: ${(error as Error).message}`);
    }
  };
  return { notifier, send };
}
