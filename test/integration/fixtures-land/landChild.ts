/**
 * A lander in a process of its own, for test/integration/land.test.ts: the lock only means something
 * between processes, and "killed mid-check" needs a process to kill.
 *
 *   landChild.ts <db> <sessions.json> <integration worktree>
 *
 * Runs one `land` of every done task and prints the results as one JSON line.
 */
import { readFileSync } from 'node:fs';
import { runCheck } from '../../../src/adapters/check.js';
import { Git } from '../../../src/adapters/git.js';
import { TaskStore } from '../../../src/adapters/taskStore.js';
import { Lander } from '../../../src/control/lander.js';
import { formatProblems } from '../../../src/core/config/config.js';
import { parseConfig } from '../../../src/core/config/parse.js';

const [file, configFile, integrationPath] = process.argv.slice(2);
if (file === undefined || configFile === undefined || integrationPath === undefined) throw new Error('usage: landChild.ts <db> <sessions.json> <integration worktree>');

const parsed = parseConfig(readFileSync(configFile, 'utf8'), configFile);
if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
const config = parsed.config;
const store = TaskStore.open(file);
const lander = new Lander({ config: () => config, store, git: new Git(config.repo), runCheck, now: Date.now, integrationPath });
process.stdout.write(`${JSON.stringify({ results: await lander.land(undefined, { kind: 'person', name: 'child' }) })}\n`);
store.close();
