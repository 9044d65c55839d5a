import {
  describeKind,
  outsideServiceKindPy,
  outsideServiceKindTs,
  serviceBindingsPy,
  serviceBindingsTs,
  type OutsideServiceKind,
  type ServiceBindings,
} from '../support/outside-services.js';
import { callbackTransaction, chainRoot, isPythonAtomicDecorated, isPythonTransactionWith, type CallbackTransaction } from '../support/transactions.js';
import { calleeName, lastSegment, objectProperty, visitPruned } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * Nested functions whose body still runs while the transaction is open: iteration and promise
 * combinators (`Promise.all(items.map(async (i) => …))`). Any other nested function (a callback
 * handed to `afterCommit`, `on_commit`, `setImmediate`, an event listener) runs later or elsewhere.
 */
const RUNS_NOW = new Set(['map', 'forEach', 'flatMap', 'filter', 'reduce', 'some', 'every', 'find', 'all', 'allSettled', 'race', 'any', 'then', 'catch', 'finally', 'from', 'pMap', 'mapSeries', 'each', 'eachSeries', 'mapLimit', 'forEachLimit']);

const TS_FUNCTIONS = new Set(['arrow_function', 'function_expression', 'function', 'function_declaration', 'method_definition', 'generator_function_declaration', 'class_declaration', 'class']);

function consequences(kind: OutsideServiceKind): string {
  switch (kind) {
    case 'queue':
      return 'the job can start before the transaction commits (and not find its rows) or after it rolled back';
    case 'email':
      return 'the email goes out even when the transaction rolls back, and the transaction holds its connection and locks while the mail server answers';
    case 'Stripe':
      return 'the transaction holds its connection and row locks while Stripe answers, and a rollback afterwards does not undo the charge or the object created';
    default:
      return 'the transaction holds its connection and row locks for as long as the other service takes to answer, and a rollback does not undo what the call did';
  }
}

// ---------------------------------------------------------------------------------------------
// TypeScript

function checkTs(match: RuleMatch, ctx: RuleContext): void {
  const tx = callbackTransaction(match.captures.call!);
  if (!tx || isInsideAnotherTransaction(tx.call)) return;
  const bindings = serviceBindingsTs(tx.call.tree.rootNode);
  const handles = new Set(tx.handles);
  const label = transactionLabelTs(tx, ctx);
  for (const call of callsRunningInTransaction(tx.callback, handles)) {
    const kind = outsideCallKindTs(call, bindings, handles);
    if (!kind || !isAwaitedOrReturned(call, tx.callback)) continue;
    const callee = call.childForFieldName('function')!;
    ctx.report({
      node: callee,
      key: ctx.text(call),
      message: `\`${shortText(ctx.text(callee))}(…)\` is ${describeKind(kind)} made inside \`${label}\`: ${consequences(kind)}.`,
    });
  }
}

function transactionLabelTs(tx: CallbackTransaction, ctx: RuleContext): string {
  const callee = tx.call.childForFieldName('function')!;
  return `${shortText(ctx.text(callee))}(…)`;
}

function shortText(text: string): string {
  const flat = text.replace(/\s+/g, '');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

/** The transaction callback is reported on by the outermost transaction only (savepoints nest). */
function isInsideAnotherTransaction(call: SyntaxNode): boolean {
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'call_expression' && callbackTransaction(p)) return true;
  }
  return false;
}

/** Calls in the callback body that run while it is open; nested transactions add their handles. */
function callsRunningInTransaction(callback: SyntaxNode, handles: Set<string>): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const body = callback.childForFieldName('body');
  if (!body) return out;
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    if (node !== body && TS_FUNCTIONS.has(node.type)) {
      const parentCall = node.parent?.type === 'arguments' ? node.parent.parent : node.parent;
      const nested = parentCall?.type === 'call_expression' ? callbackTransaction(parentCall) : undefined;
      if (nested) nested.handles.forEach((h) => handles.add(h));
      else if (!runsNow(node)) continue;
    }
    if (node.type === 'call_expression') out.push(node);
    // All the children in one native call, rather than a count and one call per child.
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

function runsNow(fn: SyntaxNode): boolean {
  const parent = fn.parent;
  if (!parent) return false;
  // An immediately invoked function: `(async () => { … })()`.
  if (parent.type === 'parenthesized_expression' && parent.parent?.type === 'call_expression') return true;
  if (parent.type !== 'arguments') return false;
  const call = parent.parent;
  const name = call ? lastSegment(calleeName(call) ?? call.childForFieldName('function')?.childForFieldName('property')?.text) : undefined;
  return !!name && RUNS_NOW.has(name);
}

function outsideCallKindTs(call: SyntaxNode, bindings: ServiceBindings, handles: ReadonlySet<string>): OutsideServiceKind | undefined {
  const root = chainRoot(call);
  if (root.type === 'identifier' && handles.has(root.text)) return undefined;
  if (passesHandle(call, handles)) return undefined;
  return outsideServiceKindTs(call, bindings);
}

/**
 * A call handed the transaction handle writes through it (an outbox insert, `queue.add(job,
 * { transaction: t })`), which is the fix, not the problem.
 */
function passesHandle(call: SyntaxNode, handles: ReadonlySet<string>): boolean {
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'identifier' && handles.has(arg.text)) return true;
    if (arg.type === 'object') {
      const value = objectProperty(arg, 'transaction') ?? objectProperty(arg, 'tx') ?? objectProperty(arg, 'trx');
      if (value && handles.has(value.text)) return true;
    }
  }
  return false;
}

