import { isServerCode } from '../support/file-role.js';
import { words } from '../support/names.js';
import { ancestor, calleeName, enclosingFunction, lastSegment, replaceNode } from '../support/syntax.js';
import type { FileView, Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * An error handler that does nothing: `catch {}`, `.catch(() => {})`, `except Exception: pass`,
 * around work whose failure matters. The failure disappears: no log line, no metric, no retry,
 * and the request answers success for a write, an email or a charge that never happened.
 *
 * What is reported, for precision (measured on real code, see docs/precision.md):
 * - Only in server code (request handlers, services, workers, by `support/file-role.ts`). In a
 *   script, a CLI or a build tool a swallowed error is seen by whoever runs it; in browser code
 *   it costs a console line.
 * - Only around operational work: a call whose name says write/send/pay/remote
 *   (`update`, `save`, `create`, `delete`, `send*`, `post`, `publish`, `charge`, `refund`,
 *   `notify`, `upload`, `fetch`, `sync*`, `commit`, `execute`, `query`, …) or a call on an I/O
 *   client (`axios`, `requests`, `prisma`, `knex`, `db`, `*Queue`, `redis`, `stripe`, `s3`).
 *   Empty handlers around probes, parsing and formatting are a style question, not an incident.
 * - Only empty bodies (`{}`, `pass`, `...`). A body that returns a default or `continue`s is a
 *   decision in code.
 * - Python: only bare `except:`, `except Exception`, `except BaseException`. A named exception
 *   with `pass` is the idiom for "this one is expected" (`except KeyError: pass` after a `del`,
 *   `except ImportError: pass`, `StopIteration`). `contextlib.suppress(...)` names what it
 *   ignores on purpose and is never flagged.
 * - `.catch(() => {})` only on a promise dropped right there (`sendMail(...).catch(() => {})`);
 *   a promise kept in a variable or field is marked handled for whoever awaits it later.
 *
 * Not reported:
 * - a comment in or right above the handler (`// best effort: the cache is optional`), lint
 *   acknowledgements included (`// eslint-disable-next-line no-empty`, `# noqa: S110`); a bare
 *   `TODO`/`FIXME`, `# pragma: no cover` or `# type: ignore` is not an explanation;
 * - cleanup: handlers inside `finally`, inside another handler (the original error is being dealt
 *   with), in shutdown/close/error-handler functions and `__del__`, and around try bodies made
 *   only of cleanup calls (`close`, `release`, `unlink`, `disconnect`, `quit`, `rollback*`, …);
 * - optional dependencies: try bodies that `require()`, `import()` or `import` a module;
 * - fallbacks: the try returns its result and the code after it returns a default, or assigns a
 *   value that the next statements check, return or default (`obj || {}`); Python
 *   `try/except/else`;
 * - module-level handlers (feature detection at import time).
 */

/** Method names whose failure during cleanup is fine to ignore. */
const CLEANUP_CALL =
  /^(close|end|destroy|dispose|release|disconnect|\$disconnect|quit|kill|terminate|abort|cancel|unref|unlink|rm|rmdir|removeSync|removeListener|removeAllListeners|off|unsubscribe|clearTimeout|clearInterval|stop|shutdown|clean[uU]p|rollback|unwatch|rmtree|chmod|setRawMode|os\.remove|os\.unlink|os\.rmdir|shutil\.rmtree)([A-Z_]\w*)?$/;

/** Calls that load an optional dependency: failing means "not installed". */
const OPTIONAL_LOAD = /^(require|require\.resolve|import)$/;

/** Comments that are markers rather than an explanation. */
const NOT_AN_EXPLANATION = /^(\/\/+|\/\*+|#+)\s*(\*\/)?$|^(\/\/+|\/\*+|#+)\s*(todo|fixme|xxx)\b|^#\s*(pragma:\s*no\s*cover|type:\s*ignore)\b[^a-z]*$/i;

const BROAD_EXCEPTIONS = new Set(['Exception', 'BaseException', 'builtins.Exception', 'builtins.BaseException']);

function explains(comments: readonly SyntaxNode[]): boolean {
  return comments.some((c) => !NOT_AN_EXPLANATION.test(c.text.trim()));
}

function insideFinally(node: SyntaxNode): boolean {
  return ancestor(node, ['finally_clause'], ['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition']) !== undefined;
}

/** The call a statement makes, through `await` and `void`: `await client.close()` → the call. */
function statementCall(statement: SyntaxNode): SyntaxNode | undefined {
  if (statement.type !== 'expression_statement') return undefined;
  let expr = statement.namedChild(0);
  while (expr && ['await_expression', 'await', 'unary_expression', 'parenthesized_expression'].includes(expr.type)) expr = expr.namedChild(expr.namedChildCount - 1);
  if (!expr) return undefined;
  if (expr.type === 'call_expression' || expr.type === 'call') return expr;
  // `import ujson` in a Python try body is an optional dependency load too.
  return undefined;
}

/** A call that only cleans up, or only loads an optional module. */
function isCleanupCall(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function');
  // `await import('sharp')`
  if (fn?.type === 'import') return true;
  const name = calleeName(call);
  if (!name) {
    // `fs.promises.unlink(tmp).catch(...)`'s receiver, or `client.close().then(...)`.
    const property = fn?.childForFieldName('property') ?? fn?.childForFieldName('attribute');
    return !!property && CLEANUP_CALL.test(property.text);
  }
  return CLEANUP_CALL.test(lastSegment(name)!) || CLEANUP_CALL.test(name) || OPTIONAL_LOAD.test(name);
}

/**
 * Words in a callee that name an operation whose failure matters: a write, a send, a payment, a
 * remote call. `stripe.refunds.create`, `mailer.sendMail`, `pushToQuickbooks`, `db.commit`.
 */
const OPERATIONAL_WORDS = new Set([
  'send', 'post', 'put', 'patch', 'save', 'create', 'update', 'upsert', 'delete', 'commit', 'execute', 'query',
  'publish', 'enqueue', 'charge', 'refund', 'capture', 'pay', 'notify', 'email', 'mail', 'upload', 'deliver', 'dispatch',
  'persist', 'submit', 'transfer', 'fetch', 'delay', 'webhook', 'invoice', 'provision', 'sendmail',
]);
/** Verbs that are operational only at the head of a name: `syncCustomer`, not `readFileSync`. */
const LEADING_OPERATIONAL_WORDS = new Set(['sync', 'insert']);
/** Receivers that only do I/O: HTTP clients, ORMs, queues, caches, cloud SDKs. */
const OPERATIONAL_OBJECT = /^(axios|got|ky|requests|httpx|aiohttp|urllib\.request|prisma|tx|knex|trx|db|queue|\w+Queue|\w+_queue|redis|stripe|s3|sqs|sns|ses|mailer|transporter|cursor)$/;

function isOperationalName(method: string): boolean {
  const ws = words(method);
  if (ws.some((w) => OPERATIONAL_WORDS.has(w))) return true;
  // `insertRule` (CSSOM) and `insertBefore` (DOM) are not database writes.
  if (ws[0] === 'insert') return /^insert(One|Many|Into|Row|Rows|Record)?$/.test(method);
  return ws.length > 0 && LEADING_OPERATIONAL_WORDS.has(ws[0]!);
}

/** Whether a call performs an operation whose silent failure loses work. */
function isOperationalCall(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function');
  const name = calleeName(call);
  if (!name) {
    // `db('audit_log').insert(entry)`: judge the method.
    const property = fn?.childForFieldName('property') ?? fn?.childForFieldName('attribute');
    return !!property && isOperationalName(property.text);
  }
  if (name === 'fetch' || name === 'urlopen' || /(^|\.)apply_async$/.test(name)) return true;
  const parts = name.split('.');
  const method = parts[parts.length - 1]!;
  if (isOperationalName(method)) return true;
  return parts.slice(0, -1).some((p) => OPERATIONAL_OBJECT.test(p));
}

/** A try body (or promise chain) that does some operational work. */
function doesOperationalWork(body: SyntaxNode | null | undefined): boolean {
  if (!body) return false;
  const calls = body.type === 'call_expression' || body.type === 'call' ? [body, ...ownNodes(body, ['call_expression', 'call'])] : ownNodes(body, ['call_expression', 'call']);
  return calls.some(isOperationalCall);
}

/** A try body made only of cleanup calls, or one that loads an optional module. */
function isCleanupOnly(body: SyntaxNode | null | undefined): boolean {
  if (!body) return false;
  // `try: from mutagen.easyid3 import EasyID3 …`: the feature is optional, like its module.
  if (body.namedChildren.some((c) => c.type === 'import_statement' || c.type === 'import_from_statement')) return true;
  const statements = body.namedChildren.filter((c) => c.type !== 'comment');
  if (statements.length === 0) return true;
  return statements.every((s) => {
    if (s.type === 'import_statement' || s.type === 'import_from_statement') return true;
    if (s.type === 'lexical_declaration' || s.type === 'variable_declaration') {
      // `const sharp = require('sharp')`
      const value = s.namedChild(0)?.childForFieldName('value');
      return value?.type === 'call_expression' && OPTIONAL_LOAD.test(calleeName(value) ?? '');
    }
    // `sharp = require('sharp')`
    const assigned = s.type === 'expression_statement' && s.namedChild(0)?.type === 'assignment_expression' ? s.namedChild(0)!.childForFieldName('right') : undefined;
    if (assigned?.type === 'call_expression') return OPTIONAL_LOAD.test(calleeName(assigned) ?? '');
    const call = statementCall(s);
    return !!call && isCleanupCall(call);
  });
}

/**
 * The empty handler is a fallback, decided in code: the `try` computes and returns a value and
 * the code after it returns a default (`try { return JSON.parse(raw) } catch {}` then `return
 * null`), or the `try` assigns a value that the code right after checks, returns or defaults
 * (`try { plaintext = decrypt(...) } catch {}` then `if (!plaintext) throw …`, `obj || {}`).
 */
function isFallback(tryStatement: SyntaxNode | null): boolean {
  const body = tryStatement?.childForFieldName('body');
  if (!tryStatement || !body) return false;
  // Python `try/except/else`: the else branch is what runs when it worked.
  if (tryStatement.namedChildren.some((c) => c.type === 'else_clause')) return true;
  const statements = body.namedChildren.filter((c) => c.type !== 'comment');
  const last = statements[statements.length - 1];
  if (!last) return false;
  if (last.type === 'return_statement') return true;
  const following = nextStatements(tryStatement, 3);
  if (following[0]?.type === 'return_statement' && ownNodes(body, ['return_statement']).length > 0) return true;
  const assigned = assignedNames(body);
  if (assigned.length === 0) return false;
  const names = assigned.map((n) => n.replace(/[$.]/g, '\\$&')).join('|');
  const mentions = new RegExp(`(^|[^\\w$.])(${names})(?![\\w$])`);
  const defaults = new RegExp(`(^|[^\\w$.])(${names})\\s*(\\|\\||\\?\\?|\\?[^.?]|\\bor\\b)`);
  return following.some(
    (next) =>
      ((next.type === 'if_statement' || next.type === 'while_statement') && mentions.test(next.childForFieldName('condition')?.text ?? '')) ||
      (next.type === 'return_statement' && mentions.test(next.text)) ||
      defaults.test(next.text),
  );
}

function nextStatements(node: SyntaxNode, count: number): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let next = node.nextNamedSibling; next && out.length < count; next = next.nextNamedSibling) {
    if (next.type !== 'comment') out.push(next);
  }
  return out;
}

