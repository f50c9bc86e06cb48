/**
 * What the in-process integration tests share: muxctl's services opened on a test project (closed after
 * each test), the person they act as, and the worker scripts' way of committing and logging their runs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openProject, type OpenOptions, type Services } from '../../src/app/services.js';

export const PERSON = { kind: 'person', name: 'test' } as const;

/** git as a worker script runs it: an identity of its own, no signing, no hooks of the machine. */
export const WORKER_GIT = 'git -c user.name=worker -c user.email=worker@muxctl.invalid -c commit.gpgsign=false -c core.hooksPath=/dev/null';

/** Where a worker script appends a line for each of its starts (beside the repo, never in a worktree). */
export const RUNS_LOG = '"$MUXCTL_REPO/../scratch/runs.log"';

/** The lines the worker scripts wrote to RUNS_LOG. */
export async function runsLogged(scratch: string): Promise<string[]> {
  return (await readFile(join(scratch, 'runs.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** Call once at the top of a file: opens services on a config, each closed after the test that opened it. */
export function servicesClosedAfterEach(): (configFile: string, options?: OpenOptions) => Promise<Services> {
  const opened: Services[] = [];
  afterEach(() => {
    for (const services of opened.splice(0)) services.runtime.close();
  });
  return async (configFile, options) => {
    const services = await openProject(configFile, options);
    opened.push(services);
    return services;
  };
}
