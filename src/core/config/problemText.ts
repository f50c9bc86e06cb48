/**
 * A config problem as a person reads it (`sessions.json:12:7: workers[1].lane: …`). Apart from
 * problems.ts, which finds them with the schema: showing a problem must not load zod and the schema.
 */
import path from 'node:path';

export interface ConfigProblem {
  file: string;
  /** Field path such as `workers[2].lane`, or `(root)`. */
  path: string;
  /** What was expected, and what was found. */
  message: string;
  /** 1-based position in the file of the offending value or field name, when known. */
  line?: number;
  column?: number;
}

/**
 * One line per problem, `file:line:column: path: message` (the form editors and terminals make
 * clickable). `relativeTo` shortens the file name for display, e.g. to the current directory.
 */
export function formatProblems(problems: readonly ConfigProblem[], options: { relativeTo?: string } = {}): string {
  return problems
    .map((problem) => {
      let shown = problem.file;
      if (options.relativeTo !== undefined) {
        const relative = path.relative(options.relativeTo, problem.file);
        if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) shown = relative;
      }
      const where = problem.line === undefined ? shown : `${shown}:${problem.line}:${problem.column ?? 1}`;
      return `${where}: ${problem.path}: ${problem.message}`;
    })
    .join('\n');
}
