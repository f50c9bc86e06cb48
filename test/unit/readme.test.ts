/** The README says where things are as the code keeps them (the key table has its own check). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('the README', () => {
  it('says control events live in the board database, not in an events.jsonl that no longer exists', () => {
    expect(README).not.toMatch(/\.muxctl\/events\.jsonl/);
    expect(README).toMatch(/recorded, with who asked and why, in the board's history in\s+`\.muxctl\/state\.db`/);
  });
});
