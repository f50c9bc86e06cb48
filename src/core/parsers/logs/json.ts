/**
 * Reading one JSON line defensively: real logs are truncated mid-line, hold binary junk, drift between
 * versions. Every reader here returns `undefined` for a field of the wrong type instead of throwing.
 */
import { cleanLine, oneLine } from './event.js';

export type JsonObject = Record<string, unknown>;

export type JsonLine = { obj: JsonObject } | { malformed: string };

const SNIPPET = 60;

/** Why a line is not one JSON object, in words a person can act on, with the start of the line. */
export function readJsonLine(raw: string): JsonLine {
  const line = cleanLine(raw);
  if (!/\S/.test(line)) return { malformed: 'empty line' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const looksJson = line.trimStart().startsWith('{');
    return { malformed: `${looksJson ? 'truncated or invalid JSON' : 'not JSON'} (${oneLine(why, 80)}): ${snippet(line)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { malformed: `expected one JSON object per line, found ${found}: ${snippet(line)}` };
  }
  return { obj: value as JsonObject };
}

/** The start of a bad line, quoted so binary junk shows as escapes and not as terminal garbage. */
function snippet(line: string): string {
  const head = line.length > SNIPPET ? `${line.slice(0, SNIPPET)}…` : line;
  return JSON.stringify(head);
}

export const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const asNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export const asBoolean = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

export const asObject = (value: unknown): JsonObject | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;

export const asArray = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);

/** Below this a number is epoch seconds (zap, structlog), above it epoch ms (pino): 1e11 s is year 5138. */
const SECONDS_BELOW = 1e11;

/** Epoch ms from an ISO string or an epoch number (seconds or ms); null when absent or unreadable. */
export function parseTime(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return value < SECONDS_BELOW ? Math.round(value * 1000) : value;
  }
  if (typeof value === 'string' && value !== '') {
    // Date.parse treats an ISO string without a zone as local time: that depends on the machine, so a
    // zone-less time is not trusted (null) rather than read differently on two machines.
    if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value.trim())) return null;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** A shallow JSON of an object for a line with no message field; long values are cut by oneLine later. */
export function compactJson(obj: JsonObject, without: readonly string[] = []): string {
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) if (!without.includes(key)) rest[key] = value;
  return Object.keys(rest).length === 0 ? '' : JSON.stringify(rest);
}
