import { words } from '../support/names.js';
import { calleeName, dottedName, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A handler for "this person's account is gone" (Clerk/WorkOS/Auth0 `user.deleted`, Stripe
 * `customer.deleted`, Shopify `customers/redact`, an app's own `account.deleted`) whose body does
 * nothing: it logs, returns 200, or holds a TODO. The provider has deleted the person; this app
 * keeps their data. Bodies that do anything else (a call, an assignment, an enqueue) are trusted,
 * and so is a no-op with a comment that explains why (not a TODO).
 */

/** `user.deleted`, `clerk/user.deleted`, `dsync.user.deleted`, `customer.deleted`, `account_deleted`, `customers/redact`. */
const DELETION_EVENT =
  /(^|[/.:_-])(users?|accounts?|customers?|members?|contacts?|subscribers?|profiles?|persons?|people)[._:/-]?(deleted|delete|removed|erased|destroyed|deletion[._-]?requested|erasure[._-]?requested|redact|redacted|data[._-]?erasure)$/i;

const ENTITY_WORDS = new Set(['user', 'account', 'customer', 'member', 'contact', 'subscriber', 'profile', 'person']);
const DELETION_WORDS = new Set(['deleted', 'deletion', 'delete', 'removed', 'erased', 'erasure', 'redact', 'redacted', 'destroyed']);
const HANDLER_PREFIX = new Set(['handle', 'on', 'process']);
const HANDLER_SUFFIX = new Set(['handler', 'webhook', 'hook', 'listener', 'receiver', 'event', 'callback']);

function isDeletionEvent(text: string | undefined): boolean {
  return !!text && DELETION_EVENT.test(text);
}

/**
 * A word every deletion event (DELETION_EVENT) and every deletion handler name (DELETION_WORDS)
 * contains: a node whose source text lacks it holds neither, and is answered without reading its
 * strings through the tree. A string's value is its own source text without the quotes, and a
 * name's words are slices of the name.
 */
const DELETION_WORD = /delet|removed|erased|erasure|destroyed|redact/i;
/** Python adjacent literals (`"user.del" "eted"`) join into one value: the word may be split across them. */
const ADJACENT_STRINGS = /['"][\s\\]*[A-Za-z]{0,2}['"]/;

function mayNameDeletion(ctx: RuleContext, node: SyntaxNode): boolean {
  return DELETION_WORD.test(ctx.text(node));
}

/** `handleUserDeleted`, `on_customer_deleted`, `user_deleted_handler`, `processAccountDeletion`. */
function isDeletionHandlerName(name: string): boolean {
  const ws = words(name).map((w) => (w.endsWith('s') && ENTITY_WORDS.has(w.slice(0, -1)) ? w.slice(0, -1) : w));
  if (ws.length < 3) return false;
  const named = HANDLER_PREFIX.has(ws[0]!) || HANDLER_SUFFIX.has(ws[ws.length - 1]!);
  if (!named) return false;
  for (let i = 0; i + 1 < ws.length; i++) {
    if (ENTITY_WORDS.has(ws[i]!) && DELETION_WORDS.has(ws[i + 1]!)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// What the body does

const LOG_CALLEE = /(^|\.)(console|logger|_logger|log|logging|structlog|pino|winston|Sentry|sentry_sdk|statsd|metrics)\.\w+$|^(print|log|debug|info|warn)$|(^|\.)(log|logger)\.(info|debug|warn|warning|error|trace|log)$/;
const RESPONSE_CALLEE = /^(res|reply|response|ctx|c|h)\.(status|json|send|sendStatus|end|code|text|body)$|^(NextResponse|Response)\.(json|redirect)$|^(JsonResponse|HttpResponse|Response|jsonify|make_response|PlainTextResponse|JSONResponse|web\.Response|web\.json_response|ack)$/;
const TODO = /\b(TODO|FIXME|XXX|HACK|not (yet )?implemented|implement (me|this|later)|later)\b/i;

/** The outermost callee of a chain such as `res.status(200).json(…)`: `res.status`→`json` gives `res.json`. */
function chainCallee(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  if (!fn) return undefined;
  const direct = dottedName(fn);
  if (direct) return direct;
  if (fn.type === 'member_expression' || fn.type === 'attribute') {
    const object = fn.childForFieldName('object');
    const method = (fn.childForFieldName('property') ?? fn.childForFieldName('attribute'))?.text;
    if (object && (object.type === 'call_expression' || object.type === 'call')) {
      const inner = chainCallee(object);
      return inner && method ? `${inner.split('.')[0]}.${method}` : undefined;
    }
  }
  return undefined;
}

function isInertCall(call: SyntaxNode): boolean {
  const callee = chainCallee(call) ?? calleeName(call) ?? '';
  return LOG_CALLEE.test(callee) || RESPONSE_CALLEE.test(callee);
}

/** Values a handler returns when it has done nothing: nothing, literals, `{ ok: true }`, a 200 response. */
function isInertValue(node: SyntaxNode | null | undefined): boolean {
  if (!node) return true;
  switch (node.type) {
    case 'true':
    case 'false':
    case 'null':
    case 'undefined':
    case 'none':
    case 'number':
    case 'integer':
    case 'string':
    case 'template_string':
      return true;
    case 'object':
    case 'dictionary':
    case 'array':
    case 'list':
    case 'tuple':
      return node.namedChildren.every((c) => (c.type === 'pair' ? isInertValue(c.childForFieldName('value')) : isInertValue(c)));
    case 'call_expression':
    case 'call':
    case 'new_expression':
      return isInertCall(node);
    case 'await_expression':
    case 'await':
    case 'parenthesized_expression':
      return isInertValue(node.namedChild(0));
    default:
      return false;
  }
}

type Verdict = { readonly inert: true; readonly logs: boolean; readonly todo: boolean; readonly explained: boolean } | { readonly inert: false };

/** Whether a list of statements does nothing but log, respond, return or break. */
function judge(statements: readonly SyntaxNode[], comments: readonly SyntaxNode[]): Verdict {
  let logs = false;
  let todo = false;
  let explained = false;
  for (const comment of comments) {
    if (TODO.test(comment.text)) todo = true;
    else explained = true;
  }
  for (const statement of statements) {
    switch (statement.type) {
      case 'comment':
        break;
      case 'break_statement':
      case 'continue_statement':
      case 'pass_statement':
      case 'empty_statement':
        break;
      case 'return_statement':
        if (!isInertValue(statement.namedChildren.find((c) => c.type !== 'comment'))) return { inert: false };
        break;
      case 'throw_statement':
      case 'raise_statement':
        // `throw new Error('not implemented')`, `raise NotImplementedError`
        if (!/not ?implemented/i.test(statement.text)) return { inert: false };
        todo = true;
        break;
      case 'expression_statement': {
        const expression = statement.namedChild(0);
        if (!expression) break;
        if (expression.type === 'ellipsis') break;
        if (expression.type === 'string') {
          // A docstring: it may hold the TODO.
          if (TODO.test(expression.text)) todo = true;
          break;
        }
        const call = expression.type === 'await_expression' || expression.type === 'await' ? expression.namedChild(0) : expression;
        if (call && (call.type === 'call_expression' || call.type === 'call') && isInertCall(call)) {
          if (LOG_CALLEE.test(chainCallee(call) ?? '')) logs = true;
          break;
        }
        return { inert: false };
      }
      case 'statement_block':
      case 'block': {
        const inner = judge(statement.namedChildren, []);
        if (!inner.inert) return inner;
        logs ||= inner.logs;
        todo ||= inner.todo;
        break;
      }
      default:
        return { inert: false };
    }
  }
  return { inert: true, logs, todo, explained };
}

function commentsBetween(owner: SyntaxNode, start: number, end: number): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [owner];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.endIndex <= start || node.startIndex >= end) continue;
    if (node.type === 'comment' && node.startIndex >= start) out.push(node);
    for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
  }
  return out;
}

function statementsOf(body: SyntaxNode): SyntaxNode[] {
  return body.type === 'statement_block' || body.type === 'block' ? body.namedChildren : [body];
}

// ---------------------------------------------------------------------------------------------
// Reporting

const reported = new WeakMap<object, Set<number>>();

function reportIfInert(ctx: RuleContext, at: SyntaxNode, event: string, statements: readonly SyntaxNode[], comments: readonly SyntaxNode[], key: SyntaxNode): void {
  const verdict = judge(statements, comments);
  if (!verdict.inert) return;
  // A no-op that says why (and is not a TODO) is a decision, not an omission.
  if (verdict.explained && !verdict.todo) return;
  let seen = reported.get(ctx.file);
  if (!seen) reported.set(ctx.file, (seen = new Set()));
  if (seen.has(key.startIndex)) return;
  seen.add(key.startIndex);
  const what = verdict.todo ? 'holds only a TODO' : verdict.logs ? 'only logs' : statements.some((s) => s.type === 'return_statement') ? 'only returns' : 'is empty';
  ctx.report({
    node: at,
    message: `The \`${event}\` handler ${what}: the person is deleted upstream, but their data stays in this app's database. Delete or anonymise it here (or enqueue a job that does).`,
  });
}

/** The statements a switch case runs, following fall-through into the next case with a body. */
function caseStatements(switchCase: SyntaxNode): { statements: SyntaxNode[]; comments: SyntaxNode[] } {
  for (let c: SyntaxNode | null = switchCase; c; c = c.nextNamedSibling) {
    if (c.type !== 'switch_case' && c.type !== 'switch_default') continue;
    const value = c.childForFieldName('value');
    const after = value ? value.endIndex : c.startIndex;
    const all = c.namedChildren.filter((n) => n.startIndex >= after && n !== value);
    const statements = all.filter((n) => n.type !== 'comment');
    if (statements.length > 0 || !c.nextNamedSibling) return { statements, comments: all.filter((n) => n.type === 'comment') };
    // An empty case falls through; its comments still count.
  }
  return { statements: [], comments: [] };
}

function deletionLiteralIn(condition: SyntaxNode, python: boolean): SyntaxNode | undefined {
  const stack: SyntaxNode[] = [condition];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'binary_expression' || node.type === 'comparison_operator') {
      const operator = node.childForFieldName('operator')?.text ?? node.children.find((c) => !c.isNamed)?.text ?? '';
      if (/^(===|==)$/.test(operator) || (python && /^(==|in)$/.test(operator))) {
        for (const side of node.namedChildren) {
          const literals = side.type === 'tuple' || side.type === 'list' || side.type === 'set' || side.type === 'array' ? side.namedChildren : [side];
          const hit = literals.find((l) => isDeletionEvent(stringValue(l)));
          if (hit) return hit;
        }
        continue;
      }
    }
    if (node.type === 'parenthesized_expression' || node.type === 'boolean_operator' || (node.type === 'binary_expression' && /^(\|\||&&)$/.test(node.childForFieldName('operator')?.text ?? ''))) {
      for (const c of node.namedChildren) stack.push(c);
    }
  }
  return undefined;
}

/** Module-level function declarations by name, to follow `.on('user.deleted', handleIt)`. */
function functionNamed(root: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const statement of root.namedChildren) {
    const node = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (!node) continue;
    if ((node.type === 'function_declaration' || node.type === 'function_definition') && node.childForFieldName('name')?.text === name) return node;
    if (node.type === 'lexical_declaration') {
      for (const d of node.namedChildren) {
        const value = d.childForFieldName('value');
        if (d.childForFieldName('name')?.text === name && value && (value.type === 'arrow_function' || value.type === 'function_expression')) return value;
      }
    }
  }
  return undefined;
}

