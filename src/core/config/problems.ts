/**
 * What is wrong with a config, in words a person can act on: every problem at once, each with the field
 * path, what was expected, what was found and where in the file it is (`sessions.json:12:7:
 * workers[1].lane: …`), because fixing a config one error per run is miserable.
 */
import type { z } from 'zod';
import { didYouMean } from './didYouMean.js';
import { formatPath, lineColumn, type JsonDocument, type JsonPath } from './jsonLocate.js';
import type { ConfigProblem } from './problemText.js';
import { allowedFields, DEFAULTS_FORBIDDEN } from './schema.js';

export type { ConfigProblem };

export interface RawProblem {
  path: JsonPath;
  message: string;
  /** Set when the problem is about a field's name (unknown, duplicated) rather than its value. */
  keyPath?: JsonPath;
}

/** The "expected …" half of every message; `issueProblems` adds what was found. */
export function expectedText(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'expected a non-empty string' : `expected at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `expected a number ${issue.inclusive === false ? '>' : '≥'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      return `expected a number ${issue.inclusive === false ? '<' : '≤'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of: ${issue.values.map(String).join(', ')}`;
    default:
      return undefined; // schema-level messages (regexes, refinements) already say what is expected
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

export function issueProblems(issue: z.core.$ZodIssue, prefix: JsonPath, raw: unknown): RawProblem[] {
  const at: JsonPath = [...prefix, ...issue.path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg))];
  const found = valueAt(raw, at);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: at, keyPath: [...at, key], message: unknownFieldMessage(at, key) }));
    case 'invalid_key':
      // The nested messages name the key themselves ("\"A-B\" is not a valid environment variable name…").
      return [{ path: at, keyPath: at, message: issue.issues.map((inner) => inner.message).join('; ') }];
    case 'invalid_union': {
      // One branch got past its type check (e.g. an array whose 2nd element is a number): its issues
      // say more than "expected a string or an array".
      const deep = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
      if (deep.length === 1 && deep[0]) return deep[0].flatMap((inner) => issueProblems(inner, at, raw));
      return [{ path: at, message: `${issue.message}${foundText(found)}` }];
    }
    case 'invalid_value': {
      const suggestion = typeof found === 'string' ? didYouMean(found, issue.values.map(String)) : '';
      return [{ path: at, message: `${issue.message}${foundText(found)}${suggestion}` }];
    }
    default: {
      const quoteHint = issue.code === 'invalid_type' && issue.expected === 'string' && (typeof found === 'number' || typeof found === 'boolean') ? ` (write it in quotes: "${String(found)}")` : '';
      return [{ path: at, message: `${issue.message}${foundText(found)}${quoteHint}` }];
    }
  }
}

function unknownFieldMessage(objectPath: JsonPath, key: string): string {
  if (objectPath.length === 1 && objectPath[0] === 'defaults' && DEFAULTS_FORBIDDEN.has(key)) {
    return `"${key}" cannot be set in defaults — each worker sets its own`;
  }
  const allowed = allowedFields(objectPath);
  const suggestion = didYouMean(key, allowed);
  if (suggestion !== '') return `unknown field ${JSON.stringify(key)}${suggestion}`;
  return `unknown field ${JSON.stringify(key)}; expected one of: ${allowed.join(', ')}`;
}