const SCOPES = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition', 'lambda', 'class_declaration', 'class_definition']);

/** Descendants of the given types that are not inside a nested function. */
function ownNodes(root: SyntaxNode, types: readonly string[]): SyntaxNode[] {
  return root.descendantsOfType([...types]).filter((n) => {
    for (let p = n.parent; p && p !== root; p = p.parent) if (SCOPES.has(p.type)) return false;
    return true;
  });
}

/** Names a block assigns: `x = …`, `const x = …`, `this.x = …`. */
function assignedNames(block: SyntaxNode): string[] {
  const out: string[] = [];
  for (const node of ownNodes(block, ['variable_declarator', 'assignment_expression', 'assignment', 'augmented_assignment'])) {
    const target = node.childForFieldName(node.type === 'variable_declarator' ? 'name' : 'left');
    if (target && /^[\w$.]+$/.test(target.text)) out.push(target.text);
  }
  return out;
}

/**
 * A parse attempt: the try body only calls pure parsers and probes (`JSON.parse`, `new URL`,
 * `decodeURIComponent`, `int()`, `json.loads`), so the error is bad input, not a failed write.
 */
const PURE_CALL =
  /^(JSON\.parse|JSON\.stringify|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent|URL|URLSearchParams|parseInt|parseFloat|Number|BigInt|String|Boolean|Date|Date\.parse|atob|btoa|Buffer\.from|TextDecoder|TextEncoder|RegExp|structuredClone|Intl\.\w+|([\w$]+\.)+(decode|toString|toISOString|replace|replaceAll|split|slice|trim|toLowerCase|toUpperCase|normalize|match|test|exec)|json\.loads|json\.dumps|int|float|Decimal|str|bool|bytes|datetime\.\w+|date\.\w+|\w+\.strptime|\w+\.fromisoformat|base64\.\w+|urlparse|urlsplit|unquote|quote|ipaddress\.\w+|uuid\.UUID|UUID|isinstance|getattr|hasattr|len)$/;

