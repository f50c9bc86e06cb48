import { describe, expect, it } from 'vitest';
import { parseInboxFile, type InboxParse, type InboxTask } from '../../src/core/parsers/inbox.js';
import { DEFAULT_PRIORITY } from '../../src/core/rules/tasks.js';

const LANES = ['app', 'docs'] as const;

function file(...lines: string[]): string {
  return lines.join('\n');
}

function task(result: InboxParse): InboxTask {
  if (!result.ok) throw new Error(`expected a task, got: ${result.reason}`);
  return result.task;
}

function reason(result: InboxParse): string {
  if (result.ok) throw new Error(`expected a rejection, got the task ${JSON.stringify(result.task)}`);
  return result.reason;
}

describe('a good file', () => {
  it('becomes a task with every field and the body as its prompt', () => {
    const text = file('---', 'title: Fix the login redirect', 'lane: app', 'priority: 1', 'check: npm test', 'labels: [bug, auth]', 'maxAttempts: 5', '---', '', 'The login page loops.', 'Make it stop.', '');
    expect(task(parseInboxFile(text, 'fix-login.md', LANES))).toEqual({
      title: 'Fix the login redirect',
      prompt: 'The login page loops.\nMake it stop.',
      lane: 'app',
      priority: 1,
      check: 'npm test',
      labels: ['bug', 'auth'],
      maxAttempts: 5,
    });
  });

  it('uses the defaults, and the title as the prompt when the body is empty', () => {
    const text = file('---', 'title: Update the changelog', 'lane: docs', '---', '   ', '');
    const made = task(parseInboxFile(text, 'changelog.md', LANES));
    expect(made).toEqual({ title: 'Update the changelog', prompt: 'Update the changelog', lane: 'docs', priority: DEFAULT_PRIORITY, labels: [], check: null });
    expect('maxAttempts' in made).toBe(false);
  });

  it('takes the only lane when the file names none', () => {
    expect(task(parseInboxFile(file('---', 'title: x', '---'), 'x.md', ['app'])).lane).toBe('app');
  });

  it('keeps a later "---" line in the body', () => {
    const made = task(parseInboxFile(file('---', 'title: x', 'lane: app', '---', 'above', '---', 'below'), 'x.md', LANES));
    expect(made.prompt).toBe('above\n---\nbelow');
  });
});

describe('the title', () => {
  it('falls back to the first "# heading" of the body, skipping code fences', () => {
    const text = file('---', 'lane: app', '---', '```sh', '# not a title', '```', '## Not level one', '# Fix the login redirect ##', 'details');
    const made = task(parseInboxFile(text, 'fix-login.md', LANES));
    expect(made.title).toBe('Fix the login redirect');
    expect(made.prompt).toContain('details');
  });

  it('is required when there is no heading either', () => {
    expect(reason(parseInboxFile(file('---', 'lane: app', '---', 'just text'), 'fix-login.md', LANES))).toBe(
      'fix-login.md: title: missing; add a "title:" field or start the body with a "# heading"',
    );
  });

  it('must be a non-empty string', () => {
    expect(reason(parseInboxFile(file('---', 'title: ""', 'lane: app', '---'), 'a.md', LANES))).toBe('a.md: title: expected a non-empty string, got ""');
    expect(reason(parseInboxFile(file('---', 'title: [a, b]', 'lane: app', '---'), 'a.md', LANES))).toBe('a.md: title: expected a non-empty string, got a list');
  });
});

describe('the lane', () => {
  it('must be one of the lanes, with the closest suggested on a typo', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: Docs', '---'), 'x.md', LANES))).toBe(
      'x.md: lane: expected one of app, docs, got "Docs" — did you mean "docs"?',
    );
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: apps', '---'), 'x.md', LANES))).toBe(
      'x.md: lane: expected one of app, docs, got "apps" — did you mean "app"?',
    );
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: 7', '---'), 'x.md', LANES))).toBe('x.md: lane: expected one of app, docs, got 7');
  });

  it('is required when there are several lanes, naming them', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', '---'), 'x.md', LANES))).toBe('x.md: lane: missing; expected one of app, docs');
  });

  it('cannot be anything when no lanes are configured', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app', '---'), 'x.md', []))).toBe('x.md: lane: no lanes are configured, got "app"');
  });
});

describe('priority and maxAttempts', () => {
  it.each([
    ['"high"', '"high"'],
    ['10', '10'],
    ['-1', '-1'],
    ['1.5', '1.5'],
  ])('refuses priority: %s', (written, got) => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app', `priority: ${written}`, '---'), 'fix-login.md', LANES))).toBe(
      `fix-login.md: priority: expected an integer 0–9, got ${got}`,
    );
  });

  it('accepts the ends of the range', () => {
    expect(task(parseInboxFile(file('---', 'title: x', 'lane: app', 'priority: 0', '---'), 'x.md', LANES)).priority).toBe(0);
    expect(task(parseInboxFile(file('---', 'title: x', 'lane: app', 'priority: 9', 'maxAttempts: 20', '---'), 'x.md', LANES))).toMatchObject({ priority: 9, maxAttempts: 20 });
  });

  it('refuses maxAttempts outside 1–20', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app', 'maxAttempts: 0', '---'), 'x.md', LANES))).toBe('x.md: maxAttempts: expected an integer 1–20, got 0');
  });
});

