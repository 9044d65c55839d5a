import { words } from '../support/names.js';
import { numericValue } from '../support/durations.js';
import { hasArgumentList, hasSpread, objectProperty, stringValue, TS_METHOD_CALL } from '../support/syntax.js';
import { chainRoot, parameterNames } from '../support/transactions.js';
import type { Rule, RuleContext, RuleMatch, Severity, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/**
 * Two ways a transaction ends up with no bound on how long it holds its connection and locks:
 * a Prisma interactive transaction that never says how long it may take, and a
 * `SET LOCAL statement_timeout` raised to 30 seconds or more (or to 0, which disables it).
 */

const LONG_STATEMENT_TIMEOUT_SECONDS = 30;
const FACT_CLIENT_DEFAULTS = 'transaction-no-timeout:client-defaults';
const MIGRATION_PATH = /(^|\/)(migrations?|alembic|versions|db\/migrate|seeds?)\//;
const FUNCTION_NODES = new Set(['arrow_function', 'function_expression', 'function']);

// ---------------------------------------------------------------------------------------------
// Prisma interactive transactions

function checkPrismaTransaction(call: SyntaxNode, ctx: RuleContext): void {
  const callee = call.childForFieldName('function')!;
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  const callback = args[0];
  // `$transaction([…])` is a batch: Prisma runs it as one round trip, there is no callback to wait on.
  if (!callback || !FUNCTION_NODES.has(callback.type)) return;
  const options = args[1];
  if (options && (options.type !== 'object' || hasSpread(options))) return; // an options variable: assume it carries them
  if (options && (objectProperty(options, 'timeout') || objectProperty(options, 'maxWait'))) return;
  if (/\btransactionOptions\s*:/.test(ctx.file.source)) return; // the client in this file sets defaults

  const forgotten = transactionTimeoutConstant(call.tree.rootNode);
  // Prisma bounds an interactive transaction by default (maxWait 2 s, timeout 5 s): a couple of
  // writes on the handle are fine with that. The risk is work whose length grows with the data
  // or depends on something else: awaits in a loop, awaited calls that are not on the handle.
  const slow = slowWork(callback);
  if (!forgotten && !slow) return;
  const severity: Severity | undefined = forgotten ? 'P0' : undefined;
  const timeoutValue = forgotten && !/wait/i.test(forgotten) ? forgotten : '10_000';
  const waitValue = forgotten && /wait/i.test(forgotten) ? forgotten : '5_000';
  const message = forgotten
    ? `\`${ctx.text(callee)}(…)\` (line ${callee.startPosition.row + 1}) passes no \`timeout\` although this file defines \`${forgotten}\` for it: the transaction runs with Prisma's implicit defaults instead of the limit the code meant to set.`
    : `\`${ctx.text(callee)}(…)\` (line ${callee.startPosition.row + 1}) is an interactive transaction with no \`timeout\`/\`maxWait\` around ${slow}: its length grows with the data, so it either holds its connection and locks that long or is killed half-way by Prisma's implicit 5 s default.`;
  ctx.report({
    node: callee,
    message,
    ...(severity ? { severity } : {}),
    ...suggestionFor(ctx, callback, options, `timeout: ${timeoutValue}, maxWait: ${waitValue}`),
    when: (facts) => !facts.has(FACT_CLIENT_DEFAULTS, 'prisma'),
  });
}

const LOOPS = new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement']);
const ITERATORS = new Set(['map', 'forEach', 'flatMap', 'reduce', 'all', 'allSettled']);
const NESTED_FUNCTIONS = new Set(['arrow_function', 'function_expression', 'function', 'function_declaration', 'method_definition']);

/** What in the callback makes its length open-ended: "awaits in a loop" or "`fetchRates(…)`". */
function slowWork(callback: SyntaxNode): string | undefined {
  const handles = new Set(parameterNames(callback));
  const body = callback.childForFieldName('body');
  if (!body) return undefined;
  for (const node of body.descendantsOfType('await_expression')) {
    for (let p = node.parent; p && p.startIndex >= body.startIndex && !(p.startIndex === callback.startIndex && p.endIndex === callback.endIndex); p = p.parent) {
      if (LOOPS.has(p.type)) return 'awaits in a loop';
      if (NESTED_FUNCTIONS.has(p.type) && p.parent?.type === 'arguments') {
        const method = p.parent.parent?.childForFieldName('function')?.childForFieldName('property')?.text;
        if (method && ITERATORS.has(method)) return 'awaits for each item';
      }
    }
    const awaited = node.namedChild(0);
    if (awaited?.type !== 'call_expression') continue;
    const root = chainRoot(awaited);
    if (root.type === 'identifier' && (handles.has(root.text) || root.text === 'Promise')) continue;
    // A helper handed the handle runs its queries through it: `await nextInvoiceNumber(tx)`.
    if (awaited.childForFieldName('arguments')?.namedChildren.some((a) => a.type === 'identifier' && handles.has(a.text))) continue;
    return `\`${awaited.childForFieldName('function')?.text.replace(/\s+/g, '') ?? 'a call'}(…)\``;
  }
  return undefined;
}

/**
 * A suggestion on the line that closes the callback: `}, { timeout: 10_000, maxWait: 5_000 });`,
 * or the options object completed when it sits on one line. Only for lines the PR changed, since
 * GitHub cannot suggest on lines outside the diff.
 */
function suggestionFor(ctx: RuleContext, callback: SyntaxNode, options: SyntaxNode | undefined, entries: string): { suggestion?: Suggestion } {
  if (options) {
    if (options.startPosition.row !== options.endPosition.row || !ctx.file.isChangedLine(options.startPosition.row + 1)) return {};
    const inner = ctx.text(options).slice(1, -1).trim().replace(/,$/, '');
    return { suggestion: replaceOnLine(ctx, options, inner ? `{ ${inner}, ${entries} }` : `{ ${entries} }`) };
  }
  const closing = callback.endPosition.row + 1;
  if (!ctx.file.isChangedLine(closing)) return {};
  const line = ctx.file.line(closing);
  const column = callback.endPosition.column;
  return { suggestion: { startLine: closing, endLine: closing, replacement: `${line.slice(0, column)}, { ${entries} }${line.slice(column)}`.replace(/\r$/, '') } };
}

function replaceOnLine(ctx: RuleContext, node: SyntaxNode, replacement: string): Suggestion {
  const row = node.startPosition.row + 1;
  const line = ctx.file.line(row);
  return { startLine: row, endLine: row, replacement: `${line.slice(0, node.startPosition.column)}${replacement}${line.slice(node.endPosition.column)}`.replace(/\r$/, '') };
}

/**
 * A module constant named for a transaction timeout (`TX_TIMEOUT_MS`, `transactionTimeout`,
 * `TRANSACTION_MAX_WAIT`): the author meant to bound transactions and this call does not pass
 * it. Returns the constant's name.
 */
function transactionTimeoutConstant(root: SyntaxNode): string | undefined {
  for (const statement of root.namedChildren) {
    const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
    if (declaration?.type !== 'lexical_declaration' && declaration?.type !== 'variable_declaration') continue;
    for (const declarator of declaration.namedChildren) {
      const name = declarator.childForFieldName('name');
      if (name?.type !== 'identifier' || !isTransactionTimeoutName(name.text)) continue;
      if (numericValue(declarator.childForFieldName('value')) !== undefined) return name.text;
    }
  }
  return undefined;
}

const TRANSACTION_WORDS = new Set(['tx', 'txn', 'trx', 'transaction', 'transactions', 'interactive']);

function isTransactionTimeoutName(name: string): boolean {
  const ws = words(name);
  const isTimeout = ws.includes('timeout') || (ws.includes('max') && ws.includes('wait')) || ws.includes('maxwait');
  return isTimeout && ws.some((w) => TRANSACTION_WORDS.has(w));
}

// ---------------------------------------------------------------------------------------------
// SET LOCAL statement_timeout

/** `SET LOCAL statement_timeout = 60000`, `SET LOCAL statement_timeout TO '2min'`, `set_config('statement_timeout', '60s', true)`. */
const SET_LOCAL = /\bset\s+local\s+statement_timeout\s*(?:=|\bto\b)\s*'?\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*'?/i;
const SET_CONFIG = /\bset_config\s*\(\s*'statement_timeout'\s*,\s*'(\d+(?:\.\d+)?)\s*([a-z]*)'\s*,\s*true\s*\)/i;

/** PostgreSQL's time units; a bare number is milliseconds. */
const PG_UNIT_SECONDS: Record<string, number> = { '': 0.001, us: 0.000001, ms: 0.001, s: 1, min: 60, h: 3600, d: 86400 };

function statementTimeoutSeconds(sql: string): { seconds: number; text: string } | undefined {
  const m = SET_LOCAL.exec(sql) ?? SET_CONFIG.exec(sql);
  if (!m) return undefined;
  const factor = PG_UNIT_SECONDS[m[2]!.toLowerCase()];
  if (factor === undefined) return undefined;
  return { seconds: Number(m[1]) * factor, text: m[0].trim() };
}

function checkStatementTimeout(node: SyntaxNode, ctx: RuleContext): void {
  if (MIGRATION_PATH.test(ctx.file.path)) return; // a migration may need long statements on purpose
  if (node.parent?.type === 'expression_statement') return; // a docstring describing it
  const sql = sqlText(node, ctx);
  if (sql === undefined || !/statement_timeout/i.test(sql)) return;
  const found = statementTimeoutSeconds(sql);
  if (!found) return;
  if (found.seconds === 0) {
    ctx.report({ node, message: `\`${found.text}\` switches the statement timeout off for this transaction: one slow query can hold its connection and locks indefinitely.` });
  } else if (found.seconds >= LONG_STATEMENT_TIMEOUT_SECONDS) {
    ctx.report({
      node,
      message: `\`${found.text}\` lets each statement of this transaction run for ${describe(found.seconds)} while holding its connection and locks; request-path transactions should fail fast (a few seconds).`,
    });
  }
}

function describe(seconds: number): string {
  if (seconds >= 3600) return `${+(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 60) return `${+(seconds / 60).toFixed(1)} min`;
  return `${+seconds.toFixed(1)} s`;
}

/**
 * The text of a string literal; an interpolated one (`${TIMEOUT_MS}`, `{timeout_ms}`) with its
 * numeric constants filled in when the file defines them.
 */
function sqlText(node: SyntaxNode, ctx: RuleContext): string | undefined {
  const plain = stringValue(node);
  if (plain !== undefined) return plain;
  if (!/statement_timeout/i.test(ctx.text(node))) return undefined;
  let out = '';
  for (const child of node.children) {
    if (child.type === 'template_substitution' || child.type === 'interpolation') {
      const expression = child.namedChildren.find((c) => c.type !== 'comment' && c.type !== 'format_specifier');
      const value = numericValue(expression, (name) => constantValue(node.tree.rootNode, name));
      if (value === undefined) return undefined;
      out += String(value);
    } else if (child.type === 'string_fragment' || child.type === 'string_content' || child.type === 'escape_sequence') {
      out += child.text;
    }
  }
  return out;
}

/** A module-level constant's value node: `const TIMEOUT_MS = 60_000`, `TIMEOUT_MS = 60_000`. */
function constantValue(root: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const statement of root.namedChildren) {
    const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
    if (declaration?.type === 'lexical_declaration' || declaration?.type === 'variable_declaration') {
      for (const d of declaration.namedChildren) if (d.childForFieldName('name')?.text === name) return d.childForFieldName('value') ?? undefined;
    }
    if (declaration?.type === 'expression_statement') {
      const assignment = declaration.namedChild(0);
      if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.text === name) return assignment.childForFieldName('right') ?? undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

const rule: Rule = {
  meta: {
    id: 'transaction-no-timeout',
    title: 'Transaction without a timeout',
    severity: 'P1',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: 'A transaction keeps a pooled connection and its row locks until it ends. An interactive transaction that loops over rows or waits on other work has a length that grows with the data: left to Prisma\'s implicit defaults (5 s) it starts failing half-way once the data grows, and with the limit simply raised it holds locks while other requests queue behind them. A statement timeout of 30 s or more (or 0) on a request path lets one slow query do the same.',
      fix: 'Give interactive transactions an explicit bound sized to the work, e.g. `prisma.$transaction(fn, { timeout: 10_000, maxWait: 5_000 })` (or `transactionOptions` on the client), and keep `SET LOCAL statement_timeout` to a few seconds on request paths; move genuinely long work to a background job.',
      example: {
        bad: 'await prisma.$transaction(async (tx) => {\n  await tx.account.update({ where: { id }, data: { balance: { decrement: amount } } });\n});',
        good: 'await prisma.$transaction(async (tx) => {\n  await tx.account.update({ where: { id }, data: { balance: { decrement: amount } } });\n}, { timeout: 10_000, maxWait: 5_000 });',
      },
    },
  },
  // Every finding needs one of these spelled out in the file: the `$transaction` method it reports
  // on, or `statement_timeout` in the SQL string it reads (raw text, never assembled from pieces);
  // the client-defaults fact needs `transactionOptions`.
  requires: ['$transaction', 'statement_timeout', 'transactionoptions'],
  ts: {
    // Written as other rules write these shapes (every member call with its parts captured, one
    // pattern per string type), so the engine matches each shape once for all of them.
    query: `
      ${TS_METHOD_CALL} @call
      (string) @sql
      (template_string) @sql`,
    onMatch(match: RuleMatch, ctx: RuleContext) {
      // The method-call shape takes tagged templates too: only calls with an argument list are read.
      if (match.captures.args && !hasArgumentList(match.captures)) return;
      const { call, method, sql } = match.captures;
      if (call && method?.text === '$transaction') checkPrismaTransaction(call, ctx);
      if (sql) checkStatementTimeout(sql, ctx);
    },
  },
  py: {
    query: `(string) @sql`,
    onMatch(match: RuleMatch, ctx: RuleContext) {
      checkStatementTimeout(match.captures.sql!, ctx);
    },
  },
  checkFile(ctx) {
    // `new PrismaClient({ transactionOptions: { timeout, maxWait } })` anywhere in the change sets defaults for every call.
    if (ctx.file.language !== 'python' && /\btransactionOptions\s*:\s*\{[^}]*\b(timeout|maxWait)\b/.test(ctx.file.source)) {
      ctx.facts.add(FACT_CLIENT_DEFAULTS, 'prisma');
    }
  },
};

export default rule;
