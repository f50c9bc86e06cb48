import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandLogPath, formatProblems, workerPath, type ConfigProblem, type ProjectConfig } from '../../src/core/config/config.js';
import { configJsonSchema, parseConfig } from '../../src/core/config/parse.js';

const FILE = '/home/u/proj/sessions.json';
const root = (name: string) => fileURLToPath(new URL(`../../${name}`, import.meta.url));

/** A small valid config; each case edits a fresh copy. */
function base(): Record<string, unknown> & { workers: Record<string, unknown>[]; lanes: Record<string, unknown> } {
  return {
    project: 'demo',
    lanes: { app: { description: 'App code' }, infra: {} },
    workers: [
      { name: 'app-1', lane: 'app', command: ['agent', '--profile', 'steady'] },
      { name: 'infra-1', lane: 'infra', command: 'agent --profile flaky' },
    ],
  };
}

function parseOk(config: unknown, file = FILE): ProjectConfig {
  const result = parseConfig(JSON.stringify(config, null, 2), file);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatProblems(result.problems)}`);
  return result.config;
}

function problemsOf(text: string): ConfigProblem[] {
  const result = parseConfig(text, FILE);
  if (result.ok) throw new Error('expected problems, the config was accepted');
  return result.problems;
}

describe('parseConfig: a valid config', () => {
  it('fills defaults and resolves paths against the config file', () => {
    const config = parseOk(base());
    expect(config).toEqual({
      file: FILE,
      project: 'demo',
      repo: '/home/u/proj',
      baseBranch: 'main',
      worktreeDir: '/home/u/proj-worktrees', // beside the repo, not inside it
      worktree: { copy: [], setup: null, setupTimeoutSeconds: 300, portBase: 4100 },
      tmuxSocket: 'muxctl-demo',
      lanes: { app: { description: 'App code' }, infra: {} },
      workers: [
        {
          name: 'app-1',
          lane: 'app',
          command: ['agent', '--profile', 'steady'],
          waitingPatterns: [],
          env: {},
          restart: { policy: 'never', maxRestarts: 3, backoffSeconds: 5 },
          stop: { keys: [], signal: 'SIGTERM', graceSeconds: 5 },
          task: { delivery: 'paste' },
        },
        {
          name: 'infra-1',
          lane: 'infra',
          command: 'agent --profile flaky',
          waitingPatterns: [],
          env: {},
          restart: { policy: 'never', maxRestarts: 3, backoffSeconds: 5 },
          stop: { keys: [], signal: 'SIGTERM', graceSeconds: 5 },
          task: { delivery: 'paste' },
        },
      ],
      hosts: {},
      health: { idleAfterSeconds: 30, stuckAfterSeconds: 600, settleMs: 1500, waitingPatterns: [] },
      alerts: { bell: true, desktop: false, minIntervalSeconds: 60 },
      recover: { afterLimit: false },
      hooks: { onStateChange: null },
      logs: { ringSize: 500 },
      tasks: { leaseSeconds: 600, autoDispatch: true, routing: [], acceptProposals: [] },
      land: { check: null, strategy: 'merge', push: null, auto: false, batch: 1 },
    } satisfies ProjectConfig);
    expect(workerPath(config, 'app-1')).toBe('/home/u/proj-worktrees/app-1');
  });

  it.each([
    [{ repo: '../code/app' }, '/home/u/code/app', '/home/u/code/app-worktrees'],
    [{ repo: '/srv/app/' }, '/srv/app', '/srv/app-worktrees'],
    [{ worktreeDir: 'wt' }, '/home/u/proj', '/home/u/proj/wt'],
    [{ repo: 'src', worktreeDir: '/tmp/wt' }, '/home/u/proj/src', '/tmp/wt'],
  ])('paths %j → repo %s, worktreeDir %s', (fields, repo, worktreeDir) => {
    const config = parseOk({ ...base(), ...fields });
    expect(config.repo).toBe(repo);
    expect(config.worktreeDir).toBe(worktreeDir);
  });

  it('reads the worktree section: files to copy, the setup and its timeout, the port base', () => {
    const config = parseOk({ ...base(), worktree: { copy: ['.env', 'config/*.local.json', '!config/big.local.json'], setup: 'npm ci', setupTimeoutSeconds: 60, portBase: 5000 } });
    expect(config.worktree).toEqual({ copy: ['.env', 'config/*.local.json', '!config/big.local.json'], setup: 'npm ci', setupTimeoutSeconds: 60, portBase: 5000 });
    expect(parseOk({ ...base(), worktree: { setup: 'make' } }).worktree).toEqual({ copy: [], setup: 'make', setupTimeoutSeconds: 300, portBase: 4100 });
  });

  it('keeps explicit values', () => {
    const config = parseOk({ $schema: './sessions.schema.json', ...base(), baseBranch: 'develop', tmuxSocket: 'my_sock-1' });
    expect(config.baseBranch).toBe('develop');
    expect(config.tmuxSocket).toBe('my_sock-1');
  });

  it('merges defaults under each worker, field by field, the worker winning', () => {
    const input = base();
    input.defaults = {
      env: { A: '1', B: '2' },
      cwd: 'pkg',
      log: { path: '.muxctl/agent.jsonl', format: 'muxctl' },
      restart: { policy: 'on-failure', maxRestarts: 10 },
      stop: { keys: ['C-c'], graceSeconds: 2 },
    };
    input.workers[0] = { ...input.workers[0], env: { B: 'worker' }, restart: { policy: 'always' }, stop: { signal: 'SIGINT' }, log: { path: 'out.txt' } };
    const [first, second] = parseOk(input).workers;
    expect(first).toMatchObject({
      env: { A: '1', B: 'worker' },
      cwd: 'pkg',
      log: { path: 'out.txt', format: 'muxctl' },
      restart: { policy: 'always', maxRestarts: 10, backoffSeconds: 5 },
      stop: { keys: ['C-c'], signal: 'SIGINT', graceSeconds: 2 },
    });
    expect(second).toMatchObject({
      env: { A: '1', B: '2' },
      log: { path: '.muxctl/agent.jsonl', format: 'muxctl' },
      restart: { policy: 'on-failure', maxRestarts: 10, backoffSeconds: 5 },
    });
    // Workers do not share mutable objects: a change to one must not leak into the other.
    expect(first?.stop.keys).not.toBe(second?.stop.keys);
  });

  it('accepts a byte-order mark', () => {
    expect(parseConfig(`\uFEFF${JSON.stringify(base())}`, FILE).ok).toBe(true);
  });

  it('refuses a relative file path (a caller bug, not a config problem)', () => {
    expect(() => parseConfig('{}', 'sessions.json')).toThrow(/absolute/);
  });
});

type Edit = (config: ReturnType<typeof base>) => void;

describe('parseConfig: each kind of problem names its path and says what was expected', () => {
  const cases: Array<[string, Edit, string, RegExp | string]> = [
    ['missing project', (c) => void delete c.project, 'project', 'expected a non-empty project name; the field is missing'],
    ['blank project', (c) => void (c.project = '  '), 'project', 'expected a non-empty project name; got "  "'],
    ['unknown root field, with a suggestion', (c) => void (c.worker = []), '(root)', 'unknown field "worker" — did you mean "workers"?'],
    ['snake_case field, with a suggestion', (c) => void (c.base_branch = 'main'), '(root)', 'unknown field "base_branch" — did you mean "baseBranch"?'],
    ['unknown field, no close match', (c) => void (c.colour = 'red'), '(root)', /^unknown field "colour"; expected one of: \$schema, project, repo, .*workers, hosts, health, alerts, recover, hooks, tasks, land, logs$/],
    ['typo in a worker field', (c) => void ((c.workers[1] as Record<string, unknown>).comand = 'x'), 'workers[1]', 'unknown field "comand" — did you mean "command"?'],
    ['typo in a nested field', (c) => void (c.workers[0]!.restart = { polcy: 'always' }), 'workers[0].restart', 'unknown field "polcy" — did you mean "policy"?'],
    ['unknown lane field', (c) => void (c.lanes.app = { desc: 'x' }), 'lanes.app', 'unknown field "desc" — did you mean "description"?'],
    ['bad lane reference', (c) => void (c.workers[1]!.lane = 'ap'), 'workers[1].lane', 'expected one of the lanes app, infra; got "ap" — did you mean "app"?'],
    ['lane reference with no close match', (c) => void (c.workers[1]!.lane = 'qa'), 'workers[1].lane', 'expected one of the lanes app, infra; got "qa"'],
    ['duplicate worker name', (c) => void (c.workers[1]!.name = 'app-1'), 'workers[1].name', 'expected a unique worker name; got "app-1", already used by workers[0]'],
    ['worker name with "."', (c) => void (c.workers[0]!.name = 'app.1'), 'workers[0].name', /^expected a worker name \(.*cannot hold "\." or ":"\); got "app\.1"$/],
    ['worker name too long', (c) => void (c.workers[0]!.name = 'a'.repeat(49)), 'workers[0].name', /at most 48 characters/],
    ['command: empty array', (c) => void (c.workers[0]!.command = []), 'workers[0].command', 'expected a string or a non-empty array of strings; got an empty array'],
    ['command: a number', (c) => void (c.workers[0]!.command = 42), 'workers[0].command', 'expected a string or a non-empty array of strings; got 42'],
    ['command: missing', (c) => void delete c.workers[0]!.command, 'workers[0].command', 'expected a command (a string or an array of strings), or "agent": one of claude-code, codex, gemini, aider; the field is missing'],
    ['command: empty string', (c) => void (c.workers[0]!.command = ''), 'workers[0].command', 'expected a non-empty command; got an empty string'],
    ['command: non-string argument', (c) => void (c.workers[0]!.command = ['agent', 3]), 'workers[0].command[1]', 'expected a string; got 3 (write it in quotes: "3")'],
    ['command: empty program', (c) => void (c.workers[0]!.command = ['', 'x']), 'workers[0].command[0]', 'expected the program to run as the first element; got an empty string'],
    ['bad restart policy', (c) => void (c.workers[0]!.restart = { policy: 'sometimes' }), 'workers[0].restart.policy', 'expected one of: never, on-failure, always; got "sometimes"'],
    ['near-miss restart policy', (c) => void (c.workers[0]!.restart = { policy: 'on_failure' }), 'workers[0].restart.policy', 'expected one of: never, on-failure, always; got "on_failure" — did you mean "on-failure"?'],
    ['signal without SIG', (c) => void (c.workers[0]!.stop = { signal: 'TERM' }), 'workers[0].stop.signal', 'expected one of: SIGINT, SIGTERM, SIGHUP, SIGKILL; got "TERM" — did you mean "SIGTERM"?'],
    ['bad log format', (c) => void (c.workers[0]!.log = { path: 'a.log', format: 'xml' }), 'workers[0].log.format', /^expected one of: auto, claude-code, .*, text; got "xml"$/],
    ['log without path', (c) => void (c.workers[0]!.log = { format: 'text' }), 'workers[0].log.path', 'expected a string; the field is missing'],
    ['negative maxRestarts', (c) => void (c.workers[0]!.restart = { maxRestarts: -1 }), 'workers[0].restart.maxRestarts', 'expected a number ≥ 0; got -1'],
    ['fractional maxRestarts', (c) => void (c.workers[0]!.restart = { maxRestarts: 1.5 }), 'workers[0].restart.maxRestarts', 'expected a whole number; got 1.5'],
    ['bad env key', (c) => void (c.workers[0]!.env = { 'MY-VAR': 'x' }), 'workers[0].env.MY-VAR', '"MY-VAR" is not a valid environment variable name: use letters, digits and "_", not starting with a digit'],
    ['env key starting with a digit', (c) => void (c.defaults = { env: { '1X': 'x' } }), 'defaults.env["1X"]', /"1X" is not a valid environment variable name/],
    ['MUXCTL_ env key', (c) => void (c.workers[1]!.env = { MUXCTL_WORKER: 'x' }), 'workers[1].env.MUXCTL_WORKER', '"MUXCTL_WORKER" is reserved: muxctl sets the MUXCTL_* variables itself'],
    ['env value not a string', (c) => void (c.workers[0]!.env = { PORT: 3000 }), 'workers[0].env.PORT', 'expected a string; got 3000 (write it in quotes: "3000")'],
    ['absolute cwd', (c) => void (c.workers[0]!.cwd = '/etc'), 'workers[0].cwd', /^expected a relative path inside the worker's worktree .*; got "\/etc"$/],
    ['cwd escaping the worktree', (c) => void (c.workers[0]!.cwd = 'a/../../x'), 'workers[0].cwd', /^expected a relative path inside the worker's worktree/],
    ['command in defaults', (c) => void (c.defaults = { command: 'x' }), 'defaults', '"command" cannot be set in defaults — each worker sets its own'],
    ['no lanes', (c) => void (c.lanes = {}), 'lanes', 'expected at least one lane, e.g. {"app": {}}; got an empty object'],
    ['bad lane name', (c) => void (c.lanes['code review'] = {}), 'lanes["code review"]', /^"code review" is not a valid lane name/],
    ['no workers', (c) => void (c.workers = []), 'workers', 'expected at least one worker; got an empty array'],
    ['workers not an array', (c) => void ((c as Record<string, unknown>).workers = { name: 'x' }), 'workers', 'expected an array; got an object'],
    ['bad socket name', (c) => void (c.tmuxSocket = 'my socket'), 'tmuxSocket', 'expected a socket name of letters, digits, "-" and "_"; got "my socket"'],
    ['branch with a space', (c) => void (c.baseBranch = 'my branch'), 'baseBranch', 'expected a branch name (no spaces); got "my branch"'],
    ['"~" in repo', (c) => void (c.repo = '~/code/app'), 'repo', /"~" is not expanded\); got "~\/code\/app"$/],
    ['worktree.copy leaving the repository', (c) => void (c.worktree = { copy: ['.env', '../secrets/.env'] }), 'worktree.copy[1]', 'expected a glob inside the repository (no ".." segment); got "../secrets/.env"'],
    ['worktree.setup blank', (c) => void (c.worktree = { setup: ' ' }), 'worktree.setup', 'expected a non-empty command; got " "'],
    ['worktree.portBase with no room for every worker', (c) => void (c.worktree = { portBase: 65_535 }), 'worktree.portBase', 'expected a port base that leaves a port for each of the 2 workers (at most 65534); got 65535'],
    ['worktree.portBase below 1024', (c) => void (c.worktree = { portBase: 80 }), 'worktree.portBase', 'expected a number ≥ 1024; got 80'],
    ['typo in worktree', (c) => void (c.worktree = { setupTimeout: 5 }), 'worktree', /^unknown field "setupTimeout" — did you mean "setupTimeoutSeconds"\?$/],
  ];

  it.each(cases)('%s', (_name, edit, path, message) => {
    const config = base();
    edit(config);
    const problems = problemsOf(JSON.stringify(config, null, 2));
    expect(problems.map((p) => p.path)).toEqual([path]);
    const [problem] = problems;
    if (typeof message === 'string') expect(problem?.message).toBe(message);
    else expect(problem?.message).toMatch(message);
    expect(problem?.file).toBe(FILE);
    expect(problem?.line).toBeGreaterThan(0);
  });

  it('reports a root that is not an object', () => {
    expect(problemsOf('[1, 2]')).toEqual([{ file: FILE, path: '(root)', message: 'expected an object; got an array of 2 items', line: 1, column: 1 }]);
  });
});

describe('parseConfig: every problem at once, in file order, with positions', () => {
  const text = [
    '{', //                                                               line 1
    '  "project": "demo",',
    '  "lanes": { "app": {}, "infra": {} },',
    '  "workers": [',
    '    { "name": "app.1", "lane": "app", "command": [] },', //              line 5
    '    { "name": "infra-1", "lane": "infa", "comand": "x" },',
    '    { "name": "infra-1", "lane": "infra", "command": "x", "env": { "MUXCTL_X": "1" },',
    '      "restart": { "policy": "sometimes" } }',
    '  ]',
    '}',
  ].join('\n');

  /** `line:column` of the first `needle` on a 1-based line: positions computed, not hand-counted. */
  const at = (line: number, needle: string) => `${line}:${(text.split('\n')[line - 1] ?? '').indexOf(needle) + 1}`;

  it('reports all of them, sorted by position', () => {
    const problems = problemsOf(text);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      `${at(5, '"app.1"')} workers[0].name`,
      `${at(5, '[]')} workers[0].command`,
      `${at(6, '{')} workers[1].command`, // missing: points at the object that should hold it
      `${at(6, '"infa"')} workers[1].lane`,
      `${at(6, '"comand"')} workers[1]`, // the unknown field's name
      `${at(7, '"infra-1"')} workers[2].name`,
      `${at(7, '"MUXCTL_X"')} workers[2].env.MUXCTL_X`,
      `${at(8, '"sometimes"')} workers[2].restart.policy`,
    ]);
  });

  it('formats one clickable line per problem', () => {
    const formatted = formatProblems(problemsOf(text), { relativeTo: '/home/u/proj' }).split('\n');
    expect(formatted).toHaveLength(8);
    expect(formatted[3]).toBe(`sessions.json:${at(6, '"infa"')}: workers[1].lane: expected one of the lanes app, infra; got "infa" — did you mean "infra"?`);
    expect(formatted[4]).toBe(`sessions.json:${at(6, '"comand"')}: workers[1]: unknown field "comand" — did you mean "command"?`);
  });

  it('keeps the absolute file name when it is outside relativeTo, and works without positions', () => {
    expect(formatProblems([{ file: FILE, path: 'project', message: 'm' }], { relativeTo: '/elsewhere' })).toBe(`${FILE}: project: m`);
  });
});

describe('parseConfig: JSON syntax errors give one problem with line and column', () => {
  it.each([
    ['trailing comma', '{\n  "project": "x",\n  "lanes": {"a": {}},\n}', 3, 21, 'JSON does not allow a comma before "}"'],
    ['missing comma', '{\n  "project": "x"\n  "lanes": {}\n}', 3, 3, 'expected "," or "}" after the value of "project"; found `"lanes": {}`'],
    ['single quotes', "{\n  'project': 'x'\n}", 2, 3, 'expected a field name in double quotes; found `\'project\': \'`'],
    ['unclosed comment', '{\n  /* my config\n  "project": "x"\n}', 2, 3, 'a comment is not closed: "/*" needs a "*/"'],
    ['unclosed string', '{\n  "project": "x\n}', 2, 14, 'a string is not closed before the end of the line'],
    ['bad literal', '{"project": tru}', 1, 13, 'expected a value (string, number, object, array, true, false or null); found `tru}`'],
    ['truncated', '{"project": "x",', 1, 17, 'expected a field name in double quotes; found the end of the file'],
    ['empty file', '  \n', 2, 1, 'the file is empty; expected a JSON object'],
    ['text after the object', '{}\n{}', 2, 1, 'unexpected text after the end of the JSON value: `{}`'],
    ['unclosed object', '{\n  "project": "x"', 2, 17, 'expected "," or "}" after the value of "project"; found the end of the file'],
    ['bad escape', '{"project": "a\\qb"}', 1, 15, 'invalid escape \\q in a string'],
    ['raw tab in a string', '{"project": "a\tb"}', 1, 15, 'a control character in a string must be escaped (e.g. \\t)'],
    ['incomplete number', '{"n": 1.}', 1, 7, 'expected a digit after "." or "e" in the number `1.`'],
  ])('%s', (_name, text, line, column, message) => {
    expect(problemsOf(text)).toEqual([{ file: FILE, path: '(root)', message: `invalid JSON: ${message}`, line, column }]);
  });

  it('reports a field written twice (JSON.parse would silently keep the last)', () => {
    const config = JSON.stringify(base(), null, 2).replace('"project": "demo",', '"project": "demo",\n  "project": "demo2",');
    expect(problemsOf(config)).toEqual([
      { file: FILE, path: '(root)', message: 'field "project" appears twice; JSON keeps only the last one — merge them', line: 3, column: 3 },
    ]);
  });

  it('accepts exactly what JSON.parse accepts (random edits of a valid file)', () => {
    const valid = JSON.stringify({ ...base(), n: [1, -2.5e3, 0, true, false, null, {}, []], s: 'é "q" \\ \t \u0001' }, null, 2);
    const pieces = ['{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '1', '-', '.', 'e', '+', ' ', '\n', 't', 'n', "'", '/', '\u0001'];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    let syntaxErrors = 0;
    for (let round = 0; round < 3000; round++) {
      let text = valid;
      for (let edit = 0; edit < 2; edit++) {
        const at = random(text.length);
        const piece = pieces[random(pieces.length)] ?? '';
        text = random(2) === 0 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + piece + text.slice(at);
      }
      let jsonOk = true;
      try {
        JSON.parse(text);
      } catch {
        jsonOk = false;
      }
      const result = parseConfig(text, FILE);
      const syntaxOk = result.ok || !result.problems.some((p) => p.message.startsWith('invalid JSON'));
      if (!jsonOk) syntaxErrors++;
      expect(syntaxOk, text).toBe(jsonOk);
    }
    expect(syntaxErrors).toBeGreaterThan(1000); // the edits really did break the JSON often
  });
});

