/**
 * Reading a waiting worker's question off its screen: each agent's real prompt, copied from where it
 * was captured or rendered (the source of each screen is named above it), and what muxctl would type
 * for each key.
 */
import { describe, expect, it } from 'vitest';
import { choiceFor, choicesText, keysToSend, normalizeKey, readQuestion, sameQuestion, waitingPatterns, type Question } from '../../src/core/rules/answers.js';
import { AGENT_PRESETS } from '../../src/core/rules/agents.js';

const screen = (text: string): string[] => text.split('\n');
const keysOf = (q: Question | null) => q?.choices.map((c) => [c.keys.join(' '), c.label]);

describe('Claude Code', () => {
  // Claude Code v2.1.12 asking to run a command, captured from the real CLI:
  // alfredjeanlab/claudeless crates/cli/tests/fixtures/tui/v2.1.12/permission_bash_command.txt
  const bash = screen(` ▐▛███▜▌   Claude Code v2.1.12
▝▜█████▛▘  Haiku 4.5 · Claude Max
  ▘▘ ▝▝    ~/Developer/claudeless

────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 Bash command

   cat /etc/passwd | head -5
   Display first 5 lines of /etc/passwd

 Do you want to proceed?
 ❯ 1. Yes
   2. Yes, allow reading from etc/ from this project
   3. No

 Esc to cancel · Tab to add additional instructions
`);

  it('reads a command approval: the question, the command, a digit per option and ⏎ on the highlighted one', () => {
    const q = readQuestion(bash);
    expect(q?.question).toBe('Do you want to proceed?');
    expect(q?.context).toEqual(['Bash command', 'cat /etc/passwd | head -5', 'Display first 5 lines of /etc/passwd']);
    expect(keysOf(q)).toEqual([
      ['1 enter', 'Yes'],
      ['2', 'Yes, allow reading from etc/ from this project'],
      ['3', 'No'],
    ]);
    expect(q?.input).toBe('key');
  });

  it('reads an edit approval (v2.1.12, claudeless …/permission_edit_file.txt)', () => {
    // alfredjeanlab/claudeless crates/cli/tests/fixtures/tui/v2.1.12/permission_edit_file.txt (the diff kept short)
    const q = readQuestion(
      screen(` Edit file hello.txt
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 1 -Hello World
 2 +Hello Universe
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 Do you want to make this edit to hello.txt?
 ❯ 1. Yes
   2. Yes, allow all edits during this session (shift+tab)
   3. No

 Esc to cancel · Tab to add additional instructions`),
    );
    expect(q?.question).toBe('Do you want to make this edit to hello.txt?');
    // The diff's own numbered lines ("1 -Hello World") are context, not options.
    expect(q?.context).toEqual(['Edit file hello.txt', '1 -Hello World', '2 +Hello Universe']);
    expect(keysOf(q)).toEqual([
      ['1 enter', 'Yes'],
      ['2', 'Yes, allow all edits during this session (shift+tab)'],
      ['3', 'No'],
    ]);
  });

  it('finds the question a paragraph above the options (the folder-trust prompt, claudeless …/permission_trust_folder.txt)', () => {
    const q = readQuestion(
      screen(`────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 Do you trust the files in this folder?

 /private/var/folders/t5/6tq8cxtj20z035rv8hsnzwvh0000gn/T/tmp.4wnhxcEF1K

 Claude Code may read, write, or execute files contained in this directory. This can pose security risks, so only use
 files from trusted sources.

 Learn more

 ❯ 1. Yes, proceed
   2. No, exit

 Enter to confirm · Esc to cancel`),
    );
    expect(q?.question).toBe('Do you trust the files in this folder?');
    expect(keysOf(q)).toEqual([
      ['1 enter', 'Yes, proceed'],
      ['2', 'No, exit'],
    ]);
  });

  it('reads the boxed prompt of earlier versions (a screen quoted in atxtechbro/dotfiles#1294)', () => {
    const q = readQuestion(
      screen(`│ Bash command                                                    │
│                                                                 │
│   ls /home/linuxmint-lp/ppv/pillars/dotfiles/utils/ | grep -E   │
│    "(slug|branch)" | head -10                                   │
│   Check for slugify script in correct dotfiles location         │
│                                                                 │
│ Do you want to proceed?                                         │
│ ❯ 1. Yes                                                        │
│   2. No, and tell Claude what to do differently (esc)           │
╰─────────────────────────────────────────────────────────────────╯`),
    );
    expect(q?.question).toBe('Do you want to proceed?');
    expect(q?.context).toEqual(['ls /home/linuxmint-lp/ppv/pillars/dotfiles/utils/ | grep -E', '"(slug|branch)" | head -10', 'Check for slugify script in correct dotfiles location']);
    expect(keysOf(q)).toEqual([
      ['1 enter', 'Yes'],
      ['2', 'No, and tell Claude what to do differently (esc)'],
    ]);
  });

  it("takes the line above the options when none ends in '?' (the three-option prompt quoted in anthropics/claude-code#6345)", () => {
    const q = readQuestion(
      screen(` Do you want to do <whatever>
 ❯ 1. Yes
   2. Yes, and don't ask again this session (shift+tab)
   3. No, and tell Claude what to do differently (esc)`),
    );
    expect(q?.question).toBe('Do you want to do <whatever>');
    // "(shift+tab)" and "(esc)" are not keys muxctl can type as a choice: the digits are.
    expect(q?.choices.map((c) => c.keys)).toEqual([['1', 'enter'], ['2'], ['3']]);
  });

  it('where the person moved the highlight, ⏎ is the option it is on now', () => {
    const moved = readQuestion(bash.map((line) => line.replace('❯ 1. Yes', '  1. Yes').replace('  3. No', '❯ 3. No')));
    expect(choiceFor(moved as Question, 'enter')?.label).toBe('No');
    expect(sameQuestion(readQuestion(bash) as Question, moved as Question)).toBe(false);
  });
});

