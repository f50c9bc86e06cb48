import type { ConfigProblem } from './config.js';
import { formatProblems } from './config.js';
import { MuxctlError } from '../errors.js';

/** A config that cannot be used: every problem, each with its file, field and what was expected. Exit 2. */
export class ConfigError extends MuxctlError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[], header = 'The config has problems; nothing was started.') {
    super(`${header}\n${formatProblems(problems)}`, 2);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** No config file where muxctl looked. */
export class ConfigNotFoundError extends MuxctlError {
  constructor(looked: string) {
    super(
      `No config at ${looked}.\n` +
        'Copy sessions.example.json from muxctl to sessions.json in your repository and edit it, or pass --config PATH.\n' +
        'To see muxctl work first, run `muxctl demo`.',
      2,
    );
    this.name = 'ConfigNotFoundError';
  }
}
