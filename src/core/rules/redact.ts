/**
 * Secret masking for everything muxctl shows or writes (panels, the detail view, exports, its own event
 * records). Agent logs are full of pasted commands, env dumps and HTTP traces; a key that reaches a
 * screen share or a committed HANDOFF file is leaked. Masks keep a short prefix (`ghp_…[redacted]`) so a
 * person still sees WHICH kind of credential was there.
 *
 * Design: one cheap pre-check regex decides whether a line can contain anything at all (the common
 * case: it cannot, and the line is returned untouched); then, in order, known token shapes, the AWS
 * secret after its name, Authorization headers, passwords in URLs, and values assigned to
 * secret-looking names. Each later rule leaves alone a value an earlier rule already masked, so the
 * informative prefix survives and `redact(redact(x)) === redact(x)`.
 */

export const REDACTED = '[redacted]';
const MASK_JOIN = '…';

/**
 * Anything any rule below could match contains one of these (case-insensitively). Deliberately loose:
 * a false hit only costs the full scan, a miss would leak.
 */
const CANDIDATE = /sk-|gh[pousr]_|github_pat_|a[ks]ia|xox[abprs]-|eyj|aiza|authorization|key|token|secret|pass|credential|:\/\//i;

/**
 * Known token shapes; group 1..7 is the prefix kept in the mask. Each body is long enough that prose and
 * kebab-case words do not qualify, and `\b` before the prefix keeps "risk-free" or "task-list" out.
 */