function isParseAttempt(body: SyntaxNode | null | undefined): boolean {
  if (!body) return false;
  const calls = ownNodes(body, ['call_expression', 'new_expression', 'call', 'await_expression', 'await']);
  if (calls.length === 0) return false;
  return calls.every((c) => {
    if (c.type === 'await_expression' || c.type === 'await') return false;
    const fn = c.childForFieldName(c.type === 'new_expression' ? 'constructor' : 'function');
    const name = fn ? (calleeName(c) ?? (fn.type === 'identifier' ? fn.text : undefined)) : undefined;
    return !!name && PURE_CALL.test(name.replace(/^(globalThis|window)\./, ''));
  });
}

/** Functions that run on the way out: shutdown hooks, finalizers, error handlers. */
const CLEANUP_FUNCTION = /^_*(on_?)?(close|shutdown|teardown|tear_down|cleanup|clean_up|dispose|finali[sz]e|terminate|stop|exit|handle_?\w*(exception|error)|\w*_?(exception|error)_?handler)|^__(del|exit|aexit)__$/i;

/**
 * Inside another handler (the original error is being dealt with; this one is secondary), or in a
 * function whose job is to shut down or handle an error.
 */
function onErrorPath(node: SyntaxNode): boolean {
  if (ancestor(node, ['catch_clause', 'except_clause'], ['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition']) !== undefined) return true;
  const fn = enclosingFunction(node);
  const name = fn?.childForFieldName('name')?.text;
  return !!name && CLEANUP_FUNCTION.test(name);
}

