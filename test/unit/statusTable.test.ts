import { expect, it } from 'vitest';
import { statusTable } from '../../src/core/views/statusTable.js';

it('aligns columns under a header, one row per worker', () => {
  const table = statusTable([
    { name: 'app-1', lane: 'app', badge: 'running', evidence: 'running since 14:00:00', worktree: '/w/app-1' },
    { name: 'infra-10', lane: 'infra', badge: 'exited 3', evidence: 'exit 3 at 14:02:00', worktree: '/w/infra-10' },
  ]);
  const lines = table.split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^WORKER\s+LANE\s+STATE\s+EVIDENCE\s+WORKTREE$/);
  expect(lines[2]).toMatch(/^infra-10\s+infra\s+exited 3\s+exit 3 at 14:02:00\s+\/w\/infra-10$/);
  // Columns line up: LANE starts where every lane starts.
  const laneAt = lines[0]?.indexOf('LANE');
  expect(lines[1]?.indexOf('app ')).toBe(laneAt);
  expect(lines[2]?.indexOf('infra ')).toBe(laneAt);
});
