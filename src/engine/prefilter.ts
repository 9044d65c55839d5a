import type { Rule } from './types.js';

/**
 * The per-file rule gate. Most rules have nothing to say about most files: a rule about HTTP
 * timeouts needs an HTTP client in the file, a rule about webhooks needs a webhook. Each rule may
 * declare `requires`, words at least one of which a file must contain (case-insensitively) for
 * the rule to read it; a rule whose words are all absent is not run on that file at all: no
 * query matches are dispatched to it, no `checkFile`/`checkText`. A file no rule reads is not
 * even parsed. This is the literal pre-filter of Semgrep and ripgrep-based linters, done once
 * per file for every rule together.
 *
 * One pass over the source finds which of all rules' words occur: a single regular expression
 * with every word, tried at every position as a lookahead so overlapping words are all seen
 * (`apikey` inside `xapikeyvault` does not hide `keyvault`). Words are tried longest first, so
 * when two words start at the same position the longer one is reported, and a rule whose word
 * is a prefix of it still counts as present (checked by containment below). One pass costs
 * ~5–10% of a parse; one regular expression per rule would cost ~40%.
 */
export interface Prefilter {
  /** Indexes (into the rules it was built from) of the rules that may read this source. */
  admits(source: string): (ruleIndex: number) => boolean;
}

export function compilePrefilter(rules: readonly Rule[]): Prefilter {
  const words = new Set<string>();
  for (const rule of rules) for (const word of rule.requires ?? []) words.add(word.toLowerCase());
  if (words.size === 0) return { admits: () => () => true };

  const sorted = [...words].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const scan = new RegExp(`(?=(${sorted.map(escapeRegExp).join('|')}))`, 'gi');
  const required = rules.map((rule) => rule.requires?.map((w) => w.toLowerCase()));

  return {
    admits(source) {
      const found = new Set<string>();
      scan.lastIndex = 0;
      for (let match = scan.exec(source); match; match = scan.exec(source)) {
        found.add(match[1]!.toLowerCase());
        // A lookahead matches the empty string: step past this position by hand.
        scan.lastIndex = match.index + 1;
      }
      const cache = new Map<number, boolean>();
      return (ruleIndex) => {
        const needs = required[ruleIndex];
        if (!needs) return true;
        let admitted = cache.get(ruleIndex);
        if (admitted === undefined) {
          admitted = needs.some((word) => found.has(word) || [...found].some((f) => f.length > word.length && f.includes(word)));
          cache.set(ruleIndex, admitted);
        }
        return admitted;
      };
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