// ---------------------------------------------------------------------------------------------
// TypeScript

/**
 * Comments that belong to a `catch`: inside it, on its lines, or alone on the line just above
 * (`// eslint-disable-next-line no-empty` before `} catch {}`).
 */
function commentsAround(clause: SyntaxNode, ctx: RuleContext): SyntaxNode[] {
  const start = clause.startPosition.row;
  const end = clause.endPosition.row;
  const root = clause.tree.rootNode;
  const above = rowAbove(start, ctx);
  return root
    .descendantsOfType('comment', { row: Math.max(0, above), column: 0 }, { row: end + 1, column: 0 })
    .filter((c) => {
      const row = c.startPosition.row;
      if (row >= start && row <= end) return true;
      return row === above && /^\s*(\/\/|\/\*)/.test(ctx.file.line(row + 1));
    });
}

/** The 0-based row of the first line above `row` that is more than a closing brace. */
function rowAbove(row: number, ctx: RuleContext): number {
  let above = row - 1;
  while (above > 0 && /^\s*[}\])]*\s*$/.test(ctx.file.line(above + 1))) above--;
  return above;
}

function checkCatchClause(clause: SyntaxNode, body: SyntaxNode, ctx: RuleContext): void {
  if (body.namedChildren.some((c) => c.type !== 'empty_statement' && c.type !== 'comment')) return;
  if (!isServerCode(ctx.file, clause.tree.rootNode)) return;
  if (explains(commentsAround(clause, ctx))) return;
  const tryStatement = clause.parent;
  if (insideFinally(clause) || onErrorPath(clause) || !enclosingFunction(clause)) return;
  const tryBody = tryStatement?.childForFieldName('body');
  if (!doesOperationalWork(tryBody) || isCleanupOnly(tryBody) || isParseAttempt(tryBody) || isFallback(tryStatement)) return;
  ctx.report({
    node: clause,
    message: `This \`catch\` swallows every error from the \`try\` block: nothing is logged or rethrown, so a failed write or call here is invisible.`,
  });
}

