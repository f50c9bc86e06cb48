/**
 * The native addons (better-sqlite3, node-pty) loaded when first used, not when the module that uses
 * them is: each costs ~8–11 ms to load (measured here), `muxctl status` needs neither, and the
 * dashboard needs the pty only when a person attaches. Both are CommonJS, so a require is synchronous.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function loadNative<T>(name: 'better-sqlite3' | 'node-pty'): T {
  return require(name) as T;
}