describe('check and labels', () => {
  it('reads labels as a list and as a comma-separated string, trimmed and without repeats', () => {
    const asList = task(parseInboxFile(file('---', 'title: x', 'lane: app', 'labels:', '  - bug', '  - " ui "', '---'), 'x.md', LANES));
    const asString = task(parseInboxFile(file('---', 'title: x', 'lane: app', 'labels: bug, ui,, bug', '---'), 'x.md', LANES));
    expect(asList.labels).toEqual(['bug', 'ui']);
    expect(asString.labels).toEqual(['bug', 'ui']);
  });

  it('refuses labels that are not strings, naming the item', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app', 'labels: [bug, 3]', '---'), 'x.md', LANES))).toBe('x.md: labels[1]: expected a string, got 3');
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app', 'labels: {a: 1}', '---'), 'x.md', LANES))).toBe(
      'x.md: labels: expected a list of strings or "a, b, c", got a mapping',
    );
  });

  it('refuses a check that is not a command', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app', 'check: true', '---'), 'x.md', LANES))).toBe(
      'x.md: check: expected a shell command such as "npm test", got true',
    );
  });
});

describe('unknown fields', () => {
  it('names the field, the likely meant one and the allowed ones', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app', 'prio: 1', '---'), 'x.md', LANES))).toBe(
      'x.md: unknown field "prio" — did you mean "priority"? (allowed: title, lane, priority, check, labels, maxAttempts)',
    );
  });

  it('reports every problem of the file at once', () => {
    const text = file('---', 'title: x', 'lane: nope', 'priority: high', 'owner: ana', '---');
    const said = reason(parseInboxFile(text, 'x.md', LANES));
    expect(said).toMatch(/^x\.md: unknown field "owner"/);
    expect(said).toContain('; lane: expected one of app, docs, got "nope"');
    expect(said).toContain('; priority: expected an integer 0–9, got "high"');
  });
});

describe('YAML syntax errors', () => {
  it('give the line in the file', () => {
    // Line 4 of the file: the opening "---" is line 1.
    const text = file('---', 'title: x', 'lane: app', 'title: again', '---');
    expect(reason(parseInboxFile(text, 'x.md', LANES))).toBe('x.md: line 4: YAML syntax error: Map keys must be unique');
  });

  it('hint at quoting a value with a colon in it', () => {
    const text = file('---', 'lane: app', 'title: Fix: the login', '---');
    expect(reason(parseInboxFile(text, 'x.md', LANES))).toBe(
      'x.md: line 3: YAML syntax error: Nested mappings are not allowed in compact mappings (quote a value that contains ": ")',
    );
  });

  it('refuse front matter that is not a set of fields', () => {
    expect(reason(parseInboxFile(file('---', '- a', '- b', '---'), 'x.md', LANES))).toBe(
      'x.md: front matter: expected fields such as "title: …" and "lane: …", got a list',
    );
  });
});

describe('the front matter', () => {
  it('is required, and the reason shows the expected shape with a real lane', () => {
    const said = reason(parseInboxFile('# Fix the login\n\nplease', 'fix-login.md', LANES));
    expect(said.split('\n')[0]).toBe('fix-login.md: no front matter; an inbox file starts with YAML front matter between two "---" lines, then the prompt:');
    expect(said).toContain('\n---\ntitle: Fix the login redirect\nlane: app\n');
  });

  it('must be closed', () => {
    expect(reason(parseInboxFile(file('---', 'title: x', 'lane: app'), 'x.md', LANES))).toMatch(
      /^x\.md: the front matter opened by "---" on line 1 has no closing "---" line; an inbox file starts/,
    );
  });

  it('is read the same through CRLF line endings and a UTF-8 BOM', () => {
    const text = '\uFEFF---\r\ntitle: Fix the login\r\nlane: app\r\nlabels: bug, ui\r\n---\r\nline one\r\nline two\r\n';
    expect(task(parseInboxFile(text, 'x.md', LANES))).toEqual({
      title: 'Fix the login',
      prompt: 'line one\nline two',
      lane: 'app',
      priority: DEFAULT_PRIORITY,
      labels: ['bug', 'ui'],
      check: null,
    });
  });

  it('gives the right line for a syntax error in a CRLF file', () => {
    const text = '\uFEFF---\r\ntitle: x\r\nlane: app\r\nlane: docs\r\n---\r\n';
    expect(reason(parseInboxFile(text, 'x.md', LANES))).toBe('x.md: line 4: YAML syntax error: Map keys must be unique');
  });
});
