import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultSocketName, exactPaneTarget, exactTarget, isValidWorkerName, shellCommand, shellQuote, workerBranch } from '../../src/core/rules/names.js';

describe('isValidWorkerName', () => {
  it.each([
    ['app-1', true],
    ['A_b-9', true],
    ['9lives', true],
    ['a'.repeat(48), true],
    ['a'.repeat(49), false],
    ['', false],
    ['-app', false],
    ['_app', false],
    ['app.1', false], // tmux: window separator
    ['app:1', false], // tmux: session separator
    ['app 1', false],
    ['app/1', false],
    ['日本', false],
  ])('%j → %s', (name, valid) => {
    expect(isValidWorkerName(name)).toBe(valid);
  });
});

describe('defaultSocketName', () => {
  it.each([
    ['demo', 'muxctl-demo'],
    ['My Project', 'muxctl-my-project'],
    ['  --Web_App!!v2--  ', 'muxctl-web-app-v2'],
    ['a.b:c/d', 'muxctl-a-b-c-d'],
    ['x'.repeat(39) + '-yyyy', 'muxctl-' + 'x'.repeat(39)], // cut at 40, trailing '-' trimmed
    ['z'.repeat(60), 'muxctl-' + 'z'.repeat(40)],
  ])('%j → %j', (project, socket) => {
    expect(defaultSocketName(project)).toBe(socket);
  });

  it('gives projects with no usable characters distinct, valid sockets', () => {
    const a = defaultSocketName('日本');
    const b = defaultSocketName('中国');
    expect(a).toMatch(/^muxctl-p[0-9a-f]{8}$/);
    expect(b).toMatch(/^muxctl-p[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(defaultSocketName('日本')).toBe(a);
  });
});

describe('targets and branches', () => {
  it('targets a session by exact name, not by prefix', () => {
    expect(exactTarget('w1')).toBe('=w1');
    expect(exactPaneTarget('w1')).toBe('=w1:');
  });

  it('puts worker branches under muxctl/', () => {
    expect(workerBranch('app-1')).toBe('muxctl/app-1');
  });
});

describe('shellQuote / shellCommand', () => {
  it.each([
    ['plain', `'plain'`],
    ['', `''`],
    ['a b', `'a b'`],
    ["it's", `'it'\\''s'`],
    ['$HOME', `'$HOME'`],
    ['`id`', `'\`id\`'`],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(shellQuote(arg)).toBe(quoted);
  });

  it('builds an exec line', () => {
    expect(shellCommand(['muxctl-demo-agent', '--profile', 'steady'])).toBe(`exec 'muxctl-demo-agent' '--profile' 'steady'`);
    expect(() => shellCommand([])).toThrow(/empty/);
  });

  it('survives a real sh: every argument arrives byte for byte', () => {
    const tricky = ['a b', "it's", '$HOME', '"dq"', '`id`', '\\n', 'semi;colon', '*', '', 'new\nline', "''", 'tab\there', 'ünï'];
    const out = execFileSync('sh', ['-c', shellCommand(['printf', '%s\\0', ...tricky])], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(tricky);
  });

  it('lets sh report a missing command with exit 127', () => {
    let status: number | null = null;
    try {
      execFileSync('sh', ['-c', shellCommand(['muxctl-no-such-command-xyz'])], { stdio: 'pipe' });
    } catch (error) {
      status = (error as { status: number | null }).status;
    }
    expect(status).toBe(127);
  });
});