describe('parseConfig: comments (sessions.json is JSON with comments)', () => {
  const commented = [
    '// muxctl config for the demo project', //                                  line 1
    '{',
    '  "$schema": "https://example.com/sessions.schema.json", // a URL is not a comment',
    '  /* the lanes:',
    '     one for app code, one for infra */', //                                      line 5
    '  "project": "demo /* not a comment */",',
    '  "lanes": { "app": {}, "infra": {} },',
    '  "workers": [',
    '    { "name": "app-1", "lane": "app", "command": ["agent"] }, // first',
    '    /* { "name": "app-2", "lane": "app", "command": "agent" }, */', //           line 10
    '    { "name": "infra-1", "lane": "infra", "command": "agent" }',
    '  ]',
    '}',
    '// end',
  ].join('\n');

  it('accepts // and /* */ comments anywhere whitespace may go, and leaves strings alone', () => {
    const result = parseConfig(commented, FILE);
    if (!result.ok) throw new Error(formatProblems(result.problems));
    expect(result.config.project).toBe('demo /* not a comment */');
    expect(result.config.workers.map((w) => w.name)).toEqual(['app-1', 'infra-1']);
  });

  it('still gives file:line:column for problems below comments', () => {
    const text = commented.replace('"lane": "infra", "command"', '"lane": "infa", "command"');
    const column = (text.split('\n')[10] ?? '').indexOf('"infa"') + 1;
    expect(formatProblems(problemsOf(text), { relativeTo: '/home/u/proj' })).toBe(
      `sessions.json:11:${column}: workers[1].lane: expected one of the lanes app, infra; got "infa" — did you mean "infra"?`,
    );
  });

  it('refuses a trailing comma, pointing at the comma even when a comment follows it', () => {
    const text = commented.replace('"command": ["agent"] }, // first', '"command": ["agent"] },').replace('    { "name": "infra-1", "lane": "infra", "command": "agent" }\n', '');
    expect(problemsOf(text)).toEqual([{ file: FILE, path: '(root)', message: 'invalid JSON: JSON does not allow a comma before "]"', line: 9, column: 61 }]);
  });

  it('refuses a field written twice, also when a comment sits between them', () => {
    const text = commented.replace('  "lanes"', '  // again:\n  "project": "other",\n  "lanes"');
    expect(problemsOf(text)).toEqual([
      { file: FILE, path: '(root)', message: 'field "project" appears twice; JSON keeps only the last one — merge them', line: 8, column: 3 },
    ]);
  });

  it('reports a "__proto__" field as unknown, as JSON.parse would (it must not become the prototype)', () => {
    const text = JSON.stringify(base()).replace('{', '{"__proto__": {"tmuxSocket": "x"},');
    expect(problemsOf(text).map((p) => p.message)).toEqual([expect.stringMatching(/^unknown field "__proto__"/)]);
  });
});

