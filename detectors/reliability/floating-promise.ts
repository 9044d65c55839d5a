import { fileRole } from '../support/file-role.js';
import { calleeName, dottedName, enclosingFunction, FUNCTION_TYPES, lastSegment, replaceNode, stringValue, visitPruned } from '../support/syntax.js';
import type { FileView, Rule, RuleContext, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/**
 * A promise dropped on the floor: a call that returns a promise, used as a statement with no
 * `await`, `return`, `.catch` or `void`. If it rejects, Node reports an unhandled rejection (and
 * by default exits); if it is a Prisma query, it never even runs.
 *
 * Precision first: without type information, a call is reported only when it is KNOWN to return
 * a promise:
 * - a function or method declared `async` in the same file (`sendWelcomeEmail(user)`,
 *   `this.syncInvoices()`), unless its whole body sits in a try/catch (it cannot reject);
 * - well-known promise APIs: `fetch`, `axios`, `fs/promises`, Prisma model and `$` calls, BullMQ
 *   `queue.add`, ioredis/node-redis commands without a callback, Stripe resources, nodemailer
 *   `sendMail` without a callback;
 * - a `.then(onFulfilled)` or `.finally()` chain on a call's promise with no rejection handler
 *   anywhere in it (a promise kept in a variable or field may be handled by whoever holds it).
 *
 * Not reported: `void promise` (fire-and-forget on purpose), awaited or returned promises,
 * `.catch(...)` and `.then(ok, err)`, and statements at module level: a script's `main()` that
 * rejects crashes the process with the error printed, which is what a script wants. Browser code
 * (see `support/file-role.ts`) is skipped: there an unhandled rejection is a console line. A
 * `no-floating-promises` lint acknowledgement on the line above is respected.
 */

const PRISMA_MODEL_OPS = new Set([
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'upsert',
  'delete',
  'deleteMany',
  'findMany',
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'count',
  'aggregate',
  'groupBy',
]);
const PRISMA_CLIENT_OPS = new Set(['$connect', '$disconnect', '$transaction', '$executeRaw', '$executeRawUnsafe', '$queryRaw', '$queryRawUnsafe', '$runCommandRaw']);
/** `prisma`, `this.prisma`, `ctx.prisma`, `db.prisma`, the transaction client `tx`. */
const PRISMA_OBJECT = /^(?:(?:this|ctx|context|req|app)\.)?(prisma|prismaClient|tx)$/;

const AXIOS_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'postForm', 'putForm', 'patchForm']);
/** Only names that say Redis: a `cache` is as often a `Map` or an LRU, whose `set` is synchronous. */
const REDIS_OBJECT = /(^|\.)\w*(redis|Redis)\w*$/;
const REDIS_WRITES = new Set([
  'set', 'setex', 'psetex', 'setnx', 'mset', 'del', 'unlink', 'expire', 'pexpire', 'expireat', 'incr', 'incrby', 'decr', 'decrby',
  'hset', 'hmset', 'hdel', 'hincrby', 'sadd', 'srem', 'zadd', 'zrem', 'zincrby', 'lpush', 'rpush', 'ltrim', 'publish', 'xadd', 'persist',
]);
const QUEUE_OBJECT = /(^|\.)\w*[qQ]ueue$/;
const STRIPE_WRITES = new Set(['create', 'update', 'del', 'cancel', 'capture', 'confirm', 'refund', 'pay', 'finalizeInvoice', 'voidInvoice', 'sendInvoice', 'attach', 'detach']);
const MAILER_OBJECT = /(transport|transporter|mailer|smtp)$/i;
const FS_PROMISE_MODULES = new Set(['fs/promises', 'node:fs/promises']);

/**
 * What the file says about the names calls use, each part learned when a call first needs it:
 * most statement calls need none of it, and learning all of it at once walked the whole tree
 * and every async function's body.
 */
interface FileFacts {
  readonly source: string;
  readonly root: SyntaxNode;
  readonly hints: SourceHints;
  /** Per name (`send`, `this.sync`): see declaredAsyncOnly(). */
  readonly asyncOnly: Map<string, boolean>;
  bindings?: ModuleBindings;
}

