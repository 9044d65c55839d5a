import type { RequiredWords, Rule, RuleLanguage, RuleOptions, WordFamily } from './types.js';

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
 * with every word, restarted one character after each match so overlapping words are all seen
 * (`apikey` inside `xapikeyvault` does not hide `keyvault`). Words are tried longest first, so
 * when two words start at the same position the longer one is reported, and a rule whose word
 * is inside it still counts as present (the `containing` table below). One pass costs ~5–10%
 * of a parse; one regular expression per rule would cost ~40%.
 */
export interface Prefilter {
  /** Whether a rule (an index into the rules it was built from) may read this source. */
  admits(source: string): (ruleIndex: number, family: WordFamily) => boolean;
}

/** The words a rule requires of a file of one family, or undefined when it is not gated there. */
function wordsFor(rule: Rule, family: WordFamily, options: RuleOptions | undefined): readonly string[] | undefined {
  const requires = rule.requires;
  if (!requires) return undefined;
  const own = isWordList(requires) ? requires : requires[family];
  if (!own) return undefined;
  const configured = options && rule.requiresFromOptions ? rule.requiresFromOptions(options) : [];
  return [...own, ...configured].map((w) => w.toLowerCase()).filter((w) => w.length > 0);
}

function isWordList(requires: readonly string[] | RequiredWords): requires is readonly string[] {
  return Array.isArray(requires);
}

const FAMILIES: readonly WordFamily[] = ['ts', 'py', 'text'];

/** Which of a rule's word lists applies to a file of this rule language. */
export function wordFamilyOf(language: RuleLanguage): WordFamily {
  return language === 'ts' || language === 'py' ? language : 'text';
}

/** `options`: the audit's rule options, for rules whose words come from config. */
export function compilePrefilter(rules: readonly Rule[], options?: RuleOptions): Prefilter {
  const required = rules.map((rule) => Object.fromEntries(FAMILIES.map((family) => [family, wordsFor(rule, family, options)])) as Record<WordFamily, readonly string[] | undefined>);
  const words = new Set<string>(required.flatMap((byFamily) => FAMILIES.flatMap((family) => byFamily[family] ?? [])));
  if (words.size === 0) return { admits: () => () => true };

  const sorted = [...words].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  // The source is lower-cased once: a case-sensitive scan of the copy is faster than a
  // case-insensitive one of the original.
  const scan = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  // The longer words that contain each word: where one of them is found, so is the word.
  const containing = new Map(sorted.map((word) => [word, sorted.filter((other) => other.length > word.length && other.includes(word))]));

  return {
    admits(source) {
      let found: Set<string> | undefined;
      const present = (word: string): boolean => {
        if (!found) {
          found = new Set<string>();
          const lower = source.toLowerCase();
          scan.lastIndex = 0;
          for (let match = scan.exec(lower); match; match = scan.exec(lower)) {
            found.add(match[0]);
            // Overlapping words: the next match may start inside this one.
            scan.lastIndex = match.index + 1;
          }
        }
        if (found.has(word)) return true;
        for (const longer of containing.get(word) ?? []) if (found.has(longer)) return true;
        return false;
      };
      return (ruleIndex, family) => {
        const needs = required[ruleIndex]?.[family];
        return !needs || needs.some(present);
      };
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
