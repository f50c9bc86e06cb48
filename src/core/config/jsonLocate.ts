/**
 * Reads `sessions.json` as JSON with comments, keeping a position for every value, field name and
 * syntax error, so config.ts can say `sessions.json:12:7` for each problem. Pure.
 *
 * jsonc-parser does the scanning and the grammar (`//` and `/* *\/` comments allowed, trailing commas
 * refused, exactly JSON otherwise). What is ours, on top of its visitor:
 * - the messages: jsonc-parser gives an error code and an offset ("CommaExpected"); a person needs
 *   `expected "," or "}" after the value of "project"; found …`, so the visitor keeps track of what it
 *   was expecting and in which field;
 * - duplicate keys: jsonc-parser, like JSON.parse, silently keeps the last of two equal keys;
 * - building the value: jsonc-parser's `parse` assigns `obj[key] = value`, so a `"__proto__"` field
 *   would set the object's prototype instead of becoming a field (JSON.parse makes it an own field,
 *   which the schema then reports as unknown); `getNodeValue` returns null-prototype objects.
 *
 * Trailing commas stay refused: with them the file would be neither JSON nor what editors call "JSON
 * with Comments" (VS Code's jsonc mode warns on them), other tools reading it would disagree with muxctl,
 * and the refusal points at the comma itself, a one-character fix.
 */