function checkPromiseCatch(call: SyntaxNode, handler: SyntaxNode, ctx: RuleContext): void {
  if (handler.namedChildren.some((c) => c.type !== 'empty_statement' && c.type !== 'comment')) return;
  if (!isServerCode(ctx.file, call.tree.rootNode)) return;
  if (explains(commentsAround(handler, ctx))) return;
  // `x.then(ok).catch(() => {})`: the receiver of `.catch` is what fails. A promise kept in a
  // variable or field (`this.ready.catch(() => {})`) is marked handled so that whoever awaits it
  // later gets the error: only a call's promise, dropped right here, is lost.
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  if (receiver?.type !== 'call_expression' || isCleanupCall(receiver) || !doesOperationalWork(receiver)) return;
  if (insideFinally(call) || onErrorPath(call)) return;
  // Only a result that is dropped: `x().catch(() => {})` as a statement (or awaited as one).
  let statement = call.parent;
  while (statement && ['await_expression', 'unary_expression', 'parenthesized_expression'].includes(statement.type)) statement = statement.parent;
  if (statement?.type !== 'expression_statement') return;
  const member = call.childForFieldName('function')!;
  ctx.report({
    node: member.childForFieldName('property') ?? call,
    key: ctx.text(call),
    message: `\`.catch(() => {})\` discards the rejection: if \`${shorten(ctx.text(receiver ?? call))}\` fails, nothing records it.`,
  });
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

// ---------------------------------------------------------------------------------------------
// Python

/** The exception types an `except` names: `[]` for a bare `except:`. */
function caughtTypes(clause: SyntaxNode): string[] {
  const value = clause.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
  if (!value) return [];
  const typeNode = value.type === 'as_pattern' ? value.namedChild(0) : value;
  if (!typeNode) return [];
  if (typeNode.type === 'tuple' || typeNode.type === 'parenthesized_expression') {
    return typeNode.namedChildren.filter((c) => c.type !== 'comment').map((c) => c.text);
  }
  return [typeNode.text];
}

function isEmptyPythonBody(block: SyntaxNode): boolean {
  const statements = block.namedChildren.filter((c) => c.type !== 'comment');
  return (
    statements.length > 0 &&
    statements.every((s) => s.type === 'pass_statement' || (s.type === 'expression_statement' && s.namedChild(0)?.type === 'ellipsis'))
  );
}

function checkExceptClause(clause: SyntaxNode, ctx: RuleContext): void {
  const block = clause.namedChildren.find((c) => c.type === 'block');
  if (!block || !isEmptyPythonBody(block)) return;
  const types = caughtTypes(clause);
  const broad = types.length === 0 || types.some((t) => BROAD_EXCEPTIONS.has(t));
  if (!broad) return;
  if (!isServerCode(ctx.file, clause.tree.rootNode)) return;
  if (explains(clause.descendantsOfType('comment'))) return;
  if (insideFinally(clause) || onErrorPath(clause)) return;
  const fn = enclosingFunction(clause);
  const tryStatement = clause.parent;
  if (!fn) return;
  const tryBody = tryStatement?.childForFieldName('body');
  if (!doesOperationalWork(tryBody) || isCleanupOnly(tryBody) || isParseAttempt(tryBody) || isFallback(tryStatement)) return;

  const what = types.length === 0 ? 'A bare `except:`' : `\`except ${types.join(', ')}\``;
  const pass = block.namedChildren.find((c) => c.type !== 'comment')!;
  const logger = moduleLogger(clause.tree.rootNode, ctx.file);
  const where = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
  ctx.report({
    node: clause.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment') ?? clause,
    key: ctx.text(clause),
    message: `${what} with only \`${pass.text}\` swallows every error${types.length === 0 ? ', even KeyboardInterrupt and SystemExit' : ''}: nothing is logged or re-raised.`,
    ...(logger ? { suggestion: replaceNode(ctx.file, pass, `${logger}.warning("${where ? `${where}: ` : ''}ignored error", exc_info=True)`) } : {}),
  });
}

const LOGGER_ASSIGNMENT = /^(logging\.getLogger|getLogger|structlog\.get_logger|get_logger|structlog\.getLogger)$/;
const loggerCache = new WeakMap<FileView, string | null>();

/** `logger = logging.getLogger(__name__)` at module level: the name to log with. */
function moduleLogger(root: SyntaxNode, file: FileView): string | undefined {
  const cached = loggerCache.get(file);
  if (cached !== undefined) return cached ?? undefined;
  let found: string | null = null;
  for (const statement of root.namedChildren) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type === 'identifier' && right?.type === 'call' && LOGGER_ASSIGNMENT.test(calleeName(right) ?? '')) {
      found = left.text;
      break;
    }
  }
  loggerCache.set(file, found);
  return found ?? undefined;
}