describe('sessions.example.json and sessions.schema.json', () => {
  it('the committed schema is what configJsonSchema() generates (else: npx tsx scripts/gen-schema.ts)', () => {
    const committed: unknown = JSON.parse(readFileSync(root('sessions.schema.json'), 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });

  it('the example parses: five demo agents across three lanes', () => {
    const file = root('sessions.example.json');
    const result = parseConfig(readFileSync(file, 'utf8'), file);
    if (!result.ok) throw new Error(formatProblems(result.problems));
    const { config } = result;
    expect(config.project).toBe('demo');
    expect(Object.keys(config.lanes)).toEqual(['app', 'infra', 'review']);
    expect(config.workers.map((w) => `${w.name}@${w.lane}`)).toEqual(['app-1@app', 'app-2@app', 'infra-1@infra', 'infra-2@infra', 'review-1@review']);
    for (const worker of config.workers) {
      expect(Array.isArray(worker.command) && worker.command[0]).toBe('muxctl-demo-agent');
      expect(worker.log).toBeUndefined();
    }
    expect(config.workers.find((w) => w.name === 'infra-1')?.restart).toEqual({ policy: 'on-failure', maxRestarts: 3, backoffSeconds: 5 });
  });
});

describe('expandLogPath', () => {
  const where = { worktree: '/home/ana/src/app-worktrees/app-1', home: '/home/ana' };
  it.each([
    ['logs/*.jsonl', '/home/ana/src/app-worktrees/app-1/logs/*.jsonl'],
    ['/var/log/agent.log', '/var/log/agent.log'],
    ['~/.codex/sessions/*.jsonl', '/home/ana/.codex/sessions/*.jsonl'],
    ['~/.claude/projects/{claudeProject}/*.jsonl', '/home/ana/.claude/projects/-home-ana-src-app-worktrees-app-1/*.jsonl'],
    ['{worktree}/.aider.chat.history.md', '/home/ana/src/app-worktrees/app-1/.aider.chat.history.md'],
  ])('%s → %s', (pattern, expected) => {
    expect(expandLogPath(pattern, where)).toBe(expected);
  });

  it("leaves a host's ~ for its shell, and still puts a relative path in the worktree there", () => {
    const onHost = { worktree: '/srv/app-worktrees/gpu-1', home: null, claudeConfigDir: '~/.claude' };
    expect(expandLogPath('{claudeConfigDir}/projects/{claudeProject}/*.jsonl', onHost)).toBe('~/.claude/projects/-srv-app-worktrees-gpu-1/*.jsonl');
    expect(expandLogPath('.aider.chat.history.md', onHost)).toBe('/srv/app-worktrees/gpu-1/.aider.chat.history.md');
    expect(expandLogPath('~', onHost)).toBe('~');
  });
});

describe('health, alerts, hooks and logs', () => {
  it('takes thresholds, patterns, the bell and a hook', () => {
    const config = parseOk({ ...base(), health: { idleAfterSeconds: 10, stuckAfterSeconds: 120, settleMs: 500, waitingPatterns: ['Continue\\?'] }, alerts: { bell: false }, hooks: { onStateChange: 'notify-send "$MUXCTL_WORKER"' }, logs: { ringSize: 50 } });
    expect(config.health).toEqual({ idleAfterSeconds: 10, stuckAfterSeconds: 120, settleMs: 500, waitingPatterns: ['Continue\\?'] });
    expect(config.alerts.bell).toBe(false);
    expect(config.hooks.onStateChange).toBe('notify-send "$MUXCTL_WORKER"');
    expect(config.logs.ringSize).toBe(50);
  });

  it('sends desktop notifications only when asked (alerts.desktop), at most one a worker per minIntervalSeconds', () => {
    expect(parseOk(base()).alerts).toEqual({ bell: true, desktop: false, minIntervalSeconds: 60 });
    expect(parseOk({ ...base(), alerts: { desktop: true, minIntervalSeconds: 5 } }).alerts).toEqual({ bell: true, desktop: true, minIntervalSeconds: 5 });
    const [wrongType] = problemsOf(JSON.stringify({ ...base(), alerts: { desktop: 'yes' } }, null, 2));
    expect(wrongType).toMatchObject({ file: FILE, path: 'alerts.desktop', message: 'expected true or false; got "yes"' });
    const [negative] = problemsOf(JSON.stringify({ ...base(), alerts: { minIntervalSeconds: -1 } }, null, 2));
    expect(negative).toMatchObject({ file: FILE, path: 'alerts.minIntervalSeconds' });
    const [unknown] = problemsOf(JSON.stringify({ ...base(), alerts: { desktopp: true } }, null, 2));
    expect(unknown).toMatchObject({ path: 'alerts', message: expect.stringMatching(/unknown field "desktopp".*desktop/) });
  });

  it('tasks.acceptProposals names lanes, and an unknown one is named with the lanes there are', () => {
    expect(parseOk({ ...base(), tasks: { acceptProposals: ['app'] } }).tasks.acceptProposals).toEqual(['app']);
    const [problem] = problemsOf(JSON.stringify({ ...base(), tasks: { acceptProposals: ['ap'] } }, null, 2));
    expect(problem).toMatchObject({ file: FILE, path: 'tasks.acceptProposals[0]' });
    expect(problem?.message).toMatch(/^expected one of the lanes app, infra; got "ap"/);
  });

  it('continues a worker after its usage limit only when asked (recover.afterLimit), and names a wrong value', () => {
    expect(parseOk(base()).recover.afterLimit).toBe(false);
    expect(parseOk({ ...base(), recover: { afterLimit: true } }).recover.afterLimit).toBe(true);
    const [problem] = problemsOf(JSON.stringify({ ...base(), recover: { afterLimit: 'yes' } }, null, 2));
    expect(problem).toMatchObject({ file: FILE, path: 'recover.afterLimit' });
    expect(problem?.message).toBe('expected true or false; got "yes"');
  });

  it('refuses a waiting pattern that is not a regular expression, and names it', () => {
    const problems = problemsOf(JSON.stringify({ ...base(), health: { waitingPatterns: ['(unclosed'] } }));
    expect(problems).toEqual([expect.objectContaining({ path: 'health.waitingPatterns[0]', message: expect.stringMatching(/^"\(unclosed" is not a valid regular expression/) })]);
  });
});
