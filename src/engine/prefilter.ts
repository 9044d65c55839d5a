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
 * One pass over the source finds which of all rules' words occur (`WordScanner` below), for
 * ~3% of a parse; one regular expression per rule would cost ~40%.
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

  const scanner = new WordScanner([...words]);

  return {
    admits(source) {
      let found: Uint8Array | undefined;
      const present = (word: string): boolean => {
        found ??= scanner.scan(source);
        return found[scanner.indexOf(word)] === 1;
      };
      return (ruleIndex, family) => {
        const needs = required[ruleIndex]?.[family];
        return !needs || needs.some(present);
      };
    },
  };
}

/**
 * Every word in one pass over a text, case-insensitively: an Aho–Corasick automaton (a trie of
 * the words whose every state knows where to go on every character, falling back along the
 * longest suffix that is still a word's prefix). Overlapping words are all seen (`apikey` inside
 * `xapikeyvault` does not hide `keyvault`). On this benchmark's corpora it reads ~4 MB of Python
 * in ~15 ms, where one regular expression with every word as an alternative took ~90 ms.
 *
 * Characters are folded to lower case one UTF-16 unit at a time (`toLowerCase` of the unit);
 * characters that appear in no word all share one symbol. ASCII is folded by a table built with
 * the automaton; any other unit on first sight, then from a cache (code is mostly ASCII, and
 * folding all 65,536 units up front cost ~25 ms per process, a tenth of a small scan).
 */
export class WordScanner {
  private readonly index = new Map<string, number>();
  private readonly alphabet = new Map<string, number>();
  /** ASCII unit → symbol (0: in no word). */
  private readonly asciiSymbol = new Uint16Array(128);
  /** Other units seen so far → symbol. */
  private readonly otherSymbol = new Map<number, number>();
  private readonly width: number;
  /**
   * state row (state × width) + symbol → the next state's row, bitwise negated (`~row`, so
   * negative) when that state ends a word: the scan's one test per character.
   */
  private readonly delta: Int32Array;
  /** state → the words (indexes) that end there, directly or as a suffix of a longer match */
  private readonly outputs: (readonly number[] | undefined)[] = [];

  constructor(words: readonly string[]) {
    words.forEach((word, i) => this.index.set(word, i));
    const alphabet = this.alphabet;
    for (const word of words) {
      for (let k = 0; k < word.length; k++) if (!alphabet.has(word[k]!)) alphabet.set(word[k]!, alphabet.size + 1);
    }
    for (let unit = 0; unit < 128; unit++) this.asciiSymbol[unit] = this.fold(unit);
    const width = (this.width = alphabet.size + 1);

    // The trie: children[state] maps a symbol to a state.
    const children: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    words.forEach((word, i) => {
      let state = 0;
      for (let k = 0; k < word.length; k++) {
        const symbol = alphabet.get(word[k]!)!;
        let next = children[state]!.get(symbol);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          ends.push([]);
          children[state]!.set(symbol, next);
        }
        state = next;
      }
      ends[state]!.push(i);
    });

    // Breadth first: each state's fallback is known before its children's.
    const next = new Int32Array(children.length * width);
    const fallback = new Int32Array(children.length);
    const queue: number[] = [];
    for (let symbol = 0; symbol < width; symbol++) {
      const child = children[0]!.get(symbol) ?? 0;
      next[symbol] = child;
      if (child !== 0) queue.push(child);
    }
    this.outputs[0] = undefined;
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const back = fallback[state]!;
      const own = ends[state]!;
      const inherited = this.outputs[back];
      this.outputs[state] = own.length || inherited ? [...own, ...(inherited ?? [])] : undefined;
      for (let symbol = 0; symbol < width; symbol++) {
        const child = children[state]!.get(symbol);
        if (child === undefined) {
          next[state * width + symbol] = next[back * width + symbol]!;
        } else {
          next[state * width + symbol] = child;
          fallback[child] = next[back * width + symbol]!;
          queue.push(child);
        }
      }
    }
    // The scan steps by rows, and learns from the sign that it reached the end of a word.
    this.delta = next.map((state) => (this.outputs[state] ? ~(state * width) : state * width));
  }

  /** The symbol of a UTF-16 unit: that of its lower case, when that is one unit and in a word. */
  private fold(unit: number): number {
    const lower = String.fromCharCode(unit).toLowerCase();
    return lower.length === 1 ? (this.alphabet.get(lower) ?? 0) : 0;
  }

  /** A word's index in the result of `scan` (-1 if it is not one of the words). */
  indexOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** found[i] is 1 when the i-th word occurs in the text (lower-cased). */
  scan(text: string): Uint8Array {
    const found = new Uint8Array(this.index.size);
    const { delta, asciiSymbol, width, outputs } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      const step = delta[row + (unit < 128 ? asciiSymbol[unit]! : this.otherSymbolOf(unit))]!;
      if (step >= 0) {
        row = step;
      } else {
        row = ~step;
        const out = outputs[row / width]!;
        for (let k = 0; k < out.length; k++) found[out[k]!] = 1;
      }
    }
    return found;
  }

  private otherSymbolOf(unit: number): number {
    let symbol = this.otherSymbol.get(unit);
    if (symbol === undefined) {
      symbol = this.fold(unit);
      this.otherSymbol.set(unit, symbol);
    }
    return symbol;
  }
}
