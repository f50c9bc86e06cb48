/** Typo suggestions for a name that is not one of the allowed ones: config fields, lanes, enum values. */

/** ` — did you mean "command"?` when one candidate is a likely typo of `input`, else ''. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const normal = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(normal(input), normal(candidate));
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined || best.candidate === input) return '';
  const allowed = Math.max(1, Math.floor(Math.min(input.length, best.candidate.length) / 3));
  if (best.distance <= Math.min(allowed, 3)) return ` — did you mean ${JSON.stringify(best.candidate)}?`;
  // A missing prefix or suffix ("TERM" for "SIGTERM") is too many edits but an obvious intent.
  const containing = normal(input).length >= 3 ? candidates.filter((c) => normal(c).includes(normal(input))) : [];
  return containing.length === 1 ? ` — did you mean ${JSON.stringify(containing[0])}?` : '';
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