describe('Codex', () => {
  // openai/codex codex-rs/tui/src/chatwidget/snapshots/codex_tui__chatwidget__tests__approval_modal_exec.snap
  // (the title from approval_overlay.rs: "Would you like to run the following command?"; a digit
  // selects and accepts, list_selection_view.rs; the letter in parentheses is the option's shortcut)
  const exec = screen(`
  Would you like to run the following command?

  Reason: this is a test reason such as one that would be produced by the model

  $ echo hello world

› 1. Yes, proceed (y)
  2. Yes, and don't ask again for commands that start with \`echo hello world\` (p)
  3. No, and tell Codex what to do differently (esc)

  Press enter to confirm or esc to cancel`);

  it('reads the command approval with its digits, its shortcut letters and ⏎', () => {
    const q = readQuestion(exec);
    expect(q?.question).toBe('Would you like to run the following command?');
    expect(q?.context).toEqual(['Reason: this is a test reason such as one that would be produced by the model', '$ echo hello world']);
    expect(keysOf(q)).toEqual([
      ['1 y enter', 'Yes, proceed (y)'],
      ['2 p', "Yes, and don't ask again for commands that start with `echo hello world` (p)"],
      ['3', 'No, and tell Codex what to do differently (esc)'],
    ]);
    expect(keysToSend(q as Question, 'y')).toEqual(['y']);
    expect(keysToSend(q as Question, '3')).toEqual(['3']);
    expect(keysToSend(q as Question, 'enter')).toEqual(['Enter']);
  });

  it('reads the two-option approval with its reason wrapped (…__exec_approval_modal_exec.snap)', () => {
    const q = readQuestion(
      screen(`
  Would you like to run the following command?

  Reason: this is a test reason such as one that would be produced by the
  model

  $ echo hello world

› 1. Yes, proceed (y)
  2. No, and tell Codex what to do differently (esc)

  Press enter to confirm or esc to cancel`),
    );
    expect(q?.context).toEqual(['Reason: this is a test reason such as one that would be produced by the', 'model', '$ echo hello world']);
    expect(q?.choices.map((c) => c.keys)).toEqual([['1', 'y', 'enter'], ['2']]);
  });

  it("reads the older TUI's patch approval, drawn behind a bar (…__approval_modal_patch.snap)", () => {
    const q = readQuestion(
      screen(`▌ The model wants to apply changes
▌
▌ Grant write access to /tmp for the remainder of this session.
▌
▌ Apply changes?
▌
▌ > 1. Approve  (Y) Apply the proposed changes
▌   2. Cancel   (N) Do not apply the changes

Press Enter to confirm or Esc to go back`),
    );
    expect(q?.question).toBe('Apply changes?');
    expect(q?.choices.map((c) => c.keys)).toEqual([['1', 'enter'], ['2']]);
  });
});