const TOKEN = new RegExp(
  [
    // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-api03-, sk-ant-oat01-, …).
    String.raw`\b(sk-(?:ant-|proj-|svcacct-|admin-)?)[A-Za-z0-9_-]{20,}`,
    // GitHub classic tokens (36 chars after the prefix) and fine-grained PATs.
    String.raw`\b(gh[pousr]_)[A-Za-z0-9]{30,}`,
    String.raw`\b(github_pat_)[A-Za-z0-9_]{30,}`,
    // AWS access key ids: long-term (AKIA) and temporary (ASIA).
    String.raw`\b(A[KS]IA)[A-Z0-9]{16}(?![A-Za-z0-9])`,
    // Slack bot/app/user/refresh/legacy tokens.
    String.raw`\b(xox[abprs]-)[A-Za-z0-9-]{10,}`,
    // Google API keys: always 39 characters.
    String.raw`\b(AIza)[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])`,
    // JWTs: three base64url parts, the header being JSON ("{"… encodes as "eyJ").
    String.raw`\b(eyJ)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
  ].join('|'),
  'g',
);

/** The AWS secret access key has no recognizable shape of its own (40 base64 chars): only its name tells. */
const AWS_SECRET =
  /(aws[_ -]?secret[_ -]?access[_ -]?key[^A-Za-z0-9/+\n]{1,12}(?:\[[^\]\n]{0,20}\][^A-Za-z0-9/+\n]{0,4})?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;

/** `Authorization: Bearer x`, `"Proxy-Authorization": "Basic x"`, `-H 'Authorization: token x'`. */
const AUTH_HEADER =
  /\b((?:proxy-)?authorization\\?["']?[ \t]*[:=][ \t]*\\?["']?(?:(?:bearer|basic|token|digest|negotiate|ntlm|apikey)[ \t]+)?)([^\s"'\\,;]+)/gi;

/** The password in a URL: `postgres://app:s3cret@db/app`, `https://user:token@github.com/o/r.git`. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@"'<>]{1,100}:)([^\s/@"'<>]{1,200})(?=@)/gi;

/**
 * The head of an assignment to a name that mentions a secret word: `export API_KEY=`, `apiKey: `,
 * `"api_key": `, `\"password\":` (JSON inside a JSON string). Group 1: the name's quote, 2: the name.
 * The name must start where the run of name characters starts, so "monkey=" is read as the name
 * "monkey", never as "key"; the bounded lengths keep a long run (base64, hex) from costing O(n²).
 */
const ASSIGNMENT_HEAD =
  /(?<![A-Za-z0-9_.-])(\\?["']?)([A-Za-z0-9_.-]{0,60}(?:key|token|secret|pass|credential)[A-Za-z0-9_.-]{0,60})\1[ \t]*[:=][ \t]*/gi;

/** Name words whose value is secret whatever it looks like, wherever the word sits in the name. */
const STRONG_WORDS = new Set(['secret', 'secrets', 'password', 'passwords', 'passwd', 'credential', 'credentials']);
/**
 * Name words that mark a secret only as the LAST word: `API_KEY`, `apiKey`, `GITHUB_TOKEN` are secrets;
 * `KEY_FILE`, `keyCode`, `TOKEN_COUNT`, `token_url` are not. "tokens" is absent on purpose: `max_tokens`,
 * `input_tokens` are counts, everywhere in agent logs.
 */
const LAST_WORDS = new Set(['key', 'token', 'pass', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'authkey', 'authtoken', 'accesstoken', 'refreshtoken', 'apitoken', 'sessiontoken', 'bearertoken', 'idtoken']);

export type SecretNameKind = 'strong' | 'last-word';

/** Splits `OPENAI_API_KEY`, `apiKey`, `x-api-key`, `APIKey` into lower-case words. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** Whether a variable or field name is secret-looking, and how strongly (which decides the exemptions). */
export function secretNameKind(name: string): SecretNameKind | null {
  const words = nameWords(name);
  if (words.some((word) => STRONG_WORDS.has(word))) return 'strong';
  const last = words[words.length - 1];
  return last !== undefined && LAST_WORDS.has(last) ? 'last-word' : null;
}

const HARMLESS = new Set(['', 'true', 'false', 'null', 'none', 'nil', 'undefined', 'string', 'number', 'boolean']);
const NUMBER = /^[-+]?\d{1,15}(?:\.\d+)?$/;
/** `process.env.API_KEY`, `config.apiKey`: code that names where a key comes from, not a key. */
const DOTTED_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;

/**
 * Values that are not secrets even under a secret-looking name: references (`$API_KEY`, `%TOKEN%`),
 * literals and type names (`apiKey: string`), masks already applied. Under KEY/TOKEN names also numbers
 * (`TOKEN_COUNT=5`: counts and ids) and dotted code paths; a PASSWORD of digits stays masked.
 */
function isHarmlessValue(value: string, kind: SecretNameKind): boolean {
  if (HARMLESS.has(value.toLowerCase()) || value.includes(REDACTED)) return true;
  if (value.startsWith('$') || value.startsWith('%')) return true;
  return kind === 'last-word' && (NUMBER.test(value) || DOTTED_PATH.test(value));
}

/** Where an assignment's value starts and ends, after its head; quoted values end at their quote. */
function valueSpan(text: string, start: number): [number, number] {
  if (text.startsWith('\\"', start)) {
    // JSON inside a JSON string: ends at the next \" (or the line's end).
    let i = start + 2;
    while (i < text.length && text[i] !== '\n' && !(text[i] === '\\' && text[i + 1] === '"')) i++;
    return [start + 2, i];
  }
  const quote = text[start];
  if (quote === '"' || quote === "'") {
    let i = start + 1;
    while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    return [start + 1, Math.min(i, text.length)];
  }
  let i = start;
  for (;;) {
    // Control characters end it too: an ANSI colour code after a value is not part of it.
    while (i < text.length && text.charCodeAt(i) > 0x20 && !BARE_VALUE_END.has(text[i] as string)) i++;
    // A token mask from an earlier rule ("sk-…[redacted]") belongs to the value, brackets and all.
    if (!text.startsWith(REDACTED, i)) return [start, i];
    i += REDACTED.length;
  }
}
const BARE_VALUE_END = new Set(['"', "'", '`', ',', ';', '&', '|', '<', '>', '(', ')', '{', '}', '[', ']', '\\']);

function maskTokens(text: string): string {
  return text.replace(TOKEN, (match: string, ...groups: unknown[]) => {
    const prefix = groups.slice(0, 7).find((group): group is string => typeof group === 'string');
    if (prefix === undefined) return match;
    // An sk- body without a digit is a kebab-case word ("sk-learn-…"), not a random key.
    if (prefix.startsWith('sk-') && !/\d/.test(match.slice(prefix.length))) return match;
    return `${prefix}${MASK_JOIN}${REDACTED}`;
  });
}

function maskAssignments(text: string): string {
  let out = '';
  let copied = 0;
  // A head inside a value already read ("PASSWORD=a=key=b") is part of that value, not an assignment;
  // skipping it also keeps a pathological line linear.
  let scanned = 0;
  for (const head of text.matchAll(ASSIGNMENT_HEAD)) {
    if (head.index < scanned) continue;
    const kind = secretNameKind(head[2] as string);
    if (kind === null) continue;
    const [start, end] = valueSpan(text, head.index + head[0].length);
    scanned = end;
    if (isHarmlessValue(text.slice(start, end), kind)) continue;
    out += text.slice(copied, start) + REDACTED;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Masks secrets in free text (one line or many). */
export function redact(text: string): string {
  if (!CANDIDATE.test(text)) return text;
  let out = maskTokens(text);
  out = out.replace(AWS_SECRET, (_match, head: string) => `${head}${REDACTED}`);
  const maskValue = (match: string, head: string, value: string) =>
    value.includes(REDACTED) || value.startsWith('$') ? match : `${head}${REDACTED}`;
  out = out.replace(AUTH_HEADER, maskValue);
  out = out.replace(URL_PASSWORD, maskValue);
  return maskAssignments(out);
}

/**
 * Masks a parsed JSON value: every string through `redact`, and string values under secret-looking keys
 * entirely (unless harmless, see above). Returns a copy; the input is not changed.
 */
export function redactObject(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactObject);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const kind = typeof child === 'string' ? secretNameKind(key) : null;
    if (kind !== null && typeof child === 'string') {
      const masked = redact(child);
      out[key] = masked !== child || isHarmlessValue(child, kind) ? masked : REDACTED;
    } else {
      out[key] = redactObject(child);
    }
  }
  return out;
}

export interface RedactorOptions {
  /** False for `--no-redact`: the person asked to see everything as written. */
  enabled: boolean;
}

/** The redaction step the rest of muxctl calls, so `--no-redact` is decided in one place. */
export function createRedactor({ enabled }: RedactorOptions): (text: string) => string {
  return enabled ? redact : (text) => text;
}
