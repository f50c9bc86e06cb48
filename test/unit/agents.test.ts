/**
 * Agent presets: a one-line worker gets the agent's program, log, waiting lines, stop keys and resume
 * strategy; what the person wrote wins. And the conversation plan: resumed only when the agent's own
 * files show the conversation, new otherwise, with the reason kept.
 */
import { describe, expect, it } from 'vitest';
import { conversationCommand } from '../../src/control/conversations.js';
import { type ProjectConfig } from '../../src/core/config/config.js';
import { parseConfig } from '../../src/core/config/parse.js';
import { AGENT_PRESETS, describeConversation, freshAfterFailedResume, planConversation, resumeFailedOnScreen, withConversationArgs } from '../../src/core/rules/agents.js';

const FILE = '/home/u/proj/sessions.json';

function parse(workers: unknown[], extra: Record<string, unknown> = {}): ReturnType<typeof parseConfig> {
  return parseConfig(JSON.stringify({ project: 'p', lanes: { app: {} }, workers, ...extra }), FILE);
}

function parseOk(workers: unknown[]): ProjectConfig {
  const result = parse(workers);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('an agent preset', () => {
  it('makes a Claude Code worker one line of config', () => {
    const [worker] = parseOk([{ name: 'c1', lane: 'app', agent: 'claude-code' }]).workers;
    expect(worker).toMatchObject({
      agent: 'claude-code',
      command: ['claude'],
      log: { path: '{claudeConfigDir}/projects/{claudeProject}/*.jsonl', format: 'claude-code' },
      stop: { keys: ['C-c', 'C-c'] },
      task: { delivery: 'paste' },
      resume: { strategy: { kind: 'minted', newArgs: ['--session-id', '{sessionId}'], resumeArgs: ['--resume', '{sessionId}'] } },
    });
    expect(worker?.waitingPatterns.some((p) => new RegExp(p).test('Do you want to proceed?'))).toBe(true);
  });

  it.each([
    ['codex', 'codex', undefined, 'Would you like to run the following command?'],
    ['gemini', 'gemini', undefined, 'Allow execution of: npm test'],
    ['aider', 'aider', { path: '.aider.chat.history.md', format: 'aider' }, 'Run shell command? (Y)es/(N)o [Yes]:'],
  ] as const)('%s: its program, its log, the line that asks', (agent, program, log, asks) => {
    const [worker] = parseOk([{ name: 'w', lane: 'app', agent }]).workers;
    expect(worker?.command).toEqual([program]);
    expect(worker?.log).toEqual(log);
    expect(worker?.waitingPatterns.some((p) => new RegExp(p).test(asks))).toBe(true);
    expect(worker?.resume?.strategy).toEqual(AGENT_PRESETS[agent].resume);
  });

  it('keeps the command, log and stop keys the person wrote', () => {
    const [worker] = parseOk([
      { name: 'c1', lane: 'app', agent: 'claude-code', command: ['/opt/claude/bin/claude', '--model', 'opus'], log: { path: 'x.jsonl' }, stop: { keys: ['Escape'] } },
    ]).workers;
    expect(worker).toMatchObject({ command: ['/opt/claude/bin/claude', '--model', 'opus'], log: { path: 'x.jsonl', format: 'claude-code' }, stop: { keys: ['Escape'] } });
  });

  it('a worker without one has neither waiting lines of its own nor a resume', () => {
    const [worker] = parseOk([{ name: 'w', lane: 'app', command: 'sh' }]).workers;
    expect(worker?.waitingPatterns).toEqual([]);
    expect(worker?.resume).toBeUndefined();
    expect(worker?.agent).toBeUndefined();
  });

  it('an unknown agent is named with what was expected, and a near miss gets a suggestion', () => {
    const result = parse([{ name: 'w', lane: 'app', agent: 'claude' }]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.path).toBe('workers[0].agent');
    expect(result.problems[0]?.message).toMatch(/expected one of: claude-code, codex, gemini, aider; got "claude"/);
  });

  it('"resume" is for a worker without a preset; "agent" is not a default', () => {
    const both = parse([{ name: 'w', lane: 'app', agent: 'codex', resume: { command: 'x {sessionId}' } }]);
    expect(both.ok ? null : both.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(/^workers\[0\]\.resume: the "codex" preset already knows how to resume/)]);
    const inDefaults = parse([{ name: 'w', lane: 'app', command: 'x' }], { defaults: { agent: 'codex' } });
    expect(inDefaults.ok ? null : inDefaults.problems[0]?.path).toBe('defaults');
  });

  it('a resume.command of the person’s own is kept with a minted id, and run only to resume', () => {
    const [worker] = parseOk([{ name: 'w', lane: 'app', command: 'mytool --new {sessionId}', resume: { command: 'mytool --resume {sessionId}' } }]).workers;
    expect(worker?.resume).toEqual({ strategy: { kind: 'minted', newArgs: [], resumeArgs: [] }, command: 'mytool --resume {sessionId}', resumeFailed: [] });
    if (worker === undefined) return;
    const fresh = planConversation({ strategy: worker.resume!.strategy, previous: null, found: null, wantNew: false, newId: 'n1' });
    expect(conversationCommand(worker, fresh)).toBe('mytool --new n1');
    const again = planConversation({ strategy: worker.resume!.strategy, previous: { id: 'n1', resumed: false }, found: { id: 'n1' }, wantNew: false, newId: 'n2' });
    expect(conversationCommand(worker, again)).toBe('mytool --resume n1');
  });

  it('a preset’s arguments go after what the person wrote, the command unchanged without a plan', () => {
    const [worker] = parseOk([{ name: 'c', lane: 'app', agent: 'claude-code', command: ['claude', '--model', 'opus'] }]).workers;
    if (worker === undefined) return;
    const plan = planConversation({ strategy: worker.resume!.strategy, previous: null, found: null, wantNew: false, newId: 'u1' });
    expect(conversationCommand(worker, plan)).toEqual(['claude', '--model', 'opus', '--session-id', 'u1']);
    expect(conversationCommand(worker, null)).toEqual(['claude', '--model', 'opus']);
  });
});

