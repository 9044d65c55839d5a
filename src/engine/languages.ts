import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type ParserModule from 'tree-sitter';
import { installNodeNavigation } from './nodes.js';
import type { Language, RuleLanguage, SyntaxLanguage } from './types.js';

/*
 * The native grammars are loaded with Node's own `require`, not through the importing module
 * system: a native addon initialises once per process, and a host that evaluates modules afresh
 * (Jest does, once per test file) would otherwise hand the addon a second set of JS classes and
 * break every tree made after the first. Node's require cache keeps one instance for everyone.
 */
const nodeModule = process.getBuiltinModule?.('node:module') ?? { createRequire };
const load = nodeModule.createRequire(import.meta.url);
export const Parser = load('tree-sitter') as typeof ParserModule;
const TypeScript = load('tree-sitter-typescript') as { typescript: unknown; tsx: unknown };
const Python = load('tree-sitter-python') as unknown;

type Grammar = ParserModule.Language;

/*
 * `node.type` without a native call. The bindings give each named node type a JS subclass and
 * mean to put the type's name on its prototype, but the assignment lands on SyntaxNode's
 * getter-only `type` and is silently dropped, so every `node.type` crosses into C++ (~10% of
 * an audit's CPU in a profile on Django). Here every type id gets its own subclass with the name
 * as a plain value. Node type ids and names come from the grammar itself; a test checks the
 * names against the native getter on real trees.
 */
const bindingsEntry = load.resolve('tree-sitter');
export const nativeBinding = nodeModule.createRequire(bindingsEntry)('node-gyp-build')(dirname(bindingsEntry)) as {
  getNodeTypeNamesById(language: unknown): (string | null)[];
  /** Where the native side writes the nodes it returns: six numbers per node. */
  readonly nodeTransferArray: ArrayLike<number>;
};

interface NodeClasses {
  nodeSubclasses?: (new (...args: unknown[]) => ParserModule.SyntaxNode)[];
  shipgateTyped?: boolean;
}

/*
 * `node.startIndex` and `node.startPosition` without a native call, for the same reason: a node
 * object already holds its start (the fields the bindings copy from the native node: id, id,
 * start byte, start row, start column in bytes, alias), and the native getters only halve the
 * byte counts (sources are parsed as UTF-16). Rules call these on every match. A test compares
 * them with the native getters on real trees.
 */
{
  const prototype = (Parser as unknown as { SyntaxNode: { prototype: object } }).SyntaxNode.prototype;
  Object.defineProperty(prototype, 'startIndex', {
    configurable: true,
    get(this: { [field: number]: number }) {
      return this[2]! >>> 1;
    },
  });
  Object.defineProperty(prototype, 'startPosition', {
    configurable: true,
    get(this: { [field: number]: number }) {
      return { row: this[3]!, column: this[4]! >>> 1 };
    },
  });
}

/** Node-returning methods without the bindings' per-node bookkeeping (see nodes.ts). */
export const nodeReader = installNodeNavigation(
  nativeBinding as unknown as Parameters<typeof installNodeNavigation>[0],
  (Parser as unknown as { SyntaxNode: Parameters<typeof installNodeNavigation>[1] }).SyntaxNode,
);

function giveNodeClassesTheirType(grammar: Grammar): void {
  const language = grammar as unknown as NodeClasses;
  if (language.shipgateTyped || !language.nodeSubclasses) return;
  const names = nativeBinding.getNodeTypeNamesById(grammar);
  const SyntaxNode = (Parser as unknown as { SyntaxNode: new (...args: unknown[]) => ParserModule.SyntaxNode }).SyntaxNode;
  const classes = language.nodeSubclasses;
  for (let id = 0; id < names.length; id++) {
    const name = names[id];
    if (!name) continue;
    let nodeClass = classes[id];
    if (!nodeClass) continue;
    if (nodeClass === SyntaxNode) {
      nodeClass = class extends SyntaxNode {};
      classes[id] = nodeClass;
    }
    Object.defineProperty(nodeClass.prototype, 'type', { value: name, configurable: true, enumerable: false, writable: false });
  }
  language.shipgateTyped = true;
}

const GRAMMARS: Record<SyntaxLanguage, () => Grammar> = {
  typescript: () => TypeScript.typescript as Grammar,
  // JavaScript and JSX are parsed with the TSX grammar: TS is a superset, and one grammar fewer
  // means one query compilation fewer at start-up.
  tsx: () => TypeScript.tsx as Grammar,
  python: () => Python as Grammar,
};

export function grammarFor(language: SyntaxLanguage): Grammar {
  return GRAMMARS[language]();
}

export function isSyntaxLanguage(language: Language): language is SyntaxLanguage {
  return language === 'typescript' || language === 'tsx' || language === 'python';
}

/** Which rule language family a file language belongs to. */
export function ruleLanguageOf(language: Language): RuleLanguage {
  if (language === 'typescript' || language === 'tsx') return 'ts';
  if (language === 'python') return 'py';
  return language;
}

const BY_EXTENSION: Record<string, Language> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'tsx',
  '.jsx': 'tsx',
  '.mjs': 'tsx',
  '.cjs': 'tsx',
  '.py': 'python',
  '.pyi': 'python',
  '.yml': 'yaml',
  '.yaml': 'yaml',
  '.json': 'json',
  '.toml': 'toml',
  '.prisma': 'prisma',
  '.sql': 'sql',
};

/** Lockfiles are machine-written and full of hashes: no rule has anything to say about them. */
const LOCKFILES = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'poetry.lock', 'pipfile.lock', 'uv.lock', 'composer.lock', 'cargo.lock']);

/** The language of a path, or undefined when no rule reads files of that kind. */
export function languageForPath(path: string): Language | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const lower = name.toLowerCase();
  if (lower.endsWith('.d.ts') || LOCKFILES.has(lower)) return undefined;
  if (lower === 'dockerfile' || lower.startsWith('dockerfile.') || lower.endsWith('.dockerfile') || lower === 'containerfile') {
    return 'dockerfile';
  }
  if (lower === '.env' || lower.startsWith('.env.') || lower.endsWith('.env')) return 'env';
  const dot = lower.lastIndexOf('.');
  if (dot < 0) return undefined;
  return BY_EXTENSION[lower.slice(dot)];
}

/**
 * One parser per language for the whole process: parsers are cheap to keep and costly to make.
 * Not shared across worker threads (tree-sitter parsers are not thread-safe).
 */
const parsers = new Map<SyntaxLanguage, ParserModule>();

export function parse(language: SyntaxLanguage, source: string): ParserModule.Tree {
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(grammarFor(language));
    giveNodeClassesTheirType(grammarFor(language));
    parsers.set(language, parser);
  }
  return parser.parse(source);
}