function checkFunction(ctx: RuleContext, fn: SyntaxNode, at: SyntaxNode, event: string): void {
  let target = fn;
  if (fn.type === 'identifier') {
    let root = fn;
    while (root.parent) root = root.parent;
    const found = functionNamed(root, fn.text);
    if (!found) return;
    target = found;
  }
  const body = target.childForFieldName('body');
  if (!body) return;
  if (body.type !== 'statement_block' && body.type !== 'block') {
    // An arrow's expression body: `() => console.log(e)`
    if ((body.type === 'call_expression' && isInertCall(body)) || isInertValue(body)) reportIfInert(ctx, at, event, [], [], body);
    return;
  }
  reportIfInert(ctx, at, event, statementsOf(body), commentsBetween(body, body.startIndex, body.endIndex), body);
}

/** Django `@receiver(post_delete, sender=User)`: the row is already gone, a log there is harmless. */
function isDeleteSignalReceiver(fn: SyntaxNode): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return !!decorated && /@receiver\(\s*(post_delete|pre_delete)/.test(decorated.text);
}

function onMatch(match: RuleMatch, ctx: RuleContext): void {
  const c = match.captures;
  const python = ctx.file.language === 'python';
  if (c.case) {
    const literals = c.case.type === 'case_clause' ? match.all('event') : [c.event!];
    const hit = literals.find((l) => mayNameDeletion(ctx, l) && isDeletionEvent(stringValue(l)));
    if (!hit) return;
    if (c.case.type === 'switch_case') {
      const { statements, comments } = caseStatements(c.case);
      reportIfInert(ctx, hit, stringValue(hit)!, statements, comments, c.case);
    } else {
      const body = c.body!;
      reportIfInert(ctx, hit, stringValue(hit)!, statementsOf(body), commentsBetween(c.case, hit.endIndex, body.endIndex), body);
    }
    return;
  }
  if (c.if) {
    const conditionText = ctx.text(c.condition!);
    if (!DELETION_WORD.test(conditionText) && !(python && ADJACENT_STRINGS.test(conditionText))) return;
    const literal = deletionLiteralIn(c.condition!, python);
    if (!literal) return;
    const body = c.body!;
    reportIfInert(ctx, literal, stringValue(literal)!, statementsOf(body), commentsBetween(c.if, c.condition!.endIndex, body.endIndex), body);
    return;
  }
  if (c.registration) {
    // emitter.on('user.deleted', handler), webhooks.on('customer.deleted', async (evt) => …)
    if (!mayNameDeletion(ctx, c.event!)) return;
    const event = stringValue(c.event);
    if (!isDeletionEvent(event)) return;
    const args = c.registration.childForFieldName('arguments')?.namedChildren ?? [];
    const handler = [...args].reverse().find((a) => a.type === 'arrow_function' || a.type === 'function_expression' || a.type === 'identifier');
    if (handler) checkFunction(ctx, handler, c.event!, event!);
    return;
  }
  if (c.pair) {
    const key = c.key;
    const value = c.event;
    // { 'user.deleted': async (e) => … } and Inngest's { event: 'clerk/user.deleted' } next to its handler
    if (key && c.fn && mayNameDeletion(ctx, key) && isDeletionEvent(stringValue(key))) {
      checkFunction(ctx, c.fn, key, stringValue(key)!);
      return;
    }
    if (key && value && ctx.text(key) === 'event' && mayNameDeletion(ctx, value) && isDeletionEvent(stringValue(value))) {
      const call = c.pair.parent?.parent?.parent;
      if (call?.type !== 'call_expression') return;
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      const handler = [...args].reverse().find((a) => a.type === 'arrow_function' || a.type === 'function_expression');
      if (handler) checkFunction(ctx, handler, value, stringValue(value)!);
    }
    return;
  }
  if (c.name && c.function) {
    const name = ctx.text(c.name);
    if (!DELETION_WORD.test(name) || !isDeletionHandlerName(name) || (python && isDeleteSignalReceiver(c.function))) return;
    checkFunction(ctx, c.function, c.name, name);
  }
}

