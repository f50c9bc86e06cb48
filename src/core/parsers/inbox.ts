/**
 * The task inbox's file format (issue 4): a markdown file whose YAML front matter says what the task is
 * and whose body is the prompt. Pure: the adapter reads the file and moves it; this only decides whether
 * it is a task, and if not, says why in words that name the file, the field and what was expected.
 */
import { LineCounter, parseDocument } from 'yaml';
import { didYouMean } from '../config/config.js';
import { DEFAULT_PRIORITY, type NewTask } from '../rules/tasks.js';

export type InboxTask = Omit<NewTask, 'id'>;
export type InboxParse = { ok: true; task: InboxTask } | { ok: false; reason: string };

export const INBOX_FIELDS = ['title', 'lane', 'priority', 'check', 'labels', 'maxAttempts'] as const;
type Fields = Partial<Record<(typeof INBOX_FIELDS)[number], unknown>>;

export const PRIORITY_RANGE = { min: 0, max: 9 };
export const ATTEMPTS_RANGE = { min: 1, max: 20 };
const DELIMITER = /^---[ \t]*$/;

export function parseInboxFile(text: string, fileName: string, lanes: readonly string[]): InboxParse {
  const reject = (problems: string[]): InboxParse => ({ ok: false, reason: `${fileName}: ${problems.join('; ')}` });
  const split = splitFrontMatter(text);
  if (split === null) return reject([`no front matter; ${expectedShape(lanes)}`]);
  if ('unclosed' in split) return reject([`the front matter opened by "---" on line 1 has no closing "---" line; ${expectedShape(lanes)}`]);

  const fields = readYaml(split.yaml);
  if (!fields.ok) return reject([fields.problem]);

  const problems: string[] = [];
  const field = <T>(result: Checked<T>): T | undefined => {
    if (result.ok) return result.value;
    problems.push(result.problem);
    return undefined;
  };
  problems.push(...unknownFields(fields.value));
  const body = split.body.trim();
  const title = field(checkTitle(fields.value.title, body));
  const lane = field(checkLane(fields.value.lane, lanes));
  const priority = field(checkInteger('priority', fields.value.priority, PRIORITY_RANGE)) ?? DEFAULT_PRIORITY;
  const check = field(checkCommand(fields.value.check));
  const labels = field(checkLabels(fields.value.labels));
  const maxAttempts = field(checkInteger('maxAttempts', fields.value.maxAttempts, ATTEMPTS_RANGE));
  if (problems.length > 0 || title === undefined || lane === undefined) return reject(problems);

  const task: InboxTask = { title, prompt: body === '' ? title : body, lane, priority, labels: labels ?? [], check: check ?? null };
  if (maxAttempts !== undefined) task.maxAttempts = maxAttempts;
  return { ok: true, task };
}

type Split = { yaml: string; body: string } | { unclosed: true };

/** The lines between a first-line `---` and the next `---` line; null when the file does not start with one. */
function splitFrontMatter(text: string): Split | null {
  // Editors on Windows save CRLF and sometimes a BOM; neither may change what the file means.
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  if (!DELIMITER.test(lines[0] ?? '')) return null;
  const close = lines.findIndex((line, index) => index > 0 && DELIMITER.test(line));
  if (close === -1) return { unclosed: true };
  return { yaml: lines.slice(1, close).join('\n'), body: lines.slice(close + 1).join('\n') };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

function readYaml(yaml: string): Checked<Fields> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yaml, { prettyErrors: false, lineCounter, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    // The front matter starts on the file's second line, after the opening `---`.
    const line = lineCounter.linePos(error.pos[0]).line + 1;
    const hint = error.code === 'BLOCK_AS_IMPLICIT_KEY' ? ' (quote a value that contains ": ")' : '';
    return { ok: false, problem: `line ${line}: YAML syntax error: ${error.message}${hint}` };
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: `front matter: expected fields such as "title: …" and "lane: …", got ${shown(value)}` };
  }
  return { ok: true, value: value as Fields };
}

function unknownFields(fields: Fields): string[] {
  const allowed: readonly string[] = INBOX_FIELDS;
  return Object.keys(fields)
    .filter((key) => !allowed.includes(key))
    .map((key) => `unknown field ${JSON.stringify(key)}${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})`);
}

function checkTitle(value: unknown, body: string): Checked<string> {
  if (value === undefined || value === null) {
    const heading = firstHeading(body);
    if (heading !== null) return { ok: true, value: heading };
    return { ok: false, problem: 'title: missing; add a "title:" field or start the body with a "# heading"' };
  }
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, problem: `title: expected a non-empty string, got ${shown(value)}` };
  return { ok: true, value: value.trim() };
}

/** The first `# heading` outside code fences: a `# comment` in a shell snippet is not a title. */
function firstHeading(body: string): string | null {
  let fenced = false;
  for (const line of body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#[ \t]+(.*?)[ \t#]*$/.exec(line);
    if (heading?.[1]) return heading[1];
  }
  return null;
}

export function checkLane(value: unknown, lanes: readonly string[]): Checked<string> {
  const expected = lanes.length === 0 ? 'no lanes are configured' : `expected one of ${lanes.join(', ')}`;
  if (value === undefined || value === null) {
    const only = lanes.length === 1 ? lanes[0] : undefined;
    return only === undefined ? { ok: false, problem: `lane: missing; ${expected}` } : { ok: true, value: only };
  }
  if (typeof value === 'string' && lanes.includes(value)) return { ok: true, value };
  const suggestion = typeof value === 'string' ? didYouMean(value, lanes) : '';
  return { ok: false, problem: `lane: ${expected}, got ${shown(value)}${suggestion}` };
}

export function checkInteger(name: string, value: unknown, range: { min: number; max: number }): Checked<number | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max) return { ok: true, value };
  return { ok: false, problem: `${name}: expected an integer ${range.min}–${range.max}, got ${shown(value)}` };
}

export function checkCommand(value: unknown): Checked<string | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value === 'string' && value.trim() !== '') return { ok: true, value: value.trim() };
  return { ok: false, problem: `check: expected a shell command such as "npm test", got ${shown(value)}` };
}

export function checkLabels(value: unknown): Checked<string[] | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value === 'string') return { ok: true, value: distinct(value.split(',')) };
  if (!Array.isArray(value)) return { ok: false, problem: `labels: expected a list of strings or "a, b, c", got ${shown(value)}` };
  const bad = value.findIndex((label) => typeof label !== 'string');
  if (bad !== -1) return { ok: false, problem: `labels[${bad}]: expected a string, got ${shown(value[bad])}` };
  return { ok: true, value: distinct(value as string[]) };
}

function distinct(labels: readonly string[]): string[] {
  return [...new Set(labels.map((label) => label.trim()).filter((label) => label !== ''))];
}

function expectedShape(lanes: readonly string[]): string {
  const lane = lanes[0] ?? 'app';
  return [
    'an inbox file starts with YAML front matter between two "---" lines, then the prompt:',
    '---',
    'title: Fix the login redirect',
    `lane: ${lane}`,
    'priority: 2',
    'check: npm test',
    'labels: [bug]',
    '---',
    'What the agent should do…',
  ].join('\n');
}

export function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}
