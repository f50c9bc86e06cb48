/**
 * Generic JSON lines from any logger: pino (numeric levels 10..60, `time` in epoch ms, `msg`), bunyan
 * (the same levels, ISO `time`), and the common `{time|timestamp|ts, level|severity, msg|message}` shapes
 * with string levels (winston, structlog, zap, Python's json loggers).
 */
import { logEvent, type LogLevel, type ParsedLine } from './event.js';
import { asNumber, asObject, asString, compactJson, parseTime, readJsonLine, type JsonObject } from './json.js';

const TIME_FIELDS = ['time', 'timestamp', 'ts', '@timestamp', 't'];
const LEVEL_FIELDS = ['level', 'severity', 'lvl', 'levelname', 'log.level'];
const MESSAGE_FIELDS = ['msg', 'message', 'text', 'event', 'log'];

const STRING_LEVELS: Record<string, LogLevel> = {
  trace: 'debug', debug: 'debug', verbose: 'debug', silly: 'debug', fine: 'debug',
  info: 'info', information: 'info', notice: 'info', log: 'info',
  warn: 'warn', warning: 'warn',
  error: 'error', err: 'error', fatal: 'error', critical: 'error', crit: 'error', alert: 'error',
  emerg: 'error', emergency: 'error', panic: 'error', severe: 'error',
};

/** pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function numericLevel(level: number): LogLevel {
  if (level < 30) return 'debug';
  if (level < 40) return 'info';
  if (level < 50) return 'warn';
  return 'error';
}

export function levelOf(value: unknown): LogLevel | undefined {
  const number = asNumber(value);
  if (number !== undefined) return numericLevel(number);
  const name = asString(value)?.trim().toLowerCase();
  return name !== undefined && Object.hasOwn(STRING_LEVELS, name) ? STRING_LEVELS[name] : undefined;
}

const firstField = (obj: JsonObject, fields: readonly string[]) => fields.find((field) => obj[field] !== undefined);

export function parseJsonLinesLine(line: string): ParsedLine {
  const read = readJsonLine(line);
  if ('malformed' in read) return read;
  const obj = read.obj;
  const timeField = firstField(obj, TIME_FIELDS);
  const levelField = firstField(obj, LEVEL_FIELDS);
  const messageField = MESSAGE_FIELDS.find((field) => typeof obj[field] === 'string');
  const level = (levelField === undefined ? undefined : levelOf(obj[levelField])) ?? 'info';
  // pino and bunyan put an Error in `err`; others in `error`. Its message is what a person needs.
  const err = asObject(obj['err']) ?? asObject(obj['error']);
  const errMessage = asString(err?.['message']) ?? asString(obj['error']);
  let text = messageField ? (asString(obj[messageField]) ?? '') : '';
  if (errMessage && !text.includes(errMessage)) text = text ? `${text}: ${errMessage}` : errMessage;
  if (text === '') {
    // No message field: show the rest of the record rather than nothing.
    const skip = [timeField, levelField, 'pid', 'hostname', 'v'].filter((field): field is string => field !== undefined);
    text = compactJson(obj, skip) || '(empty record)';
  }
  const time = timeField ? parseTime(obj[timeField]) : null;
  return { events: [logEvent(level === 'error' ? 'error' : 'message', time, text, { level })] };
}
