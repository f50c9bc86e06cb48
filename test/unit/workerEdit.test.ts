/**
 * Adding and removing a worker as an edit of sessions.json's text: the exact text after, comments and
 * the person's own layout byte for byte, and the edit judged by parseConfig like any other.
 */
import { describe, expect, it } from 'vitest';
import { addWorkerEntry, appendWorker, removeWorker, removeWorkerEntry, type EntryEdit } from '../../src/core/config/workerEdit.js';

const FILE = '/home/u/proj/sessions.json';

/** Comments everywhere, three layouts of entry, a comment after the last one and a block comment before `]`. */
const ODD = `{
  // The demo project: hand-edited.
  "project": "demo",
  "lanes": { "app": {}, "infra": { "description": "ops" } },   /* two lanes */
  "workers": [
    // the first worker
    { "name": "app-1", "lane": "app", "command": "exec sleep 600" }, // one line
    {
        "name": "app-2",
          "lane": "app",
        "command": ["sh", "-c", "sleep 600"]
    },
    {"name":"infra-1","lane":"infra","command":"true"} // last, for now
    /* more to come */
  ],

  "health": { "idleAfterSeconds": 30 } // trailing comment at the end
}
`;

const lines = (text: string) => text.split('\n');

describe('appendWorker', () => {
  it('appends after the last entry, on its own line in that entry\'s style; every other line byte-identical', () => {
    const next = appendWorker(ODD, { name: 'app-3', lane: 'app', command: 'exec sleep 600' });
    expect(next).toBe(`{
  // The demo project: hand-edited.
  "project": "demo",
  "lanes": { "app": {}, "infra": { "description": "ops" } },   /* two lanes */
  "workers": [
    // the first worker
    { "name": "app-1", "lane": "app", "command": "exec sleep 600" }, // one line
    {
        "name": "app-2",
          "lane": "app",
        "command": ["sh", "-c", "sleep 600"]
    },
    {"name":"infra-1","lane":"infra","command":"true"}, // last, for now
    {"name":"app-3","lane":"app","command":"exec sleep 600"}
    /* more to come */
  ],

  "health": { "idleAfterSeconds": 30 } // trailing comment at the end
}
`);
    const before = lines(ODD);
    const after = lines(next);
    const changed = before.findIndex((line) => line.includes('"infra-1"'));
    expect(after.slice(0, changed)).toEqual(before.slice(0, changed));
    expect(after[changed]).toBe(before[changed]?.replace('}', '},'));
    expect(after.slice(changed + 2)).toEqual(before.slice(changed + 1));
  });

  it('writes a multi-line entry after a multi-line last entry, with its indentation', () => {
    const text = `{
  "project": "demo",
  "lanes": { "app": {} },
  "workers": [
    {
      "name": "app-1",
      "lane": "app",
      "command": "x"
    }
  ]
}
`;
    expect(appendWorker(text, { name: 'app-2', lane: 'app', agent: 'codex' })).toBe(`{
  "project": "demo",
  "lanes": { "app": {} },
  "workers": [
    {
      "name": "app-1",
      "lane": "app",
      "command": "x"
    },
    {
      "name": "app-2",
      "lane": "app",
      "agent": "codex"
    }
  ]
}
`);
  });

  it('keeps tabs, CRLF line ends and a byte-order mark', () => {
    const text = '\uFEFF{\r\n\t"project": "demo",\r\n\t"workers": [\r\n\t\t{ "name": "w1", "lane": "app", "command": "x" } // w1\r\n\t]\r\n}\r\n';
    expect(appendWorker(text, { name: 'w2', lane: 'app', command: ['a', 'b'] })).toBe(
      '\uFEFF{\r\n\t"project": "demo",\r\n\t"workers": [\r\n\t\t{ "name": "w1", "lane": "app", "command": "x" }, // w1\r\n\t\t{ "name": "w2", "lane": "app", "command": ["a", "b"] }\r\n\t]\r\n}\r\n',
    );
  });

  it('keeps a file written on one line on one line', () => {
    const text = '{"project":"demo","lanes":{"app":{}},"workers":[{"name":"w1","lane":"app","command":"x"}]}';
    expect(appendWorker(text, { name: 'w2', lane: 'app', command: 'y' })).toBe(
      '{"project":"demo","lanes":{"app":{}},"workers":[{"name":"w1","lane":"app","command":"x"},{"name":"w2","lane":"app","command":"y"}]}',
    );
  });
});