const rule: Rule = {
  meta: {
    id: 'empty-catch',
    title: 'Error swallowed by an empty handler',
    severity: 'P2',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: 'An empty `catch`/`except` makes failures invisible: the request returns success, the job is marked done, and nobody learns that the write, the email or the charge never happened until a customer reports it.',
      fix: 'Log the error with context (and rethrow when the caller must know). If ignoring it really is right, say why in a comment inside the handler, or in Python catch the specific exception (`except FileNotFoundError:`) or use `contextlib.suppress(...)`.',
      example: {
        bad: "try {\n  await stripe.refunds.create({ payment_intent: id });\n} catch {}",
        good: "try {\n  await stripe.refunds.create({ payment_intent: id });\n} catch (err) {\n  logger.error({ err, paymentIntent: id }, 'refund failed');\n  throw err;\n}",
      },
    },
  },
  // Every finding is a handler: a `catch` clause or a `.catch(...)` call (TS), an `except`
  // clause (Python). The operational-call test cannot narrow it further: its receivers include
  // two-letter names (`db`, `tx`, `s3`) too short for a gate word. One word per language: one
  // list would let TS files in on `Exception` and Python ones on `catch`.
  requires: { ts: ['catch'], py: ['except'] },
  ts: {
    query: `
      (catch_clause body: (statement_block) @body) @clause
      (call_expression
        function: (member_expression property: (property_identifier) @method)
        arguments: (arguments . [(arrow_function body: (statement_block) @handler) (function_expression body: (statement_block) @handler)] .)) @call
    `,
    onMatch(match: RuleMatch, ctx: RuleContext) {
      const { clause, body, call, handler, method } = match.captures;
      if (clause && body) checkCatchClause(clause, body, ctx);
      else if (call && handler && method?.text === 'catch') checkPromiseCatch(call, handler, ctx);
    },
  },
  py: {
    query: `(except_clause) @clause`,
    onMatch(match: RuleMatch, ctx: RuleContext) {
      checkExceptClause(match.captures.clause!, ctx);
    },
  },
};

export default rule;
