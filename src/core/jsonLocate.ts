/**
 * Positions in a JSON text, so config.ts can say `sessions.json:12:7` for each problem. Pure.
 *
 * JSON.parse gives no positions for values, V8's syntax errors differ between Node versions (Node 20:
 * "at position 7", Node 22 adds "(line 1 column 8)", some messages have neither), and it silently keeps
 * the last of two equal keys. This small scanner follows the JSON grammar only to record where each
 * value and field name starts, find the first syntax error, and list duplicate keys; JSON.parse still
 * produces the values.
 */

export type JsonPath = ReadonlyArray<string | number>;

export interface JsonLocations {
  /** formatPath(path) → offset of the value's first character. */
  valueOffsets: Map<string, number>;
  /** formatPath(path) → offset of the field name's opening quote. */
  keyOffsets: Map<string, number>;
  duplicateKeys: JsonPath[];
  syntaxError?: { offset: number; message: string };
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

export function locateJson(text: string): JsonLocations {
  const found: JsonLocations = { valueOffsets: new Map(), keyOffsets: new Map(), duplicateKeys: [] };
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(at, message);
  };
  const shown = (at: number) => (at >= text.length ? 'the end of the file' : `\`${text.slice(at, at + 12).split('\n')[0] ?? ''}\``);

  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
    if (text.startsWith('//', i) || text.startsWith('/*', i)) fail('JSON does not allow comments');
  };

  const string = (): string => {
    const start = i;
    for (let j = i + 1; j < text.length; j++) {
      const char = text.charAt(j);
      if (char === '"') {
        i = j + 1;
        return JSON.parse(text.slice(start, i)) as string;
      }
      if (char === '\\') {
        const escape = text.charAt(j + 1);
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) fail('expected 4 hex digits after \\u', j);
          j += 5;
        } else if ('"\\/bfnrt'.includes(escape) && escape !== '') j += 1;
        else fail(`invalid escape \\${escape} in a string`, j);
      } else if (char === '\n') fail('a string is not closed before the end of the line', start);
      else if (char < ' ') fail('a control character in a string must be escaped (e.g. \\t)', j);
    }
    return fail('a string is not closed', start);
  };

  const value = (at: JsonPath): void => {
    skipSpace();
    found.valueOffsets.set(formatPath(at), i);
    const char = text.charAt(i);
    if (char === '{') return object(at);
    if (char === '[') return array(at);
    if (char === '"') return void string();
    if (char === "'") fail('strings need double quotes (") in JSON');
    for (const pattern of [NUMBER, LITERAL]) {
      pattern.lastIndex = i;
      if (pattern.test(text)) {
        i = pattern.lastIndex;
        return;
      }
    }
    fail(`expected a value (string, number, object, array, true, false or null); found ${shown(i)}`);
  };

  const object = (at: JsonPath): void => {
    i++; // {
    const seen = new Set<string>();
    let comma: number | undefined;
    for (;;) {
      skipSpace();
      if (text.charAt(i) === '}') {
        if (comma !== undefined) fail('JSON does not allow a comma before "}"', comma);
        i++;
        return;
      }
      if (text.charAt(i) !== '"') fail(`expected a field name in double quotes; found ${shown(i)}`);
      const keyOffset = i;
      const key = string();
      const keyPath = [...at, key];
      if (seen.has(key)) found.duplicateKeys.push(keyPath);
      seen.add(key);
      found.keyOffsets.set(formatPath(keyPath), keyOffset);
      skipSpace();
      if (text.charAt(i) !== ':') fail(`expected ":" after the field name ${JSON.stringify(key)}`);
      i++;
      value(keyPath);
      skipSpace();
      if (text.charAt(i) === ',') {
        comma = i++;
        continue;
      }
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      fail(`expected "," or "}" after the value of ${JSON.stringify(key)}; found ${shown(i)}`);
    }
  };

  const array = (at: JsonPath): void => {
    i++; // [
    let comma: number | undefined;
    for (let index = 0; ; index++) {
      skipSpace();
      if (text.charAt(i) === ']') {
        if (comma !== undefined) fail('JSON does not allow a comma before "]"', comma);
        i++;
        return;
      }
      value([...at, index]);
      skipSpace();
      if (text.charAt(i) === ',') {
        comma = i++;
        continue;
      }
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      fail(`expected "," or "]" after an array item; found ${shown(i)}`);
    }
  };

  try {
    skipSpace();
    if (i >= text.length) fail('the file is empty; expected a JSON object');
    value([]);
    skipSpace();
    if (i < text.length) fail(`unexpected text after the end of the JSON value: ${shown(i)}`);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    found.syntaxError = { offset: error.offset, message: error.message };
  }
  return found;
}

/** `workers[2].env.NODE_ENV`, `lanes["code review"]`; the empty path is `(root)`. */
export function formatPath(at: JsonPath): string {
  if (at.length === 0) return '(root)';
  return at
    .map((seg, index) => {
      if (typeof seg === 'number') return `[${seg}]`;
      if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) return index === 0 ? seg : `.${seg}`;
      return `[${JSON.stringify(seg)}]`;
    })
    .join('');
}

/** 1-based line and column of `offset` in `source`. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