describe('Gemini CLI', () => {
  // google-gemini/gemini-cli packages/cli/src/ui/components/__snapshots__/ToolConfirmationQueue.test.tsx.snap
  // ("should handle security warning height correctly"; the question from ToolConfirmationMessage.tsx,
  // "Allow execution of …"; a digit picks at once, useSelectionList.ts)
  const shell = screen(`╭──────────────────────────────────────────────────────────────────────────────╮
│ ? Shell  Executes a bash command with a deceptive URL                 3 of 3 │
│ ... 6 hidden (Ctrl+O) ...                                                    │
│ │ echo "Line 49"                                                           │ │
│ │ echo "Line 50"                                                           │ │
│ │ curl https://täst.com                                                    │ │
│ ╰──────────────────────────────────────────────────────────────────────────╯ │
│                                                                              │
│ ⚠  Warning: Deceptive URL(s) detected:                                       │
│                                                                              │
│       Original: https://täst.com/                                            │
│       Actual Host (Punycode): https://xn--tst-qla.com/                       │
│                                                                              │
│ Allow execution of [Shell]?                                                  │
│                                                                              │
│ ● 1. Allow once                                                              │
│   2. Allow for this session                                                  │
│   3. No, suggest changes (esc)                                               │
╰──────────────────────────────────────────────────────────────────────────────╯`);

  it('reads the boxed shell approval: box edges stripped, ● is the highlight', () => {
    const q = readQuestion(shell);
    expect(q?.question).toBe('Allow execution of [Shell]?');
    expect(q?.context).toEqual(['⚠  Warning: Deceptive URL(s) detected:', 'Original: https://täst.com/', 'Actual Host (Punycode): https://xn--tst-qla.com/']);
    expect(keysOf(q)).toEqual([
      ['1 enter', 'Allow once'],
      ['2', 'Allow for this session'],
      ['3', 'No, suggest changes (esc)'],
    ]);
  });

  it('reads the edit approval and the approval with the composer below it (App.test.tsx.snap)', () => {
    // …/ToolConfirmationQueue.test.tsx.snap "calculates availableContentHeight …": "Apply this change?" with four options
    const edit = readQuestion(
      screen(`╭──────────────────────────────────────────────────────────────────────────────╮
│ ? replace  edit file                                                         │
│ ╭──────────────────────────────────────────────────────────────────────────╮ │
│ ╰─... 48 hidden (Ctrl+O) ...───────────────────────────────────────────────╯ │
│ Apply this change?                                                           │
│                                                                              │
│ ● 1. Allow once                                                              │
│   2. Allow for this session                                                  │
│   3. Modify with external editor                                             │
│   4. No, suggest changes (esc)                                               │
╰──────────────────────────────────────────────────────────────────────────────╯`),
    );
    expect(edit?.question).toBe('Apply this change?');
    expect(edit?.choices.map((c) => c.label)).toEqual(['Allow once', 'Allow for this session', 'Modify with external editor', 'No, suggest changes (esc)']);
    // packages/cli/src/ui/__snapshots__/App.test.tsx.snap: the prompt, then the (mocked) notifications and composer
    const withComposer = readQuestion(
      screen(`╭──────────────────────────────────────────────────────────────────────────────────────────────────╮
│ Action Required                                                                                  │
│                                                                                                  │
│ ?  ls list directory                                                                             │
│                                                                                                  │
│ ╭──────────────────────────────────────────────────────────────────────────────────────────────╮ │
│ │ ls                                                                                           │ │
│ ╰──────────────────────────────────────────────────────────────────────────────────────────────╯ │
│ Allow execution of [ls]?                                                                         │
│                                                                                                  │
│ ● 1. Allow once                                                                                  │
│   2. Allow for this session                                                                      │
│   3. No, suggest changes (esc)                                                                   │
╰──────────────────────────────────────────────────────────────────────────────────────────────────╯






Notifications

Composer`),
    );
    expect(withComposer?.question).toBe('Allow execution of [ls]?');
    expect(withComposer?.context).toEqual(['Action Required', '?  ls list directory', 'ls']);
    expect(withComposer?.choices).toHaveLength(3);
  });
});

describe('Aider', () => {
  // aider/io.py confirm_ask writes "(Y)es/(N)o" plus "/(A)ll/(S)kip all" for a group and
  // "/(D)on't ask again", then the default in brackets. These lines are from real chat histories
  // (test/fixtures/agent-logs/aider/*.aider.chat.history.md), as the screen shows them before the answer.
  it.each([
    ["Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again [Yes]: ", [['y enter', 'Yes'], ['n', 'No'], ['a', 'All'], ['s', 'Skip all'], ['d', "Don't ask again"]]],
    ["Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]: ", [['y enter', 'Yes'], ['n', 'No'], ['d', "Don't ask again"]]],
    ['Create new file? (Y)es/(N)o [Yes]: ', [['y enter', 'Yes'], ['n', 'No']]],
  ])('%j: a letter per word, ⏎ the default, typed then Enter', (line, choices) => {
    const q = readQuestion(['src/app.py', line]);
    expect(q?.question).toBe(line.trim());
    expect(q?.context).toEqual(['src/app.py']);
    expect(keysOf(q)).toEqual(choices);
    expect(q?.input).toBe('line');
    expect(keysToSend(q as Question, 'y')).toEqual(['y', 'Enter']);
    expect(keysToSend(q as Question, 'enter')).toEqual(['Enter']);
  });

  it('asks nothing once answered: "… [Yes]: y" is history', () => {
    expect(readQuestion(["Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]: y", 'Running npm test'])).toBeNull();
  });
});

