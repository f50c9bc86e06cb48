/**
 * The project config (`sessions.json`): `parseConfig` turns its text into the config muxctl runs on, or
 * into every problem with it at once. Pure: the caller reads the file and passes its text and absolute path.
 *
 * This is the module the rest of muxctl imports the config from. The parts: types.ts (what a config
 * holds), defaults.ts, schema.ts (the file as written, and its JSON Schema), problems.ts (what is wrong,
 * and where), resolve.ts (defaults merged in, paths made absolute), paths.ts and didYouMean.ts.
 * `parseConfig` itself is in parse.ts, with the schema: it is the only part that needs zod, and a start
 * whose config was already judged (adapters/configCache.ts) loads neither.
 */
import type { ConfigProblem } from './problemText.js';
import type { ProjectConfig } from './types.js';

export { PROJECT_DEFAULTS, WORKER_DEFAULTS } from './defaults.js';
export { didYouMean } from './didYouMean.js';
export { formatPath, type JsonPath } from './jsonLocate.js';
export { expandLogPath, hostOf, workerPath } from './paths.js';
export { formatProblems, type ConfigProblem } from './problemText.js';
export {
  LOG_FORMATS,
  RESTART_POLICIES,
  STOP_SIGNALS,
  type HealthConfig,
  type HostConfig,
  type LandConfig,
  type LogFormat,
  type ProjectConfig,
  type RestartPolicy,
  type RoutingRule,
  type StopSignal,
  type TaskDelivery,
  type TasksConfig,
  type WorkerConfig,
  type WorktreeConfig,
} from './types.js';

export type ConfigResult = { ok: true; config: ProjectConfig } | { ok: false; problems: ConfigProblem[] };

