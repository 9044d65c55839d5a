import { fileRole } from '../support/file-role.js';
import { replaceNode } from '../support/syntax.js';
import type { FileView, Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * `console.*` in server-side application code. Whether a file is server code is decided by
 * `support/file-role.ts` from its path, its first line and its imports:
 * - server: imports an application framework (express, fastify, koa, NestJS, `next/server`, hono,
 *   BullMQ, the Prisma client, …), or sits where application servers keep code (`api/`,
 *   `routes/`, `handlers/`, `controllers/`, `services/`, `workers/`, `src/server/`, a Next.js
 *   `app/**\/route.ts` or `pages/api/**`, a NestJS `*.controller.ts`/`*.service.ts`);
 * - never flagged: tests, files starting with `#!`, `bin/`, `cli/`, `scripts/`, `*.config.*` and
 *   build files, browser code (`.tsx`/`.jsx`, `'use client'`, `components/`, `public/`, imports
 *   of react/vue, use of `window`/`document`), files importing a CLI toolkit (commander, yargs,
 *   …); these win over the server evidence. Anything else is unknown and not flagged: a library
 *   built on `ioredis` or `ws` has no logger but the console.
 * Inside server code, these are skipped: the `if (require.main === module)` block of a runnable
 * module, dev-only branches (`if (process.env.NODE_ENV !== 'production')`), last words before
 * `process.exit()` (an asynchronous logger would lose them), lines where the team allowed
 * console with ESLint (`eslint-disable-next-line no-console`, an open
 * `/* eslint-disable no-console *\/` block), and logger implementations (`logger.ts`,
 * `*-logger.*`).
 * A project that routes `console.*` into its structured logger at start-up (Budibase does) should
 * turn the rule off in config: one file cannot show that.
 */

const CONSOLE_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table']);
/** The logger method each console method maps to (pino/winston/bunyan share these names). */
const LOGGER_METHOD: Record<string, string> = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug', trace: 'trace' };

const loggerCache = new WeakMap<FileView, boolean>();
const LOGGER_FILE = /(^|\/|[-_.])(logger|logging|log)([-_.][^/]*)?\.[cm]?[jt]sx?$|(^|\/)(logger|logging)\//i;

/** Whether the module has a `logger` in scope: imported, or declared at module level. */
function hasModuleLogger(file: FileView, root: SyntaxNode): boolean {
  let known = loggerCache.get(file);
  if (known === undefined) {
    known = false;
    for (const node of root.namedChildren) {
      if (node.type === 'import_statement') {
        const clause = node.namedChildren.find((c) => c.type === 'import_clause');
        const names = clause ? clause.descendantsOfType('identifier').map((i) => i.text) : [];
        if (names.includes('logger')) known = true;
      } else if (node.type === 'lexical_declaration' || node.type === 'variable_declaration' || node.type === 'export_statement') {
        if (node.descendantsOfType('variable_declarator').some((d) => d.childForFieldName('name')?.text === 'logger')) known = true;
      }
      if (known) break;
    }
    loggerCache.set(file, known);
  }
  return known;
}

/** `if (require.main === module)` / `if (import.meta.url === pathToFileURL(process.argv[1]).href)`. */
function insideMainBlock(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'if_statement') continue;
    const condition = p.childForFieldName('condition')?.text ?? '';
    if (/require\.main\s*===?\s*module|import\.meta\.(url|main)|process\.argv\[1\]/.test(condition)) return true;
  }
  return false;
}

/**
 * The team allowed console here: `// eslint-disable-next-line no-console` on the line above or the
 * same line, or a `/* eslint-disable no-console *\/` block (or a bare `eslint-disable`) still open.
 */
function consoleAllowed(call: SyntaxNode, ctx: RuleContext): boolean {
  const row = call.startPosition.row + 1;
  const near = `${ctx.file.line(row - 1)}\n${ctx.file.line(row)}`;
  if (/eslint-disable(-next-line|-line)?(?![\w-])[^\n]*\bno-console\b/.test(near)) return true;
  const before = ctx.file.source.slice(0, call.startIndex);
  const opened = Math.max(before.lastIndexOf('eslint-disable no-console'), lastBlanketDisable(ctx.file, call.startIndex));
  return opened >= 0 && before.lastIndexOf('eslint-enable') < opened;
}