interface ModuleBindings {
  /** Identifiers bound to `fs/promises` (namespace, default or `promises as fsp`). */
  readonly fsPromiseObjects: ReadonlySet<string>;
  /** Functions imported by name from `fs/promises`. */
  readonly fsPromiseFunctions: ReadonlySet<string>;
  /** `const api = axios.create(...)` */
  readonly axiosInstances: ReadonlySet<string>;
}

const factsCache = new WeakMap<FileView, FileFacts>();

function isAsync(fn: SyntaxNode): boolean {
  return fn.children.some((c) => c.type === 'async');
}

/**
 * isAsync() without asking for the function's children when its source says it cannot be: the
 * `async` keyword is a function's first token, or for a method comes before its name (after
 * decorators and modifiers), so without the word there the answer is no. With it, the children
 * decide (`async => 1` is an arrow whose parameter is named async).
 */
function isAsyncIn(source: string, fn: SyntaxNode, name: SyntaxNode | null): boolean {
  const keywordEnd = fn.type === 'method_definition' ? (name?.startIndex ?? fn.endIndex) : fn.startIndex + 5;
  if (!source.slice(fn.startIndex, keywordEnd).includes('async')) return false;
  return isAsync(fn);
}

/**
 * An async function that cannot reject: every `await`, `throw` and returned call in its own body
 * sits inside a `try` with a `catch`. Calling it without `await` loses nothing.
 */
function cannotReject(fn: SyntaxNode): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  if (body.type !== 'statement_block') return !['call_expression', 'await_expression'].includes(body.type);
  let guards: SyntaxNode[] | undefined;
  // The function's own awaits, throws and returns: the native walk also hands over the nested
  // functions, and what starts inside one (document order) belongs to it, as enclosingFunction()
  // would say. Decided one at a time: the first risky one outside a try settles it.
  let safe = true;
  visitPruned(body.descendantsOfType(RISKY_OR_FUNCTION), (n) => {
    if (FUNCTION_TYPE_SET.has(n.type)) return 'skip';
    let risky: boolean;
    if (n.type === 'return_statement') risky = n.namedChild(0)?.type === 'call_expression';
    else if (n.type === 'await_expression') risky = !neverRejects(n.namedChild(0), fn);
    else {
      guards ??= leadingGuards(body);
      risky = !guards.some((g) => n.startIndex >= g.startIndex && n.endIndex <= g.endIndex);
    }
    if (!risky || insideTryWithCatch(n, fn)) return;
    safe = false;
    return 'stop';
  });
  return safe;
}

const FUNCTION_TYPE_SET: ReadonlySet<string> = new Set(FUNCTION_TYPES);
const RISKY_OR_FUNCTION = ['await_expression', 'throw_statement', 'return_statement', ...FUNCTION_TYPES];

/** Timers that resolve and never reject: `await sleep(500)`. */
const NEVER_REJECTS = /^(\w+\.)?(sleep|delay|wait|setTimeout|setImmediate|nextTick|tick|yieldToEventLoop)$/;

/**
 * An awaited value that cannot reject: a timer (`await sleep(500)`, also in its compiled form
 * `(0, timers.sleep)(500)`), or a local built as `new Promise((resolve) => …)` with no reject.
 */