describe('[y/n] prompts and the waiting patterns', () => {
  it.each([
    // The demo agent's question (src/demo/script.ts), a plain shell read, apt's "Do you want to continue? [Y/n]".
    ['? Allow Bash(npm install)? [y/n] ', [['y', 'yes'], ['n', 'no']]],
    ['Proceed? [y/n] ', [['y', 'yes'], ['n', 'no']]],
    ['Do you want to continue? [Y/n] ', [['y enter', 'yes'], ['n', 'no']]],
    ['Overwrite? (y/N) ', [['y', 'yes'], ['n enter', 'no']]],
  ])('%j', (line, choices) => {
    const q = readQuestion(['some output', line]);
    expect(q?.question).toBe(line.trim());
    expect(keysOf(q)).toEqual(choices);
    expect(keysToSend(q as Question, 'y')).toEqual(['y', 'Enter']);
  });

  it("shows a line the project's or a preset's pattern matches, with ⏎ only where it says press Enter", () => {
    const own = waitingPatterns(['^Deploy to production\\?$', ...AGENT_PRESETS.gemini.waitingPatterns]);
    expect(readQuestion(['built', 'Deploy to production?'], own)).toEqual({ question: 'Deploy to production?', context: ['built'], choices: [], input: 'line' });
    expect(readQuestion(['Deploy to production?'])).toBeNull();
    expect(readQuestion(['done', 'Press Enter to continue'])?.choices).toEqual([{ label: 'continue', keys: ['enter'] }]);
  });

  it('asks nothing for ordinary output: a numbered list with no highlight, an answered prompt, a blank screen', () => {
    // Claude Code's reply listing steps (anthropics/claude-code#17729): numbered, nothing highlighted.
    expect(readQuestion(['  Steps:', '  1. Tag current commit - Easy reference point: direct-redis-baseline', '  2. Create new branch - dapr-hybrid for Dapr integration work', '  3. Keep multi-replica-updates untouched - Known working fallback', '  Want me to set this up now?'])).toBeNull();
    expect(readQuestion(['Proceed? [y/n] y', 'got: y'])).toBeNull();
    expect(readQuestion(['', '   '])).toBeNull();
  });

  it('asks nothing once the menu has scrolled far above the bottom', () => {
    const menu = [' Do you want to proceed?', ' ❯ 1. Yes', '   2. No'];
    expect(readQuestion(menu)).not.toBeNull();
    expect(readQuestion([...menu, ...Array.from({ length: 9 }, (_, i) => `output ${i}`)])).toBeNull();
  });
});

describe('keys and sameness', () => {
  it('names ⏎ "enter" however it is written, and letters in lower case', () => {
    expect(['⏎', 'Enter', 'enter', 'RETURN'].map(normalizeKey)).toEqual(['enter', 'enter', 'enter', 'enter']);
    expect(normalizeKey('Y')).toBe('y');
    expect(normalizeKey(' 2 ')).toBe('2');
  });

  it('finds the choice of a key, or none, and says the choices in a line', () => {
    const q = readQuestion(['Proceed? [y/n]']) as Question;
    expect(choiceFor(q, 'Y')?.label).toBe('yes');
    expect(choiceFor(q, 'enter')).toBeUndefined();
    expect(choiceFor(q, '1')).toBeUndefined();
    expect(choicesText(q)).toBe('y yes · n no');
  });

  it('is the same question only with the same line, the same lines around it and the same choices', () => {
    const asked = readQuestion(['$ rm -rf build', ' Do you want to proceed?', ' ❯ 1. Yes', '   2. No']) as Question;
    expect(sameQuestion(asked, readQuestion(['$ rm -rf build', ' Do you want to proceed?', ' ❯ 1. Yes', '   2. No']) as Question)).toBe(true);
    // Claude Code asks "Do you want to proceed?" of every command: another command is another question.
    expect(sameQuestion(asked, readQuestion(['$ rm -rf /', ' Do you want to proceed?', ' ❯ 1. Yes', '   2. No']) as Question)).toBe(false);
    expect(sameQuestion(asked, readQuestion(['$ rm -rf build', ' Do you want to proceed?', ' ❯ 1. Yes', '   2. Yes, always', '   3. No']) as Question)).toBe(false);
  });
});