// The ESM build, not the package's main: that is a UMD build whose factory require()s its own files at
// run time, which esbuild cannot follow (the bundle died with "Cannot find module './impl/format'").
// The ESM build uses extensionless imports, fine for esbuild, vitest and tsx (all that load src/), not
// for plain Node. (Alternative: alias 'jsonc-parser' to this path in scripts/build.mjs.)
import { printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser/lib/esm/main.js';

export type JsonPath = ReadonlyArray<string | number>;

export interface JsonDocument {
  /** The parsed value; undefined when there is a syntax error. */
  value: unknown;
  /** formatPath(path) → offset of the value's first character. */
  valueOffsets: Map<string, number>;
  /** formatPath(path) → offset of the field name's opening quote. */
  keyOffsets: Map<string, number>;
  duplicateKeys: JsonPath[];
  /** The first syntax error, with the offset a person should look at. */
  syntaxError?: { offset: number; message: string };
}

/** What the parser expected next: the context a message needs. */
type Expecting = 'value' | 'key' | 'colon' | 'after-value' | 'end';

interface Frame {
  container: Record<string, unknown> | unknown[];
  /** The field being read, in an object. */
  key?: string;
  keys: Set<string>;
}

export function parseJsonc(text: string): JsonDocument {
  const doc: JsonDocument = { value: undefined, valueOffsets: new Map(), keyOffsets: new Map(), duplicateKeys: [] };
  const frames: Frame[] = [];
  let expecting: Expecting = 'value';
  /** Offset of a comma when it is the last token read (comments aside). */
  let comma: number | undefined;
  let root: unknown;
  let failed = false;

  const shown = (at: number) => (at >= text.length ? 'the end of the file' : `\`${text.slice(at, at + 12).split(/\r?\n/)[0] ?? ''}\``);

  const addValue = (value: unknown) => {
    const frame = frames.at(-1);
    if (frame === undefined) root = value;
    else if (Array.isArray(frame.container)) frame.container.push(value);
    else Object.defineProperty(frame.container, frame.key ?? '', { value, enumerable: true, writable: true, configurable: true });
    expecting = frames.length === 0 ? 'end' : 'after-value';
    comma = undefined;
  };

  const open = (container: Frame['container'], offset: number, at: JsonPath) => {
    doc.valueOffsets.set(formatPath(at), offset);
    frames.push({ container, keys: new Set() });
    expecting = Array.isArray(container) ? 'value' : 'key';
    comma = undefined;
  };

  const close = (closer: '}' | ']', offset: number) => {
    // jsonc-parser ends an object or array at the end of the file too, then reports the missing
    // closer: keep the context for that message.
    if (text.charAt(offset) !== closer) return;
    const frame = frames.pop();
    if (frame !== undefined) addValue(frame.container);
  };

  const message = (code: ParseErrorCode, offset: number, length: number): { offset: number; message: string } => {
    const token = text.slice(offset, offset + length);
    switch (printParseErrorCode(code)) {
      case 'UnexpectedEndOfString':
        return { offset, message: offset + length < text.length ? 'a string is not closed before the end of the line' : 'a string is not closed' };
      case 'InvalidCharacter': {
        let at = 0;
        while (at < token.length - 1 && token.charCodeAt(at) >= 0x20) at++;
        return { offset: offset + at, message: 'a control character in a string must be escaped (e.g. \\t)' };
      }
      case 'InvalidEscapeCharacter':
      case 'InvalidUnicode': {
        // The first escape that is not a valid one (valid ones are consumed whole: in `"a\\q"` the q is not escaped).
        const bad = [...token.matchAll(/\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}|(u|[^]))/g)].find((match) => match[1] !== undefined);
        const escape = bad?.[1] ?? '';
        return { offset: offset + (bad?.index ?? 0), message: escape === 'u' ? 'expected 4 hex digits after \\u' : `invalid escape \\${escape} in a string` };
      }
      case 'UnexpectedEndOfComment':
        return { offset, message: 'a comment is not closed: "/*" needs a "*/"' };
      case 'UnexpectedEndOfNumber':
      case 'InvalidNumberFormat':
        return { offset, message: `expected a digit after "." or "e" in the number \`${token}\`` };
      default:
        return grammarMessage(offset);
    }
  };

  /** The token at `offset` is not what the grammar allows here: say what was expected. */
  const grammarMessage = (offset: number): { offset: number; message: string } => {
    const frame = frames.at(-1);
    const closer = frame === undefined ? undefined : Array.isArray(frame.container) ? ']' : '}';
    if (comma !== undefined && closer !== undefined && text.charAt(offset) === closer) {
      return { offset: comma, message: `JSON does not allow a comma before "${closer}"` };
    }
    switch (expecting) {
      case 'value':
        if (frame === undefined && offset >= text.length) return { offset, message: 'the file is empty; expected a JSON object' };
        if (text.charAt(offset) === "'") return { offset, message: 'strings need double quotes (") in JSON' };
        return { offset, message: `expected a value (string, number, object, array, true, false or null); found ${shown(offset)}` };
      case 'key':
        return { offset, message: `expected a field name in double quotes; found ${shown(offset)}` };
      case 'colon':
        return { offset, message: `expected ":" after the field name ${JSON.stringify(frame?.key)}` };
      case 'after-value':
        if (closer === ']') return { offset, message: `expected "," or "]" after an array item; found ${shown(offset)}` };
        return { offset, message: `expected "," or "}" after the value of ${JSON.stringify(frame?.key)}; found ${shown(offset)}` };
      case 'end':
        return { offset, message: `unexpected text after the end of the JSON value: ${shown(offset)}` };
    }
  };

  // Once there is an error, the rest is jsonc-parser's recovery: ignored.
  visit(
    text,
    {
      onObjectBegin: (offset, _length, _line, _column, at) => void (failed || open({}, offset, at())),
      onArrayBegin: (offset, _length, _line, _column, at) => void (failed || open([], offset, at())),
      onObjectEnd: (offset) => void (failed || close('}', offset)),
      onArrayEnd: (offset) => void (failed || close(']', offset)),
      onObjectProperty: (key, offset, _length, _line, _column, at) => {
        const frame = frames.at(-1);
        if (failed || frame === undefined) return;
        const keyPath = [...at(), key];
        if (frame.keys.has(key)) doc.duplicateKeys.push(keyPath);
        frame.keys.add(key);
        frame.key = key;
        doc.keyOffsets.set(formatPath(keyPath), offset);
        expecting = 'colon';
        comma = undefined;
      },
      onLiteralValue: (value: unknown, offset, _length, _line, _column, at) => {
        if (failed) return;
        doc.valueOffsets.set(formatPath(at()), offset);
        addValue(value);
      },
      onSeparator: (separator, offset) => {
        if (failed) return;
        if (separator === ':') expecting = 'value';
        else {
          expecting = Array.isArray(frames.at(-1)?.container) ? 'value' : 'key';
          comma = offset;
        }
      },
      onError: (code, offset, length) => {
        if (failed) return;
        failed = true;
        doc.syntaxError = message(code, offset, length);
      },
    },
    { disallowComments: false, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (!failed) doc.value = root;
  return doc;
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