function neverRejects(awaited: SyntaxNode | null, fn: SyntaxNode): boolean {
  if (!awaited) return false;
  if (awaited.type === 'call_expression') {
    let callee = awaited.childForFieldName('function');
    if (callee?.type === 'parenthesized_expression' && callee.namedChild(0)?.type === 'sequence_expression') {
      const seq = callee.namedChild(0)!;
      callee = seq.namedChild(seq.namedChildCount - 1);
    }
    return NEVER_REJECTS.test(dottedName(callee) ?? '');
  }
  if (awaited.type === 'identifier') {
    const name = awaited.text;
    const assignments = fn
      .descendantsOfType(['assignment_expression', 'variable_declarator'])
      .filter((a) => (a.childForFieldName('left') ?? a.childForFieldName('name'))?.text === name && (a.childForFieldName('right') ?? a.childForFieldName('value')));
    return (
      assignments.length > 0 &&
      assignments.every((a) => {
        const value = a.childForFieldName('right') ?? a.childForFieldName('value');
        if (value?.type !== 'new_expression' || value.childForFieldName('constructor')?.text !== 'Promise') return false;
        const executor = value.childForFieldName('arguments')?.namedChild(0);
        const params = executor?.childForFieldName('parameters') ?? executor?.childForFieldName('parameter');
        return !!params && (params.type === 'identifier' || params.namedChildCount === 1);
      })
    );
  }
  return false;
}

/**
 * Precondition checks at the top of a function (`if (!this.socket) throw new Error('internal
 * error')`): they report a programming error, not a runtime failure that a caller could handle.
 */
function leadingGuards(body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const statement of body.namedChildren) {
    if (statement.type === 'comment') continue;
    if (statement.type !== 'if_statement' || statement.descendantsOfType('await_expression').length > 0) break;
    out.push(statement);
  }
  return out;
}

function insideTryWithCatch(node: SyntaxNode, fn: SyntaxNode): boolean {
  for (let child = node, p = node.parent; p && p !== fn; child = p, p = p.parent) {
    if (p.type === 'try_statement' && p.childForFieldName('body')?.id === child.id && p.childForFieldName('handler')) return true;
  }
  return false;
}

/**
 * Words of the file that decide whole branches, each searched for once per file and only when
 * first asked: most files need one or two of them, and a missing word costs a scan of the file.
 */
class SourceHints {
  #async: boolean | undefined;
  #promises: boolean | undefined;
  #axios: boolean | undefined;

  constructor(private readonly source: string) {}