describe('planConversation', () => {
  const claude = AGENT_PRESETS['claude-code'].resume;
  const codex = AGENT_PRESETS.codex.resume;
  const aider = AGENT_PRESETS.aider.resume;
  const ID = '11111111-2222-4333-8444-555555555555';
  const NEW = '99999999-8888-4777-8666-555555555555';

  it('Claude Code, first start: a new conversation with an id of muxctl’s own', () => {
    expect(planConversation({ strategy: claude, previous: null, found: null, wantNew: false, newId: NEW })).toEqual({
      args: ['--session-id', NEW],
      after: 'end',
      conversation: { id: NEW, resumed: false },
    });
  });

  it('Claude Code, its transcript there: resumed by the same id', () => {
    const plan = planConversation({ strategy: claude, previous: { id: ID, resumed: false }, found: { id: ID }, wantNew: false, newId: NEW });
    expect(plan).toEqual({ args: ['--resume', ID], after: 'end', conversation: { id: ID, resumed: true } });
    expect(describeConversation(plan.conversation)).toBe('conversation 11111111 resumed');
  });

  it('Claude Code, its transcript gone: a new id, and why', () => {
    const plan = planConversation({ strategy: claude, previous: { id: ID, resumed: true }, found: null, wantNew: false, newId: NEW });
    expect(plan.args).toEqual(['--session-id', NEW]);
    expect(plan.conversation).toEqual({ id: NEW, resumed: false, note: 'conversation 11111111 not found: a new one' });
  });

  it('no note when there never was a conversation to carry on (Codex found none, nothing saved)', () => {
    const codexPlan = planConversation({ strategy: codex, previous: { id: null, resumed: false }, found: null, wantNew: false, newId: NEW });
    expect(codexPlan.conversation).toEqual({ id: null, resumed: false });
    const aiderPlan = planConversation({ strategy: aider, previous: { id: null, resumed: true }, found: null, wantNew: false, newId: NEW });
    expect(aiderPlan.conversation).toEqual({ id: null, resumed: false, note: 'no saved conversation for this worktree: a new one' });
  });

  it('a task started over starts its conversation over, even with the transcript there', () => {
    const plan = planConversation({ strategy: claude, previous: { id: ID, resumed: false }, found: { id: ID }, wantNew: true, newId: NEW });
    expect(plan.conversation).toEqual({ id: NEW, resumed: false });
  });

  it('Codex: resumed as a subcommand right after the program, by the id found in its rollout', () => {
    const plan = planConversation({ strategy: codex, previous: null, found: { id: 'abc' }, wantNew: false, newId: NEW });
    expect(plan).toEqual({ args: ['resume', 'abc'], after: 'program', conversation: { id: 'abc', resumed: true } });
    expect(withConversationArgs(['codex', '--model', 'o3'], plan.args, plan.after)).toEqual(['codex', 'resume', 'abc', '--model', 'o3']);
    expect(withConversationArgs('codex --model o3', plan.args, plan.after)).toBe("codex 'resume' 'abc' --model o3");
    // Codex names its conversations itself: with nothing found, no id and no arguments.
    expect(planConversation({ strategy: codex, previous: null, found: null, wantNew: false, newId: NEW })).toEqual({ args: [], after: 'program', conversation: { id: null, resumed: false } });
  });

  it('Aider: its flag when its history is there', () => {
    expect(planConversation({ strategy: aider, previous: null, found: { id: null }, wantNew: false, newId: NEW })).toEqual({
      args: ['--restore-chat-history'],
      after: 'end',
      conversation: { id: null, resumed: true },
    });
  });

  it('a failed resume becomes one new conversation, the failure in its note', () => {
    const failed = planConversation({ strategy: claude, previous: { id: ID, resumed: false }, found: { id: ID }, wantNew: false, newId: NEW });
    const fresh = freshAfterFailedResume(failed, claude, NEW, 'No conversation found with session ID: 1111…');
    expect(fresh.args).toEqual(['--session-id', NEW]);
    expect(fresh.conversation).toEqual({ id: NEW, resumed: false, note: 'resuming conversation 11111111 failed (No conversation found with session ID: 1111…): started a new one' });
  });

  it('reads each agent’s own words for a conversation that is not there', () => {
    expect(resumeFailedOnScreen(AGENT_PRESETS['claude-code'], `\n  No conversation found with session ID: ${ID}\n$ `)).toBe(`No conversation found with session ID: ${ID}`);
    expect(resumeFailedOnScreen(AGENT_PRESETS.codex, 'ERROR: No saved session found with ID abc. Run `codex resume` without an ID to choose from existing sessions.')).toMatch(/^ERROR: No saved session found/);
    expect(resumeFailedOnScreen(AGENT_PRESETS['claude-code'], '╭ Claude Code ╮\n> ')).toBeNull();
  });
});
