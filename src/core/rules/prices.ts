/**
 * What a model's tokens cost, for logs that count tokens but give no dollar figure (Claude Code's
 * transcripts, Codex, Gemini CLI). Public list prices in US dollars per million tokens, for the API
 * (a subscription plan pays otherwise, so the figure is always shown as an estimate). Matched by the
 * model name's prefix, most specific first; a model not in the table is never guessed at.
 *
 * As listed by Anthropic, OpenAI and Google for their APIs when this table was written (2025–26); where a
 * price depends on the prompt's size (Gemini 2.5 Pro above 200k tokens) the smaller prompt's price is used.
 */
import type { LogTokens } from '../parsers/logs/event.js';

/** $ per million tokens: fresh input, output, input read from the cache, input written to it. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

const price = (input: number, output: number, cacheRead: number, cacheWrite = input): ModelPrice => ({ input, output, cacheRead, cacheWrite });

/**
 * Model name → price. Claude names carry a date (claude-sonnet-4-5-20250929); a family is matched only up
 * to a dash or the end, so a newer version (gpt-5.5, claude-opus-4-7) is not priced as an older one.
 */
const TABLE: ReadonlyArray<readonly [RegExp, ModelPrice]> = [
  // Anthropic: a cache write costs 1.25× input (5-minute cache), a read 0.1×.
  [/^claude-opus-4-[56](?:-|$)/, price(5, 25, 0.5, 6.25)],
  [/^claude-opus-4-(?:1(?:-|$)|0(?:-|$)|\d{8}$)/, price(15, 75, 1.5, 18.75)],
  [/^claude-3-opus(?:-|$)/, price(15, 75, 1.5, 18.75)],
  [/^claude-sonnet-4(?:-[56])?(?:-\d{8})?$/, price(3, 15, 0.3, 3.75)],
  [/^claude-3-[57]-sonnet(?:-|$)/, price(3, 15, 0.3, 3.75)],
  [/^claude-haiku-4-5(?:-|$)/, price(1, 5, 0.1, 1.25)],
  [/^claude-3-5-haiku(?:-|$)/, price(0.8, 4, 0.08, 1)],
  [/^claude-3-haiku(?:-|$)/, price(0.25, 1.25, 0.03, 0.3)],
  // OpenAI: cached input is a tenth of input for the GPT-5 family, a quarter for GPT-4.1 and o-series.
  [/^gpt-5(?:\.1)?-mini(?:-|$)/, price(0.25, 2, 0.025)],
  [/^gpt-5-nano(?:-|$)/, price(0.05, 0.4, 0.005)],
  [/^gpt-5(?:\.1)?(?:-|$)/, price(1.25, 10, 0.125)],
  [/^codex-mini(?:-|$)/, price(1.5, 6, 0.375)],
  [/^gpt-4\.1-mini(?:-|$)/, price(0.4, 1.6, 0.1)],
  [/^gpt-4\.1(?:-|$)/, price(2, 8, 0.5)],
  [/^o4-mini(?:-|$)/, price(1.1, 4.4, 0.275)],
  [/^o3(?:-|$)/, price(2, 8, 0.5)],
  // Google: context caching read at a quarter of input.
  [/^gemini-2\.5-pro(?:-|$)/, price(1.25, 10, 0.31)],
  [/^gemini-2\.5-flash-lite(?:-|$)/, price(0.1, 0.4, 0.025)],
  [/^gemini-2\.5-flash(?:-|$)/, price(0.3, 2.5, 0.075)],
  [/^gemini-2\.0-flash(?:-|$)/, price(0.1, 0.4, 0.025)],
];

/** The model's price, or null when the table does not know it. */
export function priceOf(model: string | null | undefined): ModelPrice | null {
  if (model === null || model === undefined) return null;
  const name = model.toLowerCase().replace(/^(?:anthropic|openai|google|models)\//, '');
  for (const [pattern, p] of TABLE) if (pattern.test(name)) return p;
  return null;
}

/** Dollars for `tokens` at `p`. */
export function costOf(tokens: LogTokens, p: ModelPrice): number {
  return (tokens.input * p.input + tokens.output * p.output + (tokens.cacheRead ?? 0) * p.cacheRead + (tokens.cacheWrite ?? 0) * p.cacheWrite) / 1_000_000;
}

/** "$0.42" as the log gives it; "≈$0.42 est." from the table; "≈$0.42+ est." when some tokens were of a model it does not know. */
export function costText(logged: number | null, estimate: { usd: number; partial: boolean } | null): string {
  if (logged !== null) return `$${logged.toFixed(2)}`;
  if (estimate === null) return '';
  // A few tokens round to nothing: "≈$0.00" would read as free.
  const usd = estimate.usd < 0.005 ? '<$0.01' : `≈$${estimate.usd.toFixed(2)}`;
  return `${usd}${estimate.partial ? '+' : ''} est.`;
}