/** Checks that need more than one field: unique worker names, and lanes and hosts that exist. */
export function crossFieldProblems(raw: unknown): RawProblem[] {
  if (!isPlainObject(raw) || !Array.isArray(raw.workers)) return [];
  const problems: RawProblem[] = [];
  const lanes = isPlainObject(raw.lanes) ? Object.keys(raw.lanes) : undefined;
  const hosts = isPlainObject(raw.hosts) ? Object.keys(raw.hosts) : [];
  const firstIndexByName = new Map<string, number>();
  raw.workers.forEach((entry: unknown, index) => {
    if (!isPlainObject(entry)) return;
    if (typeof entry.host === 'string' && entry.host !== '' && !hosts.includes(entry.host)) {
      const known = hosts.length === 0 ? 'no "hosts" are configured' : `expected one of the hosts ${hosts.join(', ')}`;
      problems.push({ path: ['workers', index, 'host'], message: `${known}; got ${JSON.stringify(entry.host)}${didYouMean(entry.host, hosts)}` });
    }
    if (typeof entry.name === 'string') {
      const first = firstIndexByName.get(entry.name);
      if (first === undefined) firstIndexByName.set(entry.name, index);
      else problems.push({ path: ['workers', index, 'name'], message: `expected a unique worker name; got ${JSON.stringify(entry.name)}, already used by workers[${first}]` });
    }
    if (lanes !== undefined && lanes.length > 0 && typeof entry.lane === 'string' && entry.lane !== '' && !lanes.includes(entry.lane)) {
      problems.push({
        path: ['workers', index, 'lane'],
        message: `expected one of the lanes ${lanes.join(', ')}; got ${JSON.stringify(entry.lane)}${didYouMean(entry.lane, lanes)}`,
      });
    }
  });
  const routing = isPlainObject(raw.tasks) && Array.isArray(raw.tasks.routing) ? raw.tasks.routing : [];
  routing.forEach((rule: unknown, index) => {
    if (lanes === undefined || lanes.length === 0 || !isPlainObject(rule) || typeof rule.lane !== 'string' || rule.lane === '' || lanes.includes(rule.lane)) return;
    problems.push({
      path: ['tasks', 'routing', index, 'lane'],
      message: `expected one of the lanes ${lanes.join(', ')}; got ${JSON.stringify(rule.lane)}${didYouMean(rule.lane, lanes)}`,
    });
  });
  const accepting = isPlainObject(raw.tasks) && Array.isArray(raw.tasks.acceptProposals) ? raw.tasks.acceptProposals : [];
  accepting.forEach((lane: unknown, index) => {
    if (lanes === undefined || lanes.length === 0 || typeof lane !== 'string' || lane === '' || lanes.includes(lane)) return;
    problems.push({ path: ['tasks', 'acceptProposals', index], message: `expected one of the lanes ${lanes.join(', ')}; got ${JSON.stringify(lane)}${didYouMean(lane, lanes)}` });
  });
  const portBase = isPlainObject(raw.worktree) && typeof raw.worktree.portBase === 'number' ? raw.worktree.portBase : null;
  if (portBase !== null && portBase + raw.workers.length - 1 > 65_535) {
    problems.push({ path: ['worktree', 'portBase'], message: `expected a port base that leaves a port for each of the ${raw.workers.length} workers (at most ${65_536 - raw.workers.length}); got ${portBase}` });
  }
  for (const field of ['repo', 'worktreeDir'] as const) {
    const value = raw[field];
    if (typeof value === 'string' && /^~(\/|$)/.test(value)) {
      problems.push({ path: [field], message: `expected a path relative to the config file or absolute ("~" is not expanded); got ${JSON.stringify(value)}` });
    }
  }
  return problems;
}

/** Attaches file positions and sorts problems into the order they appear in the file. */
export function placeProblems(problems: RawProblem[], file: string, source: string, scanned: JsonDocument): ConfigProblem[] {
  const placed = problems.map((problem, index) => {
    const offset = (problem.keyPath && scanned.keyOffsets.get(formatPath(problem.keyPath))) ?? nearestValueOffset(problem.path, scanned);
    return { index, offset, problem: { file, path: formatPath(problem.path), message: problem.message, ...lineColumn(source, offset) } };
  });
  placed.sort((a, b) => a.offset - b.offset || a.index - b.index);
  return placed.map((entry) => entry.problem);
}

/** A missing field has no position of its own: point at the object that should hold it. */
function nearestValueOffset(at: JsonPath, scanned: JsonDocument): number {
  for (let length = at.length; length >= 0; length--) {
    const offset = scanned.valueOffsets.get(formatPath(at.slice(0, length)));
    if (offset !== undefined) return offset;
  }
  return 0;
}


function valueAt(raw: unknown, at: JsonPath): unknown {
  let current = raw;
  for (const seg of at) {
    if (Array.isArray(current) && typeof seg === 'number') current = current[seg];
    else if (isPlainObject(current) && typeof seg === 'string' && Object.hasOwn(current, seg)) current = current[seg];
    else return undefined;
  }
  return current;
}

function foundText(value: unknown): string {
  return value === undefined ? '; the field is missing' : `; got ${describeValue(value)}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty object' : 'an object';
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
