/** The plain-text status table that `muxctl status` and a dashboard without a terminal print. */

export interface StatusRow {
  name: string;
  lane: string;
  badge: string;
  evidence: string;
  worktree: string;
}

export function statusTable(rows: readonly StatusRow[]): string {
  const header: StatusRow = { name: 'WORKER', lane: 'LANE', badge: 'STATE', evidence: 'EVIDENCE', worktree: 'WORKTREE' };
  const all = [header, ...rows];
  const width = (key: keyof StatusRow): number => Math.max(...all.map((r) => r[key].length));
  const columns: (keyof StatusRow)[] = ['name', 'lane', 'badge', 'evidence', 'worktree'];
  const widths = columns.map(width);
  return all
    .map((row) =>
      columns
        .map((key, i) => (i === columns.length - 1 ? row[key] : row[key].padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