describe('removeWorker', () => {
  it('takes out an entry in the middle: its lines go, the comment above the next one stays', () => {
    expect(removeWorker(ODD, 'app-2')).toBe(ODD.replace(`    {
        "name": "app-2",
          "lane": "app",
        "command": ["sh", "-c", "sleep 600"]
    },
`, ''));
  });

  it('takes out the first entry with the comment on its line; the comment line above it stays', () => {
    expect(removeWorker(ODD, 'app-1')).toBe(ODD.replace('    { "name": "app-1", "lane": "app", "command": "exec sleep 600" }, // one line\n', ''));
  });

  it('takes out the last entry and the comma before it; the block comment after it stays', () => {
    expect(removeWorker(ODD, 'infra-1')).toBe(
      ODD.replace(`        "command": ["sh", "-c", "sleep 600"]
    },
    {"name":"infra-1","lane":"infra","command":"true"} // last, for now
`, `        "command": ["sh", "-c", "sleep 600"]
    }
`),
    );
  });

  it('gives back the file as it was after an add (byte for byte)', () => {
    expect(removeWorker(appendWorker(ODD, { name: 'app-3', lane: 'app', command: 'x' }), 'app-3')).toBe(ODD);
    const minified = '{"project":"demo","lanes":{"app":{}},"workers":[{"name":"w1","lane":"app","command":"x"}]}';
    expect(removeWorker(appendWorker(minified, { name: 'w2', lane: 'app', command: 'y' }), 'w2')).toBe(minified);
  });

  it('keeps a one-line array valid JSON (jsonc-parser 3.3.1 leaves `}}]` here)', () => {
    expect(removeWorker('{"workers":[{"name":"w1"},{"name":"w2"}]}', 'w2')).toBe('{"workers":[{"name":"w1"}]}');
    expect(removeWorker('{"workers":[{"name":"w1"},{"name":"w2"}]}', 'w1')).toBe('{"workers":[{"name":"w2"}]}');
  });

  it('is null for a name that is not there', () => {
    expect(removeWorker(ODD, 'nobody')).toBeNull();
  });
});

describe('addWorkerEntry / removeWorkerEntry: judged by parseConfig', () => {
  const problems = (edit: EntryEdit) => (!edit.ok && edit.kind === 'entry' ? edit.problems : `not an entry refusal: ${JSON.stringify(edit)}`);

  it('gives the new text and the config with the worker in it', () => {
    const edit = addWorkerEntry(ODD, FILE, { name: 'app-3', lane: 'app', agent: 'claude-code' });
    if (!edit.ok) throw new Error(JSON.stringify(edit));
    expect(edit.config.workers.map((w) => w.name)).toEqual(['app-1', 'app-2', 'infra-1', 'app-3']);
    expect(edit.config.workers.at(-1)?.agent).toBe('claude-code');
    expect(edit.text).toBe(appendWorker(ODD, { name: 'app-3', lane: 'app', agent: 'claude-code' }));
  });

  it('names the field of the entry and what was expected', () => {
    expect(problems(addWorkerEntry(ODD, FILE, { name: 'app-3', lane: 'ap', command: 'x' }))).toEqual([
      { field: 'lane', message: 'expected one of the lanes app, infra; got "ap" — did you mean "app"?' },
    ]);
    expect(problems(addWorkerEntry(ODD, FILE, { name: 'app-1', lane: 'app', command: 'x' }))).toEqual([
      { field: 'name', message: 'expected a unique worker name; got "app-1", already used by workers[0]' },
    ]);
    const badName = problems(addWorkerEntry(ODD, FILE, { name: 'app.3', lane: 'app', command: 'x' }));
    expect(badName).toEqual([{ field: 'name', message: expect.stringContaining('expected a worker name') }]);
    const agent = problems(addWorkerEntry(ODD, FILE, { name: 'app-3', lane: 'app', agent: 'claude' }));
    expect(agent).toEqual([{ field: 'agent', message: expect.stringContaining('expected one of: claude-code, codex, gemini, aider; got "claude"') }]);
    expect(problems(addWorkerEntry(ODD, FILE, { name: 'app-3', lane: 'app' }))).toEqual([{ field: 'command', message: expect.stringContaining('expected a command') }]);
  });

  it('refuses to edit a file that has problems already', () => {
    const edit = addWorkerEntry(ODD.replace('"project": "demo",', ''), FILE, { name: 'app-3', lane: 'app', command: 'x' });
    expect(edit).toMatchObject({ ok: false, kind: 'config', problems: [{ path: 'project' }] });
  });

  it('removes an entry, and refuses to remove the only worker', () => {
    const edit = removeWorkerEntry(ODD, FILE, 'app-2');
    if (!edit.ok) throw new Error(JSON.stringify(edit));
    expect(edit.config.workers.map((w) => w.name)).toEqual(['app-1', 'infra-1']);
    const one = '{\n  "project": "demo",\n  "lanes": { "app": {} },\n  "workers": [\n    { "name": "w1", "lane": "app", "command": "x" }\n  ]\n}\n';
    expect(problems(removeWorkerEntry(one, FILE, 'w1'))).toEqual([{ field: 'workers', message: 'expected at least one worker; got an empty array' }]);
    expect(removeWorkerEntry(ODD, FILE, 'nobody')).toEqual({ ok: false, kind: 'missing' });
  });
});
