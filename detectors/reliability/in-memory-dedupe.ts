import { fileRole } from '../support/file-role.js';
import { words } from '../support/names.js';
import { isHandlerModulePy, isHandlerModuleTs } from '../support/server-code.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode, Tree } from '../../src/engine/types.js';

/**
 * Module-level (or singleton-held) collections that remember which events, requests or tokens
 * were already seen, in code that handles requests. Each process has its own copy: a second
 * instance, a restart, a deploy or a serverless cold start forgets it.
 */

type Purpose = 'dedupe' | 'rate-limit' | 'replay';

/** Words that say what the collection is for. */
const DEDUPE_WORDS = new Set(['processed', 'seen', 'dedupe', 'dedup', 'deduplication', 'deduped', 'idempotency', 'idempotent', 'handled', 'delivered', 'consumed']);
const REPLAY_WORDS = new Set(['nonce', 'nonces', 'replay', 'replays', 'replayed', 'jti', 'jtis']);
const USED_OBJECTS = new Set(['token', 'tokens', 'nonce', 'nonces', 'code', 'codes', 'key', 'keys', 'jti', 'jtis', 'otp', 'otps', 'link', 'links']);
const RATE_WORDS = new Set(['ratelimit', 'ratelimits', 'ratelimiter', 'throttle', 'throttles', 'throttled', 'throttling']);