/** Awaited (directly or through `Promise.all`, `.then`) or returned to the transaction. */
function isAwaitedOrReturned(call: SyntaxNode, callback: SyntaxNode): boolean {
  // tree-sitter-typescript parses `await http.get<T>(url)` as `(await http.get)<T>(url)`.
  if (call.childForFieldName('function')?.type === 'await_expression') return true;
  for (let p: SyntaxNode | null = call; p && !sameNode(p, callback); p = p.parent) {
    if (p.type === 'await_expression' || p.type === 'return_statement') return true;
    const body = p.parent?.type === 'arrow_function' ? p.parent.childForFieldName('body') : null;
    if (body && sameNode(body, p)) return true;
  }
  return false;
}

function sameNode(a: SyntaxNode, b: SyntaxNode): boolean {
  return a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

// ---------------------------------------------------------------------------------------------
// Python

const PY_NESTED_SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);
/** `lambda` also names the keyword inside a lambda, which lies within the lambda and is skipped with it. */
const PY_CALL_OR_NESTED_SCOPE = ['call', ...PY_NESTED_SCOPES];

function checkPy(match: RuleMatch, ctx: RuleContext): void {
  const node = match.captures.tx!;
  let body: SyntaxNode | null | undefined;
  let label: string;
  if (node.type === 'with_statement') {
    if (!isPythonTransactionWith(node) || isInsidePythonTransaction(node)) return;
    body = node.childForFieldName('body');
    label = ctx.text(node).split('\n')[0]!.trim();
  } else {
    if (!isPythonAtomicDecorated(node) || isInsidePythonTransaction(node)) return;
    body = node.childForFieldName('definition')?.childForFieldName('body');
    const decorator = node.namedChildren.find((c) => c.type === 'decorator' && /atomic/.test(c.text));
    label = `${decorator?.text ?? '@transaction.atomic'} ${node.childForFieldName('definition')?.childForFieldName('name')?.text ?? ''}`.trim();
  }
  if (!body) return;
  const bindings = serviceBindingsPy(node.tree.rootNode);
  // One native walk returns the calls and the nested scopes in document order; a call inside a
  // nested scope seen before it is skipped by its position.
  visitPruned(body.descendantsOfType(PY_CALL_OR_NESTED_SCOPE), (n) => {
    // Code in a nested function or lambda runs later: `transaction.on_commit(lambda: send_mail(…))`.
    if (n !== body && PY_NESTED_SCOPES.has(n.type)) return 'skip';
    if (n.type !== 'call') return;
    const kind = outsideServiceKindPy(n, bindings);
    if (kind) {
      const callee = n.childForFieldName('function')!;
      ctx.report({
        node: callee,
        key: ctx.text(n),
        message: `\`${shortText(ctx.text(callee))}(…)\` is ${describeKind(kind)} made inside \`${label}\`: ${consequences(kind)}.`,
      });
    }
  });
}

/** Reported by the outermost transaction only: a `with atomic()` inside an `@atomic` view. */
function isInsidePythonTransaction(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'with_statement' && isPythonTransactionWith(p)) return true;
    if (p.type === 'decorated_definition' && isPythonAtomicDecorated(p)) return true;
  }
  return false;
}

const rule: Rule = {
  meta: {
    id: 'external-call-in-transaction',
    title: 'Call to another service inside a database transaction',
    severity: 'P1',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: 'A transaction holds a pooled connection and its row locks until it ends, so a slow HTTP, LLM, Stripe, email or S3 call inside it blocks every request that needs those rows or a connection, and under load the pool runs dry. The outside call is also not part of the transaction: when the transaction rolls back, the charge, the email or the enqueued job has already happened; a job enqueued inside can even start before the commit and not find its rows.',
      fix: 'Do the outside call before the transaction (and pass its result in) or after it commits: in Django `transaction.on_commit(lambda: send_email(...))`, in Node run it after the `await` of the transaction returns. For work that must happen exactly when the data commits, write an outbox row with the transaction handle and let a worker deliver it.',
      example: {
        bad: "await prisma.$transaction(async (tx) => {\n  const order = await tx.order.create({ data });\n  await stripe.paymentIntents.create({ amount: order.total, currency: 'eur' });\n});",
        good: "const intent = await stripe.paymentIntents.create({ amount: total, currency: 'eur' });\nawait prisma.$transaction(async (tx) => {\n  await tx.order.create({ data: { ...data, paymentIntentId: intent.id } });\n});",
      },
    },
  },
  // Nothing is reported outside a transaction, and each way of opening one names it: TS
  // `transaction`/`$transaction`/`withTransaction`/… (all contain "transaction") or pg-promise's
  // `db.tx`/`db.txIf` (".tx": assumes no space or comment between the dot and `tx`); Python
  // `atomic` (decorator or `with`), `begin`/`begin_nested`, `conn.transaction()`.
  requires: ['transaction', '.tx', 'atomic', 'begin'],
  ts: {
    query: `(call_expression arguments: (arguments [(arrow_function) (function_expression)])) @call`,
    onMatch: checkTs,
  },
  py: {
    query: `[(with_statement) (decorated_definition)] @tx`,
    onMatch: checkPy,
  },
};

export default rule;