  /** Without `async` in the file, no function of the file is async (declaredAsyncOnly() is false). */
  get async(): boolean {
    return (this.#async ??= this.source.includes('async'));
  }

  /** Without `promises`, nothing comes from fs/promises (fsPromiseObjects, fsPromiseFunctions). */
  get promises(): boolean {
    return (this.#promises ??= this.source.includes('promises'));
  }

  /** Without `axios`, no `axios.create()` instance. */
  get axios(): boolean {
    return (this.#axios ??= this.source.includes('axios'));
  }
}

const hintsCache = new WeakMap<FileView, SourceHints>();

function hintsFor(file: FileView): SourceHints {
  let hints = hintsCache.get(file);
  if (!hints) {
    hints = new SourceHints(file.source);
    hintsCache.set(file, hints);
  }
  return hints;
}

/**
 * Whether `key` (a function's name, or `this.` and a method's name) is declared in the file as an
 * async function whose body can reject, and never as a non-async function (an ambiguous name is
 * not reported). The declarations are found at the name's occurrences in the source: the node
 * spanning exactly an occurrence is a declaration's name when its parent says so (node identity
 * is stable). Answered once per name and file.
 */
function declaredAsyncOnly(facts: FileFacts, key: string): boolean {
  let known = facts.asyncOnly.get(key);
  if (known === undefined) facts.asyncOnly.set(key, (known = lookUpAsyncOnly(facts, key)));
  return known;
}

const WORD_CHAR = /^[\w$]$/;

function lookUpAsyncOnly(facts: FileFacts, key: string): boolean {
  // Without the word in the file no function is async.
  if (!facts.hints.async) return false;
  const { source, root } = facts;
  const method = key.startsWith('this.');
  const name = method ? key.slice('this.'.length) : key;
  if (!name) return false;
  const declarations: { fn: SyntaxNode; name: SyntaxNode }[] = [];
  for (let at = source.indexOf(name); at >= 0; at = source.indexOf(name, at + 1)) {
    // Inside a longer word (`t` in `const`): no token spans exactly this occurrence. Asked before
    // the tree, as a short name occurs everywhere.
    if (WORD_CHAR.test(source[at - 1] ?? '') || WORD_CHAR.test(source[at + name.length] ?? '')) continue;
    const leaf = root.descendantForIndex(at, at + name.length);
    if (leaf.startIndex !== at || leaf.endIndex !== at + name.length) continue;
    const parent = leaf.parent;
    if (!parent) continue;
    if (method) {
      if (parent.type === 'method_definition' && parent.childForFieldName('name') === leaf) declarations.push({ fn: parent, name: leaf });
    } else if (parent.type === 'function_declaration') {
      if (parent.childForFieldName('name') === leaf) declarations.push({ fn: parent, name: leaf });
    } else if (parent.type === 'variable_declarator' && leaf.type === 'identifier' && parent.childForFieldName('name') === leaf) {
      const value = parent.childForFieldName('value');
      if (value?.type === 'arrow_function' || value?.type === 'function_expression') declarations.push({ fn: value, name: leaf });
    }
  }
  if (declarations.some((d) => !isAsyncIn(source, d.fn, d.name))) return false;
  return declarations.some((d) => !cannotReject(d.fn));
}

/**
 * The declarators and imports that hold one of `words`: every binding moduleBindings() keeps has
 * its word inside the node (the `axios` of `axios.create()`, the `promises` of `fs.promises`, of
 * `'fs/promises'`, of `{ promises as fsp }`), so it is an ancestor of the node spanning an
 * occurrence of the word. Found from the occurrences instead of listing every declarator of the
 * file; each is judged as before, so the sets are the same.
 */
function bindingCandidates(facts: FileFacts, words: readonly string[]): SyntaxNode[] {
  const found = new Set<SyntaxNode>();
  for (const word of words) {
    for (let at = facts.source.indexOf(word); at >= 0; at = facts.source.indexOf(word, at + 1)) {
      for (let node: SyntaxNode | null = facts.root.descendantForIndex(at, at + word.length); node; node = node.parent) {
        if (node.type === 'variable_declarator' || node.type === 'import_statement') found.add(node);
      }
    }
  }
  return [...found];
}

/**
 * The file's fs/promises and axios bindings. Their names are read raw from the file: without
 * `promises` or `axios` in it nothing is bound, and the tree is not walked.
 */
function moduleBindings(facts: FileFacts): ModuleBindings {
  if (facts.bindings) return facts.bindings;
  const fsPromiseObjects = new Set<string>();
  const fsPromiseFunctions = new Set<string>();
  const axiosInstances = new Set<string>();
  const { hints } = facts;
  const nodes = bindingCandidates(facts, [...(hints.promises ? ['promises'] : []), ...(hints.axios ? ['axios'] : [])]);
  for (const node of nodes) {
    switch (node.type) {
      case 'variable_declarator': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (name?.type !== 'identifier' || !value) break;
        if (hints.axios && value.type === 'call_expression' && calleeName(value) === 'axios.create') axiosInstances.add(name.text);
        else if (hints.promises && (dottedName(value)?.endsWith('fs.promises') || (value.type === 'member_expression' && /require\(['"](node:)?fs['"]\)\.promises$/.test(value.text)))) {
          fsPromiseObjects.add(name.text);
        }
        break;
      }
      case 'import_statement': {
        const source = stringValue(node.childForFieldName('source'));
        if (source === undefined) break;
        const clause = node.namedChildren.find((c) => c.type === 'import_clause');
        if (!clause) break;
        for (const part of clause.namedChildren) {
          if (FS_PROMISE_MODULES.has(source)) {
            if (part.type === 'identifier') fsPromiseObjects.add(part.text);
            if (part.type === 'namespace_import') fsPromiseObjects.add(part.namedChild(0)?.text ?? '');
            if (part.type === 'named_imports') {
              for (const spec of part.namedChildren) {
                // Comments sit among the specifiers: `import { a, /* why */ b }`.
                if (spec.type === 'import_specifier') fsPromiseFunctions.add((spec.childForFieldName('alias') ?? spec.childForFieldName('name'))!.text);
              }
            }
          } else if ((source === 'fs' || source === 'node:fs') && part.type === 'named_imports') {
            // import { promises as fsp } from 'fs'
            for (const spec of part.namedChildren) {
              if (spec.type === 'import_specifier' && spec.childForFieldName('name')?.text === 'promises') fsPromiseObjects.add((spec.childForFieldName('alias') ?? spec.childForFieldName('name'))!.text);
            }
          }
        }
        break;
      }
    }
  }
  facts.bindings = { fsPromiseObjects, fsPromiseFunctions, axiosInstances };
  return facts.bindings;
}

function factsFor(file: FileView, root: SyntaxNode): FileFacts {
  let facts = factsCache.get(file);
  if (!facts) {
    facts = { source: file.source, root, hints: hintsFor(file), asyncOnly: new Map() };
    factsCache.set(file, facts);
  }
  return facts;
}

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

function lastArgIsCallback(call: SyntaxNode): boolean {
  const all = args(call);
  const last = all[all.length - 1];
  return !!last && (last.type === 'arrow_function' || last.type === 'function_expression' || /^(cb|callback|done|next)$/.test(last.text));
}

/** Why this call is known to return a promise, or undefined when it is not known. */
function knownPromise(call: SyntaxNode, factsOf: () => FileFacts): { what: string; lazy?: boolean } | undefined {
  const name = calleeName(call);
  if (!name) return undefined;
  const method = lastSegment(name)!;
  const object = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;

  if (!object) {
    let what: string | undefined;
    if (name === 'fetch') what = '`fetch()` returns a promise';
    else if (name === 'axios') what = '`axios()` returns a promise';
    else if (moduleBindings(factsOf()).fsPromiseFunctions.has(name)) what = `\`${name}\` from fs/promises returns a promise`;
    else if (declaredAsyncOnly(factsOf(), name)) what = `\`${name}\` is declared \`async\` in this file`;
    // A parameter or local of the same name hides the module's function: `callback()` is whatever was passed.
    // Looked up last: it walks every enclosing function's parameters.
    if (!what || shadowed(name, call)) return undefined;
    return { what };
  }
  if (object === 'this' && declaredAsyncOnly(factsOf(), name)) {
    return { what: `\`${method}\` is an \`async\` method of this class` };
  }
  if (AXIOS_VERBS.has(method) && (object === 'axios' || moduleBindings(factsOf()).axiosInstances.has(object))) return { what: `\`${name}()\` returns a promise` };
  if (/(^|\.)fs\.promises$/.test(object) || moduleBindings(factsOf()).fsPromiseObjects.has(object)) return { what: `\`${name}\` is an fs/promises call` };
  const prismaModel = object.includes('.') ? object.slice(0, object.lastIndexOf('.')) : undefined;
  if (prismaModel && PRISMA_OBJECT.test(prismaModel) && PRISMA_MODEL_OPS.has(method)) {
    return { what: `Prisma's \`${method}\` returns a lazy query`, lazy: true };
  }
  if (PRISMA_OBJECT.test(object) && PRISMA_CLIENT_OPS.has(method)) return { what: `Prisma's \`${method}\` returns a promise` };

  if (QUEUE_OBJECT.test(object)) {
    const first = args(call)[0];
    if (method === 'add' && first && stringValue(first) !== undefined) return { what: `\`${name}\` (BullMQ) returns a promise` };
    if (method === 'addBulk' && first?.type === 'array') return { what: `\`${name}\` (BullMQ) returns a promise` };
  }
  if (REDIS_OBJECT.test(object) && REDIS_WRITES.has(method) && !lastArgIsCallback(call)) return { what: `the Redis client's \`${method}\` returns a promise` };
  if (/^(this\.)?stripe\.\w+(\.\w+)?$/.test(object) && STRIPE_WRITES.has(method)) return { what: `\`${name}\` (Stripe) returns a promise` };
  if (method === 'sendMail' && MAILER_OBJECT.test(object) && args(call).length === 1) return { what: '`sendMail` without a callback returns a promise' };
  return undefined;
}

/** Whether `name` is a parameter of an enclosing function (then it is not the file's function). */
function shadowed(name: string, node: SyntaxNode): boolean {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
    if (!params) continue;
    if (params.type === 'identifier' ? params.text === name : params.descendantsOfType('identifier').some((i) => i.text === name)) return true;
  }
  return false;
}

/** The calls of a chain, outermost first: `a().then(f).finally(g)` → finally, then, a(). */
function chainCalls(call: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  let current: SyntaxNode | null = call;
  while (current?.type === 'call_expression') {
    out.push(current);
    const fn: SyntaxNode | null = current.childForFieldName('function');
    current = fn?.type === 'member_expression' ? fn.childForFieldName('object') : null;
  }
  return out;
}

function methodOf(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
}

/** A rejection handler anywhere in the chain: `.catch(...)` or `.then(ok, err)`. */
function chainHandlesRejection(calls: readonly SyntaxNode[]): boolean {
  return calls.some((c) => {
    const method = methodOf(c);
    return method === 'catch' || (method === 'then' && args(c).length >= 2);
  });
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

/**
 * The promise a `.then()`/`.finally()` chain starts from, when it can reject and nobody else holds
 * it: a call's result. A promise kept in a variable or field (`this.ready.then(...)`) may be
 * handled by whoever else holds it; `Promise.resolve()` and `Promise.allSettled()` never reject.
 */
function chainRootCanReject(calls: readonly SyntaxNode[]): boolean {
  // The innermost call: `fetch(url)` in `fetch(url).then(f)`, or `.then` itself when the chain
  // starts from a variable (`this.ready.then(f)`).
  const root = calls[calls.length - 1]!;
  if (['then', 'finally', 'catch'].includes(methodOf(root) ?? '')) return false;
  const name = calleeName(root);
  return name !== 'Promise.resolve' && name !== 'Promise.allSettled';
}

/** `// eslint-disable-next-line @typescript-eslint/no-floating-promises` and the like. */
const ACKNOWLEDGEMENT = /no-floating-promises|floating[- ]promise|fire[- ]and[- ]forget|(do not|don't|no need to|not) (need to )?(await|wait)|should not (error|reject|fail|throw)|never rejects|cannot (fail|reject)/i;

/** A comment on the call's line or in the three lines above that says it is not awaited on purpose. */
function acknowledged(call: SyntaxNode, ctx: RuleContext): boolean {
  const row = call.startPosition.row + 1;
  for (let n = row; n >= Math.max(1, row - 3); n--) {
    const line = ctx.file.line(n);
    const comment = line.indexOf('//') >= 0 ? line.slice(line.indexOf('//')) : /^\s*(\/\*|\*)/.test(line) ? line : '';
    if (comment && ACKNOWLEDGEMENT.test(comment)) return true;
  }
  return false;
}

/** Every method name through which knownPromise() can know a receiver's call returns a promise. */
const PROMISE_METHODS = new Set([
  ...AXIOS_VERBS,
  ...PRISMA_MODEL_OPS,
  ...PRISMA_CLIENT_OPS,
  'add',
  'addBulk',
  ...REDIS_WRITES,
  ...STRIPE_WRITES,
  'sendMail',
]);

/**
 * Whether knownPromise() can say anything about a call with this callee, from its last name and
 * two words of the file, without the tree walks and file facts it needs. Most statement calls
 * (`res.json(x)`, `logger.info(x)`, `items.push(x)`) stop here.
 */
function mayBeKnown(callee: SyntaxNode | null, method: string | undefined, file: FileView): boolean {
  if (!callee) return false;
  if (callee.type === 'identifier') {
    const name = callee.text;
    if (name === 'fetch' || name === 'axios') return true;
    const hints = hintsFor(file);
    return hints.async || hints.promises;
  }
  if (callee.type === 'member_expression') {
    // No property text: calleeName() is undefined.
    if (!method) return false;
    if (PROMISE_METHODS.has(method)) return true;
    const hints = hintsFor(file);
    // Any method of an fs/promises object.
    if (hints.promises) return true;
    // `this.method()` of an async method of the class: the object's dotted name is `this`.
    if (!hints.async) return false;
    const object = callee.childForFieldName('object')?.type;
    return object === 'this' || object === 'parenthesized_expression' || object === 'non_null_expression';
  }
  // `(f)()`, `f!()` and the like: left to knownPromise().
  return true;
}

function check(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  // The cheapest facts first: the callee's last name decides for most calls.
  const callee = call.childForFieldName('function');
  const outer = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
  const chained = outer === 'then' || outer === 'finally';
  let known: { what: string; lazy?: boolean } | undefined;
  if (!chained) {
    if (!mayBeKnown(callee, outer, ctx.file)) return;
    known = knownPromise(call, () => factsFor(ctx.file, call.tree.rootNode));
    if (!known) return;
  }

  const fn = enclosingFunction(call);
  // Module level: a rejected top-level promise crashes a script loudly, as it should.
  if (!fn) return;

  const calls = chainCalls(call);
  if (chainHandlesRejection(calls)) return;
  if (acknowledged(call, ctx)) return;
  // In a browser an unhandled rejection is a console line, not a crashed process.
  if (fileRole(ctx.file, call.tree.rootNode).role === 'browser') return;

  // Built only for a call that is reported: the call may be a whole handler registration.
  const awaitFix = (): { suggestion?: Suggestion } => (isAsync(fn) ? { suggestion: replaceNode(ctx.file, call, `await ${ctx.text(call)}`) } : {});

  if (chained) {
    if (!chainRootCanReject(calls)) return;
    ctx.report({
      node: call,
      message: `\`.${outer}(...)\` without a rejection handler: if \`${shorten(ctx.text(calls[calls.length - 1]!))}\` rejects, the error is unhandled.`,
      ...awaitFix(),
    });
    return;
  }

  const text = shorten(ctx.text(call));
  ctx.report({
    node: call,
    message: known!.lazy
      ? `${known!.what}: without \`await\` \`${text}\` never runs, and nothing notices.`
      : `${known!.what}, and \`${text}\` is neither awaited nor given a \`.catch\`: a rejection is unhandled and nobody waits for it.`,
    ...awaitFix(),
  });
}

const rule: Rule = {
  meta: {
    id: 'floating-promise',
    title: 'Promise neither awaited nor handled',
    severity: 'P2',
    category: 'Reliability',
    languages: ['ts'],
    docs: {
      why: 'A promise used as a bare statement runs detached: the handler answers before the work is done, a rejection becomes an unhandled rejection (Node exits on it by default), and Prisma queries, which are lazy, never run at all.',
      fix: 'Await it (or return it). For fire-and-forget work, hand it to a queue, or attach `.catch(err => logger.error(...))` and mark the intent with `void`.',
      example: {
        bad: "app.post('/signup', async (req, res) => {\n  const user = await createUser(req.body);\n  sendWelcomeEmail(user);\n  res.status(201).json(user);\n});",
        good: "app.post('/signup', async (req, res) => {\n  const user = await createUser(req.body);\n  void sendWelcomeEmail(user).catch((err) => req.log.error({ err }, 'welcome email failed'));\n  res.status(201).json(user);\n});",
      },
    },
  },
  // Every report names one of these: a `.then`/`.finally` chain; a function declared `async` in
  // the file; `fetch`, `axios` (and its instances, made by `axios.create`); fs/promises (imported
  // or `fs.promises`); a `*queue`, `*redis*` or `stripe` receiver; `sendMail`. Prisma calls are
  // gated on their method names, not on `prisma`: the transaction client is often just `tx`.
  requires: [
    'then', 'finally', 'async', 'fetch', 'axios', 'promises', 'queue', 'redis', 'stripe', 'sendmail',
    'create', 'update', 'upsert', 'delete', 'find', 'count', 'aggregate', 'groupby',
    '$connect', '$disconnect', '$transaction', '$executeraw', '$queryraw', '$runcommandraw',
  ],
  ts: {
    query: `(expression_statement (call_expression) @call)`,
    onMatch: check,
  },
};

export default rule;