function purposeOf(name: string): Purpose | undefined {
  const ws = words(name);
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    const next = ws[i + 1];
    if (w === 'rate' && next && /^limit/.test(next)) return 'rate-limit';
    if (RATE_WORDS.has(w)) return 'rate-limit';
    if (REPLAY_WORDS.has(w)) return 'replay';
    if (w === 'used' && next && USED_OBJECTS.has(next)) return 'replay';
    // `lastSeen` tracks presence, not duplicates.
    if (w === 'seen' && ws[i - 1] === 'last') continue;
    if (DEDUPE_WORDS.has(w)) return 'dedupe';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The value: an in-memory collection

const TS_COLLECTIONS = /^(Set|Map|LRUCache|LRU|QuickLRU|NodeCache|TTLCache|Array)$/;
const PY_COLLECTIONS = /^(set|dict|list|defaultdict|OrderedDict|deque|Counter|TTLCache|LRUCache|cachetools\.\w+|collections\.\w+|ExpiringDict)$/;

function isInMemoryCollectionTs(value: SyntaxNode): boolean {
  let v = value;
  if (v.type === 'as_expression' || v.type === 'satisfies_expression') v = v.namedChild(0) ?? v;
  if (v.type === 'new_expression') return TS_COLLECTIONS.test(v.childForFieldName('constructor')?.text ?? '');
  if (v.type === 'object' || v.type === 'array') return true;
  if (v.type === 'call_expression') return /^Object\.create$/.test(v.childForFieldName('function')?.text ?? '');
  return false;
}

function isInMemoryCollectionPy(value: SyntaxNode): boolean {
  if (value.type === 'dictionary' || value.type === 'list' || value.type === 'set') return true;
  if (value.type === 'call') return PY_COLLECTIONS.test(value.childForFieldName('function')?.text ?? '');
  return false;
}

// ---------------------------------------------------------------------------------------------
// Mutation: the collection is written to, so it is state and not a constant

const TS_MUTATORS = new Set(['add', 'set', 'push', 'unshift', 'splice']);
const PY_MUTATORS = new Set(['add', 'append', 'appendleft', 'update', 'setdefault', 'extend', 'insert', '__setitem__']);

/** `name`, `this.name`, `self.name`, `cls.name`, `SomeClass.name`: the ways the collection is referred to. */
function refersTo(node: SyntaxNode | null | undefined, name: string): boolean {
  if (!node) return false;
  if (node.type === 'identifier') return node.text === name;
  if (node.type === 'member_expression') return node.childForFieldName('property')?.text === name && /^(this|[A-Z]\w*)$/.test(node.childForFieldName('object')?.text ?? '');
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text === name && /^(self|cls|[A-Z]\w*)$/.test(node.childForFieldName('object')?.text ?? '');
  return false;
}

/** Strips `[key]` and `.prop` down to the collection: `seen[id].push` → `seen`. */
function collectionOf(node: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let n = node ?? undefined;
  while (n && (n.type === 'subscript_expression' || n.type === 'subscript')) n = n.childForFieldName(n.type === 'subscript' ? 'value' : 'object') ?? undefined;
  return n;
}

/** The first write to the collection: `seen.add(id)`, `seen[id] = true`, `hits[ip] += 1`, `buckets[ip].append(now)`. */
function writesOf(root: SyntaxNode, name: string, python: boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const mutators = python ? PY_MUTATORS : TS_MUTATORS;
  for (const node of root.descendantsOfType(['call_expression', 'call', 'assignment_expression', 'augmented_assignment_expression', 'assignment', 'augmented_assignment', 'update_expression'])) {
    switch (node.type) {
      case 'call_expression':
      case 'call': {
        const fn = node.childForFieldName('function');
        if (fn?.type !== 'member_expression' && fn?.type !== 'attribute') break;
        const method = fn.childForFieldName(python ? 'attribute' : 'property')?.text ?? '';
        if (!mutators.has(method)) break;
        const object = fn.childForFieldName('object');
        if (refersTo(object, name) || refersTo(collectionOf(object), name)) out.push(node);
        break;
      }
      case 'assignment_expression':
      case 'augmented_assignment_expression':
      case 'assignment':
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        if ((left?.type === 'subscript_expression' || left?.type === 'subscript' || (left?.type === 'member_expression' && !refersTo(left, name))) && refersTo(collectionOf(left.type === 'member_expression' ? left.childForFieldName('object') : left), name)) out.push(node);
        break;
      }
      case 'update_expression': {
        const target = node.namedChild(0);
        if (target && refersTo(collectionOf(target), name) && target.type !== 'identifier') out.push(node);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A shared store already does the job: the in-memory set is a fast path in front of it

const SHARED_STORE_TS = /\.(setnx|setNX)\s*\(|['"]NX['"]|\bNX\s*:\s*true|\bnx\s*:\s*true|\.(upsert|createIfNotExists)\s*\(|\bON CONFLICT\b|\bskipDuplicates\s*:/;
const SHARED_STORE_PY = /\bnx\s*=\s*True|\.setnx\s*\(|\bcache\.add\s*\(|\.get_or_create\s*\(|\bON CONFLICT\b|\bignore_conflicts\s*=\s*True|on_conflict_do_nothing/;

// ---------------------------------------------------------------------------------------------

/**
 * A word purposeOf() accepts is a run of a name's letters (lowercased): each holds one of these,
 * ignoring case (`rate`+`limit…` and `ratelimit…` hold `limit`, the dedupe words `dedup`, …).
 */
const PURPOSE_HINT = /limit|throttl|nonce|replay|jti|used|processed|seen|dedup|idempoten|handled|delivered|consumed/i;

/**
 * The source from where a name starts, as far as a name can go: ASCII word characters, `$`,
 * anything beyond ASCII, the `\` and braces of a `\u{…}` escape, and `-` (JSX names). The name
 * is a prefix of it, read without asking the tree where the name ends.
 */
const NAME_CHARS = /[\w$\\{}\-\u0080-\uffff]*/y;

function nameMayHavePurpose(source: string, nameNode: SyntaxNode): boolean {
  NAME_CHARS.lastIndex = nameNode.startIndex;
  return PURPOSE_HINT.test(NAME_CHARS.exec(source)![0]);
}

function check(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    const nameNode = match.captures.name!;
    // A declaration on an unchanged line is read by checkFile, which looks for changed writes to it.
    if (!ctx.file.isChangedLine(nameNode.startPosition.row + 1)) return;
    checkDeclaration(nameNode, match.captures.value!, ctx, python);
  };
}

/**
 * Collections declared before the change that the change starts writing to: their declarations
 * lie outside the changed lines the queries read, so they are found here, in the whole file.
 * Only a name holding one of PURPOSE_HINT's words can be reported, and a name's text is the
 * source's, so the declarations are looked up where those words are (the identifier spanning
 * each) instead of listing every declaration of the file: the same shapes as the queries.
 */
function checkUnchangedDeclarations(ctx: RuleContext, tree: Tree | undefined): void {
  if (!tree || ctx.file.wholeFile) return;
  const python = ctx.file.language === 'python';
  const root = tree.rootNode;
  const names = new Set<SyntaxNode>();
  for (const m of ctx.file.source.matchAll(PURPOSE_WORDS)) names.add(root.descendantForIndex(m.index, m.index + m[0].length));
  for (const name of [...names].sort((a, b) => a.startIndex - b.startIndex)) {
    const declaration = name.parent;
    if (!declaration || ctx.file.isChangedLine(name.startPosition.row + 1)) continue;
    let value: SyntaxNode | null;
    if (python) {
      if (name.type !== 'identifier' || declaration.type !== 'assignment' || declaration.parent?.type !== 'expression_statement') continue;
      if (declaration.childForFieldName('left') !== name) continue;
      value = declaration.childForFieldName('right');
    } else {
      const nameType = declaration.type === 'variable_declarator' ? 'identifier' : declaration.type === 'public_field_definition' ? 'property_identifier' : undefined;
      if (!nameType || name.type !== nameType || declaration.childForFieldName('name') !== name) continue;
      value = declaration.childForFieldName('value');
    }
    if (value?.isNamed) checkDeclaration(name, value, ctx, python);
  }
}

const PURPOSE_WORDS = new RegExp(PURPOSE_HINT.source, 'gi');

function checkDeclaration(nameNode: SyntaxNode, value: SyntaxNode, ctx: RuleContext, python: boolean): void {
  // Most names say nothing of a purpose: passed over on the source's text.
  if (!nameMayHavePurpose(ctx.file.source, nameNode)) return;
  const name = nameNode.text;
  const purpose = purposeOf(name);
  if (!purpose) return;
  if (!(python ? isInMemoryCollectionPy(value) : isInMemoryCollectionTs(value))) return;
  if (!isModuleOrSingletonState(nameNode, python)) return;
  const root = nameNode.tree.rootNode;
  const role = fileRole(ctx.file, root).role;
  if (role === 'cli' || role === 'script' || role === 'build' || role === 'browser' || role === 'test') return;
  if (!(python ? isHandlerModulePy(root, ctx.file.path) : isHandlerModuleTs(root, ctx.file.path))) return;
  const writes = writesOf(root, name, python);
  if (writes.length === 0) return; // a constant set (allow-list, known ids), not state
  if ((python ? SHARED_STORE_PY : SHARED_STORE_TS).test(ctx.file.source)) return;
  if (documentedAsFallback(ctx, nameNode.startPosition.row + 1)) return;

  const message = messageFor(name, purpose);
  const declaredRow = nameNode.startPosition.row + 1;
  if (ctx.file.isChangedLine(declaredRow)) {
    ctx.report({ node: nameNode, key: `${name} = ${ctx.text(value)}`, message });
    return;
  }
  // The collection predates the change, the change starts relying on it: comment on the new write.
  const changedWrite = writes.find((w) => ctx.file.isChangedLine(w.startPosition.row + 1));
  if (changedWrite) ctx.report({ node: changedWrite, key: `${name} = ${ctx.text(value)}`, message });
}

/**
 * The comment right above the declaration says the set is only a fast path or a fallback in front
 * of a real guarantee (a unique constraint, a shared store): the author has made that call.
 */
const FALLBACK_COMMENT = /fall-?back|fast[- ]path|best[- ]effort|optimi[sz]ation only/i;

function documentedAsFallback(ctx: RuleContext, row: number): boolean {
  for (let line = row - 1; line >= Math.max(1, row - 4); line--) {
    const text = ctx.file.line(line).trim();
    if (!/^(\/\/|#|\*|\/\*)/.test(text)) break;
    if (FALLBACK_COMMENT.test(text)) return true;
  }
  return false;
}

function messageFor(name: string, purpose: Purpose): string {
  switch (purpose) {
    case 'rate-limit':
      return `\`${name}\` keeps rate-limit counts in this process's memory: every instance counts separately and a restart or cold start resets them, so the real limit is the configured one times the number of instances.`;
    case 'replay':
      return `\`${name}\` remembers used tokens in this process's memory: another instance, a restart or a cold start has never seen them, so the same token or nonce can be replayed there.`;
    default:
      return `\`${name}\` remembers what was already processed in this process's memory: another instance, a restart or a serverless cold start has not seen it, so the same event or request is processed twice.`;
  }
}

/** Module-level, a static class field, or a field of a singleton controller/service (NestJS, Django/DRF views' class attributes). */
function isModuleOrSingletonState(nameNode: SyntaxNode, python: boolean): boolean {
  if (python) {
    const statement = nameNode.parent?.parent; // identifier → assignment → expression_statement
    const container = statement?.parent;
    if (container?.type === 'module') return true;
    return container?.type === 'block' && container.parent?.type === 'class_definition';
  }
  const field = nameNode.parent;
  if (field?.type === 'public_field_definition') {
    if (field.children.some((c) => c.type === 'static')) return true;
    const cls = field.parent?.parent;
    const decorators = [...(cls?.namedChildren.filter((c) => c.type === 'decorator') ?? [])];
    for (let s = cls?.previousNamedSibling ?? null; s?.type === 'decorator'; s = s.previousNamedSibling) decorators.push(s);
    if (cls?.parent?.type === 'export_statement') for (const c of cls.parent.namedChildren) if (c.type === 'decorator') decorators.push(c);
    return decorators.some((d) => /^@(Controller|Injectable|Resolver)\b/.test(d.text));
  }
  const declaration = field?.parent;
  const container = declaration?.parent?.type === 'export_statement' ? declaration.parent.parent : declaration?.parent;
  return container?.type === 'program';
}

const rule: Rule = {
  meta: {
    id: 'in-memory-dedupe',
    title: 'Deduplication or rate limiting kept in process memory',
    severity: 'P0',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: 'A module-level Set or dict lives in one process. With two instances, after a deploy or a restart, and on every serverless cold start, it is empty or different: webhooks that providers retry get processed twice (double charges, duplicate emails), replayed tokens are accepted by the instance that never saw them, and rate limits multiply by the number of instances.',
      fix: 'Keep the state in a store every instance shares, with an expiry: Redis `SET key 1 NX EX 86400` (or `cache.add()` in Django), or a unique constraint on the event id in the database (`INSERT … ON CONFLICT DO NOTHING`). Decide what happens when the store is unreachable; for replay protection and rate limits, fail closed.',
      example: {
        bad: "const processedEvents = new Set<string>();\n\napp.post('/webhooks/stripe', async (req, res) => {\n  const event = verify(req);\n  if (processedEvents.has(event.id)) return res.sendStatus(200);\n  processedEvents.add(event.id);\n  await handle(event);\n  res.sendStatus(200);\n});",
        good: "app.post('/webhooks/stripe', async (req, res) => {\n  const event = verify(req);\n  const first = await redis.set(`stripe:event:${event.id}`, '1', 'EX', 86_400, 'NX');\n  if (!first) return res.sendStatus(200);\n  await handle(event);\n  res.sendStatus(200);\n});",
      },
    },
  },
  // A finding needs purposeOf() to accept the collection's name, which is raw text of the file:
  // `rate`+`limit…` or `ratelimit…` (all contain "limit"), `throttl…`, the replay words, `used`
  // (before token/code/key…), or a dedupe word (`dedup…`, `idempoten…`, …). Split words keep
  // their letters in the text whatever the case or separator (`processedEvents`, `PROCESSED_IDS`).
  requires: ['limit', 'throttl', 'nonce', 'replay', 'jti', 'used', 'processed', 'seen', 'dedup', 'idempoten', 'handled', 'delivered', 'consumed'],
  ts: {
    query: `
      (variable_declarator name: (identifier) @name value: (_) @value)
      (public_field_definition name: (property_identifier) @name value: (_) @value)`,
    onMatch: check(false),
  },
  py: {
    query: `(expression_statement (assignment left: (identifier) @name right: (_) @value))`,
    onMatch: check(true),
  },
  checkFile: checkUnchangedDeclarations,
};

export default rule;
