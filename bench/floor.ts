import type ParserModule from 'tree-sitter';
import { grammarFor, isSyntaxLanguage, languageForPath, parse, Parser } from '../src/engine/languages.js';
import type { SyntaxLanguage } from '../src/engine/types.js';
import type { CorpusFile } from './corpus.js';
import { maxRssKb, passes, time, type Measurement } from './measure.js';
import { twentyPatternQuery } from './patterns.js';

/**
 * The floor: what any tree-sitter auditor pays before a single rule runs. The same parser
 * setup as the engine (one parser per grammar, JS/JSX parsed with TSX).
 */

interface Parsed {
  readonly language: SyntaxLanguage;
  readonly content: string;
}

function syntaxFiles(files: readonly CorpusFile[]): Parsed[] {
  const out: Parsed[] = [];
  for (const f of files) {
    const language = languageForPath(f.path);
    if (language && isSyntaxLanguage(language)) out.push({ language, content: f.content });
  }
  return out;
}

const bytesOf = (files: readonly CorpusFile[]): number => files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);

export function parseFloor(files: readonly CorpusFile[], count: number): Measurement {
  const parsed = syntaxFiles(files);
  const pass = (subset: readonly Parsed[]) => () => {
    for (const f of subset) parse(f.language, f.content);
  };
  const { runs, cpu } = passes(count, pass(parsed.slice(0, 30)), pass(parsed));
  return { mode: 'parse', files: parsed.length, bytes: bytesOf(files), runs, cpu, maxRssKb: maxRssKb() };
}

export function parseAndQueryFloor(files: readonly CorpusFile[], count: number): Measurement {
  const parsed = syntaxFiles(files);
  const queries = new Map<SyntaxLanguage, ParserModule.Query>();
  const compileMs = time(() => {
    for (const language of new Set(parsed.map((f) => f.language))) {
      queries.set(language, new Parser.Query(grammarFor(language), twentyPatternQuery(language)));
    }
  });
  let matches = 0;
  let captures = 0;
  const pass = (subset: readonly Parsed[]) => () => {
    matches = 0;
    captures = 0;
    for (const f of subset) {
      const tree = parse(f.language, f.content);
      for (const match of queries.get(f.language)!.matches(tree.rootNode)) {
        matches++;
        // Touch the captured nodes, as a rule's onMatch would.
        for (const c of match.captures) captures += c.node.startIndex >= 0 ? 1 : 0;
      }
    }
  };
  const { runs, cpu } = passes(count, pass(parsed.slice(0, 30)), pass(parsed));
  return {
    mode: 'query',
    files: parsed.length,
    bytes: bytesOf(files),
    runs,
    cpu,
    setup: { 'query compile': compileMs },
    maxRssKb: maxRssKb(),
    counts: { matches, captures },
  };
}
