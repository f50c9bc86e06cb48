/**
 * Which lane a task goes to when it does not name one (issue 4): the config's routing rules, first
 * match wins, by label or by a whole word of the title; with a single lane, that lane.
 */
import type { RoutingRule } from '../config/config.js';

export function routeLane(task: { title: string; labels: readonly string[] }, rules: readonly RoutingRule[], lanes: readonly string[]): string | null {
  const words = new Set(task.title.toLowerCase().split(/[^\p{L}\p{N}_-]+/u).filter(Boolean));
  for (const rule of rules) {
    if (rule.labels.some((label) => task.labels.includes(label))) return rule.lane;
    if (rule.words.some((word) => words.has(word.toLowerCase()))) return rule.lane;
  }
  return lanes.length === 1 ? (lanes[0] ?? null) : null;
}
