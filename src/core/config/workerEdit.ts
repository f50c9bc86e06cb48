/**
 * Adding a worker to `sessions.json` and taking one out, as an edit of the text: every other byte of the
 * file (comments, blank lines, key order, the person's own layout) stays as it was, and the result is
 * checked by the same `parseConfig` as any edit, so a bad entry is refused before anything is written.
 * Pure: the caller reads and writes the file.
 *
 * jsonc-parser finds the nodes and applies the edits; the edits themselves are made here, because its
 * `modify` does not keep the rest of the file (measured on jsonc-parser 3.3.1):
 * - appending with `formattingOptions` reformats the line it touches: a one-line last entry
 *   `{ "name": "w1", … }` became five lines; without them the new entry is glued on as minified JSON;
 * - removing the last element of an array takes everything up to two characters before the `]` with
 *   it (a `/* comment *\/` after the entry went), and on `[{…},{…}]` left `{"name":"w1"}}]`, not JSON
 *   (upstream microsoft/node-jsonc-parser#108, fixed only in the 4.0 pre-releases);
 * - removing an entry in the middle takes the comment line above the next entry with it.
 * So: a new entry goes after the last one, on a line of its own with the last entry's indentation, one
 * line or one field a line as the last entry is; a removed entry's lines go, with the comment on its own
 * line, and nothing else (a comment line above it stays: it may be about more than that worker).
 */
import { applyEdits, createScanner, findNodeAtLocation, getNodeValue, parseTree, type Edit, type Node } from 'jsonc-parser/lib/esm/main.js';
import type { ConfigProblem, ProjectConfig } from './config.js';
import { parseConfig } from './parse.js';

/** The fields a new worker is written with; the rest come from `defaults` and the agent preset. */
export interface WorkerEntry {
  name: string;
  lane: string;
  agent?: string;
  command?: string | string[];
}

/** A problem with the new entry, by its own field (`lane`, not `workers[3].lane`): what a form or a flag names. */
export interface EntryProblem {
  field: string;
  message: string;
}

export type EntryEdit =
  | { ok: true; text: string; config: ProjectConfig }
  /** `entry`: the edit would make the config invalid; `config`: the file was invalid before it; `missing`: no such worker. */
  | { ok: false; kind: 'entry'; problems: EntryProblem[] }
  | { ok: false; kind: 'config'; problems: ConfigProblem[] }
  | { ok: false; kind: 'missing' };

/** `text` with `entry` appended to "workers", validated; nothing else in the text changes. */
export function addWorkerEntry(text: string, file: string, entry: WorkerEntry): EntryEdit {
  const before = parseConfig(text, file);
  if (!before.ok) return { ok: false, kind: 'config', problems: before.problems };
  const index = before.config.workers.length;
  return checked(appendWorker(text, entry), file, `workers[${index}]`);
}

/** `text` without the worker named `name`, validated (the last worker cannot go: a config needs one). */
export function removeWorkerEntry(text: string, file: string, name: string): EntryEdit {
  const before = parseConfig(text, file);
  if (!before.ok) return { ok: false, kind: 'config', problems: before.problems };
  const next = removeWorker(text, name);
  if (next === null) return { ok: false, kind: 'missing' };
  return checked(next, file, null);
}

/** `entryPath`: where the new entry is, so its problems are named by its own fields; null: keep the paths. */
function checked(next: string, file: string, entryPath: string | null): EntryEdit {
  const after = parseConfig(next, file);
  if (after.ok) return { ok: true, text: next, config: after.config };
  return { ok: false, kind: 'entry', problems: after.problems.map((p) => ({ field: fieldOf(p.path, entryPath), message: p.message })) };
}

