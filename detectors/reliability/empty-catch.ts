import { ancestor, calleeName, enclosingFunction, lastSegment, replaceNode } from '../support/syntax.js';
import type { FileView, Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * An error handler that does nothing: `catch {}`, `.catch(() => {})`, `except Exception: pass`.
 * The failure disappears: no log line, no metric, no retry, and the code after it runs on data
 * that was never written.
 *
 * Decisions, for precision:
 * - Any comment inside the handler counts as the explanation (`// best effort: the cache is
 *   optional`), lint acknowledgements included (`// eslint-disable-line no-empty`,
 *   `# noqa: S110`): the author decided. A bare `TODO`/`FIXME`, `# pragma: no cover` or
 *   `# type: ignore` is not an explanation.
 * - Only empty bodies (`{}`, `pass`, `...`). A body that returns a default or `continue`s is a
 *   decision in code, not a silent swallow.
 * - Python: only bare `except:`, `except Exception` and `except BaseException`. A named
 *   exception with `pass` is the idiom for "this one is expected" (`except KeyError: pass` after
 *   a `del`, `except ImportError: pass` for optional imports, `StopIteration` in iteration).
 *   `contextlib.suppress(...)` names what it ignores on purpose and is never flagged.
 * - Cleanup is exempt: handlers inside a `finally` block or `__del__`, and handlers around a
 *   try body made only of cleanup calls (`close`, `unlink`, `rmSync`, `disconnect`, `quit`,
 *   `kill`, `os.remove`, `shutil.rmtree`, …) or optional-dependency loads (`require(...)`).
 *   A failed close during cleanup has nowhere better to go.
 * - `.catch(() => {})` on a promise is the same swallow and is flagged, with the same cleanup
 *   exemption (`redis.quit().catch(() => {})`).
 */

/** Method names whose failure during cleanup is fine to ignore. */
const CLEANUP_CALL =
  /^(close|closeSync|end|destroy|dispose|release|disconnect|\$disconnect|quit|kill|terminate|abort|unref|unlink|unlinkSync|rm|rmSync|rmdir|rmdirSync|removeSync|removeListener|removeAllListeners|off|unsubscribe|clearTimeout|clearInterval|stop|shutdown|cleanup|cleanUp|rollback|unwatch|rmtree|chmod|chmodSync|setRawMode|os\.remove|os\.unlink|os\.rmdir|shutil\.rmtree)$/;

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

/** A try body made only of cleanup calls or optional imports. */
function isCleanupOnly(body: SyntaxNode | null | undefined): boolean {
  if (!body) return false;
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
  return root
    .descendantsOfType('comment', { row: Math.max(0, start - 1), column: 0 }, { row: end + 1, column: 0 })
    .filter((c) => {
      const row = c.startPosition.row;
      if (row >= start && row <= end) return true;
      return row === start - 1 && /^\s*(\/\/|\/\*)/.test(ctx.file.line(row + 1));
    });
}

function checkCatchClause(clause: SyntaxNode, body: SyntaxNode, ctx: RuleContext): void {
  if (body.namedChildren.some((c) => c.type !== 'empty_statement' && c.type !== 'comment')) return;
  if (explains(commentsAround(clause, ctx))) return;
  const tryStatement = clause.parent;
  if (insideFinally(clause)) return;
  if (isCleanupOnly(tryStatement?.childForFieldName('body'))) return;
  ctx.report({
    node: clause,
    message: `This \`catch\` swallows every error from the \`try\` block: nothing is logged or rethrown, so a failure here is invisible.`,
  });
}

function checkPromiseCatch(call: SyntaxNode, handler: SyntaxNode, ctx: RuleContext): void {
  if (handler.namedChildren.some((c) => c.type !== 'empty_statement' && c.type !== 'comment')) return;
  if (explains(commentsAround(handler, ctx))) return;
  // `x.then(ok).catch(() => {})`: the receiver of `.catch` is what fails.
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  if (receiver?.type === 'call_expression' && isCleanupCall(receiver)) return;
  if (insideFinally(call)) return;
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
  if (explains(clause.descendantsOfType('comment'))) return;
  if (insideFinally(clause)) return;
  const fn = enclosingFunction(clause);
  if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === '__del__') return;
  const tryStatement = clause.parent;
  if (isCleanupOnly(tryStatement?.childForFieldName('body'))) return;

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