const blanketCache = new WeakMap<FileView, { start: number; end: number }[]>();

/** Where the last `/* eslint-disable *\/` that ends before `offset` starts, or -1. Found once per file. */
function lastBlanketDisable(file: FileView, offset: number): number {
  let found = blanketCache.get(file);
  if (!found) {
    found = [...file.source.matchAll(/\/\*\s*eslint-disable\s*\*\//g)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
    blanketCache.set(file, found);
  }
  let last = -1;
  for (const m of found) {
    if (m.end > offset) break;
    last = m.start;
  }
  return last;
}

/**
 * `console.error(msg); process.exit(1)`: the last words of a process that is about to die. An
 * asynchronous logger (pino's default) may never flush them; stderr does.
 */
function beforeExit(call: SyntaxNode): boolean {
  let statement: SyntaxNode | null = call;
  while (statement && statement.type !== 'expression_statement') statement = statement.parent;
  for (let next = statement?.nextNamedSibling, i = 0; next && i < 2; next = next.nextNamedSibling, i++) {
    if (/^process\.exit\(|^process\.exitCode\s*=/.test(next.text)) return true;
  }
  return false;
}

/** `if (process.env.NODE_ENV !== 'production')` / `=== 'development'`: dev-only output. */
function insideDevOnlyBranch(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'if_statement') continue;
    const condition = p.childForFieldName('condition')?.text ?? '';
    if (/NODE_ENV\s*!==?\s*['"]production['"]|NODE_ENV\s*===?\s*['"](development|dev|test)['"]|\b(isDev|isDevelopment|__DEV__)\b/.test(condition)) return true;
  }
  return false;
}

function check(match: RuleMatch, ctx: RuleContext): void {
  const { call, object, method, callee } = match.captures;
  if (!call || !object || !method || !callee) return;
  if (object.text !== 'console' || !CONSOLE_METHODS.has(method.text)) return;
  // A logger implementation writes to the console by design.
  if (LOGGER_FILE.test(ctx.file.path)) return;
  const root = call.tree.rootNode;
  const role = fileRole(ctx.file, root);
  if (role.role !== 'server') return;
  if (insideMainBlock(call) || insideDevOnlyBranch(call) || beforeExit(call) || consoleAllowed(call, ctx)) return;

  const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  const target = LOGGER_METHOD[method.text];
  // Only a single argument maps one-to-one: pino reads extra arguments as format values.
  const suggestion = target && args.length === 1 && args[0]!.type !== 'spread_element' && hasModuleLogger(ctx.file, root) ? replaceNode(ctx.file, callee, `logger.${target}`) : undefined;
  ctx.report({
    node: call,
    message: `\`console.${method.text}\` in server code (this file ${role.reason}): it writes an unstructured line with no level, request id or redaction.`,
    ...(suggestion ? { suggestion } : {}),
  });
}

const rule: Rule = {
  meta: {
    id: 'console-logging',
    title: 'console.* in server code',
    severity: 'P2',
    category: 'Observability',
    languages: ['ts'],
    docs: {
      why: "In a server, `console.*` writes plain text to stdout: no level to filter on, no request or tenant id to correlate, no redaction of secrets, and in production it cannot be turned down. When something breaks, these lines are the ones you cannot search. (Files are judged server code by their imports and path; CLIs, scripts, build files, browser code and tests are left alone.)",
      fix: "Use the project's structured logger (pino: `logger.info({ orderId }, 'order paid')`, or `req.log`/`request.log` inside a handler so the request id comes along).",
      example: {
        bad: "app.post('/orders', async (req, res) => {\n  console.log('creating order', req.body.sku);\n});",
        good: "app.post('/orders', async (req, res) => {\n  req.log.info({ sku: req.body.sku }, 'creating order');\n});",
      },
    },
  },
  // Only calls on the identifier `console` are reported: a file without the word has none.
  requires: ['console'],
  ts: {
    query: `(call_expression function: (member_expression object: (identifier) @object property: (property_identifier) @method) @callee) @call`,
    onMatch: check,
  },
};

export default rule;