const rule: Rule = {
  meta: {
    id: 'gdpr-delete-unimplemented',
    title: 'Account deletion event handled without deleting data',
    severity: 'P0',
    category: 'Data lifecycle',
    languages: ['ts', 'py'],
    docs: {
      why: "When a person deletes their account (or asks to be forgotten), the identity provider or billing system sends a deletion event. A handler that only logs or returns 200 acknowledges it and keeps every row about them: a GDPR/CCPA erasure request the company has confirmed but not carried out.",
      fix: "Delete or anonymise the person's data when the event arrives, in one transaction (or enqueue a durable job that does, and make it idempotent). Keep only what the law requires you to keep, and say so in a comment.",
      example: {
        bad: `case 'user.deleted':
  console.log('user deleted', evt.data.id);
  break;`,
        good: `case 'user.deleted':
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { userId: evt.data.id } }),
    prisma.user.delete({ where: { clerkId: evt.data.id } }),
  ]);
  break;`,
      },
    },
  },
  // Every finding names a deletion, in an event string (DELETION_EVENT) or a handler name
  // (DELETION_WORDS), both read from raw source text: delete/deleted/deletion, removed, erased,
  // erasure, destroyed, redact(ed). Assumes no Python implicit concatenation splits the word
  // itself (`"user.del" "eted"`).
  requires: ['delet', 'removed', 'erased', 'erasure', 'destroyed', 'redact'],
  scope: 'changed',
  ts: {
    query: `
(switch_case value: (string) @event) @case
(if_statement condition: (parenthesized_expression) @condition consequence: (_) @body) @if
(call_expression function: (member_expression) arguments: (arguments . (string) @event)) @registration
(pair key: (string) @key value: [(arrow_function) (function_expression) (identifier)] @fn) @pair
(pair key: (property_identifier) @key value: (string) @event) @pair
(function_declaration name: (identifier) @name) @function
(method_definition name: (property_identifier) @name) @function
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @function)
`,
    onMatch,
  },
  py: {
    query: `
(if_statement condition: (_) @condition consequence: (block) @body) @if
(elif_clause condition: (_) @condition consequence: (block) @body) @if
(case_clause (case_pattern [(string) @event (union_pattern (string) @event)]) consequence: (block) @body) @case
(pair key: (string) @key value: (identifier) @fn) @pair
(function_definition name: (identifier) @name) @function
`,
    onMatch,
  },
};

export default rule;