/** `workers[3].command[0]` → `command`; a problem about the list itself keeps its path (`workers`). */
function fieldOf(path: string, entryPath: string | null): string {
  if (entryPath === null) return path;
  if (path === entryPath) return '(entry)';
  if (!path.startsWith(`${entryPath}.`)) return path;
  return path.slice(entryPath.length + 1).replace(/[.[].*$/, '');
}

// ── The text edits ──────────────────────────────────────────────────────────────────────────────────

// jsonc-parser's SyntaxKind is a `const enum` in its typings, which isolated modules cannot read.
const COMMA = 5;
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const LINE_BREAK = 14;
const WHITESPACE = 15;

const BOM = '\uFEFF';

/** `text` with `entry` as the last element of the top-level "workers" array. */
export function appendWorker(text: string, entry: WorkerEntry): string {
  const { bom, source } = splitBom(text);
  const workers = workersNode(source);
  const last = workers.children?.at(-1);
  if (last === undefined) {
    return bom + applyEdits(source, [{ offset: workers.offset + 1, length: 0, content: inline(entry, { brace: true, colon: true }) }]);
  }
  const lastEnd = last.offset + last.length;
  const style: Style = { brace: /^\{[ \t]/.test(source.slice(last.offset)), colon: colonSpaced(source, last) };
  if (!startsLine(source, last.offset)) {
    // An array written on one line (`"workers": [{…}, {…}]`) gets the new entry on that line too.
    return bom + applyEdits(source, [{ offset: lastEnd, length: 0, content: (style.colon ? ', ' : ',') + inline(entry, style) }]);
  }
  const indent = lineIndent(source, last.offset);
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const multiLine = /[\r\n]/.test(source.slice(last.offset, lastEnd));
  const rendered = multiLine ? block(entry, indent, innerUnit(source, last, indent), eol, style) : inline(entry, style);
  // The comma right after the last entry; the new entry after that entry's own comment, so the comment stays where it was.
  const after = endOfSameLineComments(source, lastEnd);
  const edits: Edit[] = [
    { offset: lastEnd, length: 0, content: ',' },
    { offset: after, length: 0, content: `${eol}${indent}${rendered}` },
  ];
  return bom + applyEdits(source, edits);
}

/** `text` without the worker named `name` (its lines, and the comment on them); null when there is none. */
export function removeWorker(text: string, name: string): string | null {
  const { bom, source } = splitBom(text);
  const workers = workersNode(source);
  const children = workers.children ?? [];
  const index = children.findIndex((child) => child.type === 'object' && nameOf(child) === name);
  const node = children[index];
  if (node === undefined) return null;
  const nodeEnd = node.offset + node.length;
  const previous = children[index - 1];
  const next = children[index + 1];
  const edits: Edit[] = [];
  if (next !== undefined) {
    // Before another entry: the entry, its comma and its comment go; whole lines when it had its own.
    const comma = commaAfter(source, nodeEnd);
    const afterComma = comma === null ? nodeEnd : comma + 1;
    const end = endOfSameLineComments(source, afterComma);
    if (comma !== null && startsLine(source, node.offset) && atLineEnd(source, end)) edits.push(wholeLines(source, node.offset, end));
    else edits.push({ offset: node.offset, length: next.offset - node.offset, content: '' });
  } else if (previous !== undefined) {
    // The last entry: the comma after the one before it goes, then the entry.
    const prevEnd = previous.offset + previous.length;
    const comma = commaAfter(source, prevEnd);
    const end = endOfSameLineComments(source, nodeEnd);
    if (comma !== null && startsLine(source, node.offset) && atLineEnd(source, end) && comma < lineStart(source, node.offset)) {
      edits.push({ offset: comma, length: 1, content: '' }, wholeLines(source, node.offset, end));
    } else {
      edits.push({ offset: prevEnd, length: nodeEnd - prevEnd, content: '' });
    }
  } else {
    // The only entry (the result is refused as a config, but stays well-formed JSON).
    const end = endOfSameLineComments(source, nodeEnd);
    edits.push(startsLine(source, node.offset) && atLineEnd(source, end) ? wholeLines(source, node.offset, end) : { offset: node.offset, length: node.length, content: '' });
  }
  return bom + applyEdits(source, edits);
}

function splitBom(text: string): { bom: string; source: string } {
  return text.startsWith(BOM) ? { bom: BOM, source: text.slice(1) } : { bom: '', source: text };
}

function workersNode(source: string): Node {
  const root = parseTree(source);
  const workers = root === undefined ? undefined : findNodeAtLocation(root, ['workers']);
  // Callers edit a config parseConfig accepted: "workers" is there and is an array.
  if (workers?.type !== 'array') throw new Error('workerEdit: the config has no "workers" array');
  return workers;
}

function nameOf(node: Node): unknown {
  const name = findNodeAtLocation(node, ['name']);
  return name === undefined ? undefined : getNodeValue(name);
}

/** The first field of the object is written `"key": value` (a space after the colon). */
function colonSpaced(source: string, object: Node): boolean {
  const property = object.children?.[0];
  const key = property?.children?.[0];
  const value = property?.children?.[1];
  if (key === undefined || value === undefined) return true;
  return /:\s/.test(source.slice(key.offset + key.length, value.offset));
}

/** How much deeper than the entry's own line its fields are indented (two spaces when it cannot tell). */
function innerUnit(source: string, object: Node, indent: string): string {
  const first = object.children?.[0];
  if (first === undefined || !startsLine(source, first.offset)) return '  ';
  const inner = lineIndent(source, first.offset);
  return inner.startsWith(indent) && inner.length > indent.length ? inner.slice(indent.length) : '  ';
}

/** How the last entry is written: `{ "name": …` (a space inside the brace, a space after the colon and comma) or `{"name":…`. */
interface Style {
  brace: boolean;
  colon: boolean;
}

function inline(entry: WorkerEntry, style: Style): string {
  const fields = entryFields(entry).map(([key, value]) => `${JSON.stringify(key)}:${style.colon ? ' ' : ''}${value(style.colon)}`);
  const inside = fields.join(style.colon ? ', ' : ',');
  return style.brace ? `{ ${inside} }` : `{${inside}}`;
}

function block(entry: WorkerEntry, indent: string, unit: string, eol: string, style: Style): string {
  const fields = entryFields(entry).map(([key, value]) => `${indent}${unit}${JSON.stringify(key)}:${style.colon ? ' ' : ''}${value(style.colon)}`);
  return `{${eol}${fields.join(`,${eol}`)}${eol}${indent}}`;
}

/** The entry's fields in the order a person writes them: name, lane, agent, command. */
function entryFields(entry: WorkerEntry): Array<[string, (spaced: boolean) => string]> {
  const fields: Array<[string, (spaced: boolean) => string]> = [
    ['name', () => JSON.stringify(entry.name)],
    ['lane', () => JSON.stringify(entry.lane)],
  ];
  if (entry.agent !== undefined) fields.push(['agent', () => JSON.stringify(entry.agent)]);
  const command = entry.command;
  if (command !== undefined) {
    fields.push(['command', (spaced) => (typeof command === 'string' ? JSON.stringify(command) : `[${command.map((arg) => JSON.stringify(arg)).join(spaced ? ', ' : ',')}]`)]);
  }
  return fields;
}

function lineStart(source: string, offset: number): number {
  let at = offset;
  while (at > 0 && source[at - 1] !== '\n' && source[at - 1] !== '\r') at--;
  return at;
}

/** Only spaces and tabs before `offset` on its line. */
function startsLine(source: string, offset: number): boolean {
  return /^[ \t]*$/.test(source.slice(lineStart(source, offset), offset));
}

function lineIndent(source: string, offset: number): string {
  return /^[ \t]*/.exec(source.slice(lineStart(source, offset), offset))?.[0] ?? '';
}

/** Only spaces and tabs between `offset` and the end of its line (or of the text). */
function atLineEnd(source: string, offset: number): boolean {
  return /^[ \t]*(\r\n|\n|\r|$)/.test(source.slice(offset));
}

/** From the start of `from`'s line through the line break after `to`: whole lines. */
function wholeLines(source: string, from: number, to: number): Edit {
  const start = lineStart(source, from);
  const rest = /^[ \t]*(\r\n|\n|\r)?/.exec(source.slice(to))?.[0] ?? '';
  return { offset: start, length: to + rest.length - start, content: '' };
}

/**
 * Where the comments after `offset` on the same line end: a `// …` comment, or `/* … *\/` ones that close
 * on that line. `offset` itself when none follows.
 */
function endOfSameLineComments(source: string, offset: number): number {
  const scanner = createScanner(source, false);
  scanner.setPosition(offset);
  let end = offset;
  for (;;) {
    const kind: number = scanner.scan();
    if (kind === WHITESPACE) continue;
    if (kind === LINE_COMMENT) return scanner.getTokenOffset() + scanner.getTokenLength();
    if (kind === BLOCK_COMMENT && !/[\r\n]/.test(source.slice(scanner.getTokenOffset(), scanner.getTokenOffset() + scanner.getTokenLength()))) {
      end = scanner.getTokenOffset() + scanner.getTokenLength();
      continue;
    }
    return end;
  }
}

/** The offset of the comma after `offset`, past whitespace and comments; null when the next token is not one. */
function commaAfter(source: string, offset: number): number | null {
  const scanner = createScanner(source, false);
  scanner.setPosition(offset);
  for (;;) {
    const kind: number = scanner.scan();
    if (kind === WHITESPACE || kind === LINE_BREAK || kind === LINE_COMMENT || kind === BLOCK_COMMENT) continue;
    return kind === COMMA ? scanner.getTokenOffset() : null;
  }
}
