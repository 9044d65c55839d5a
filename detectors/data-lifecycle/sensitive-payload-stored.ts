import { pyBinding, tsBinding, unwrap, type Binding } from '../support/bindings.js';
import { fileMentions } from '../support/file-hints.js';
import { accessOfSql, literalText, pyDbCall, tsDbCall } from '../support/orm.js';
import { words } from '../support/names.js';
import { calleeName, dottedName, hasArgumentList, objectProperty, PY_CALL, stringValue, TS_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A whole external payload written to the database as it arrived: a request body, a webhook event
 * (or its `data`/`data.object`), a parsed raw body. Whatever the sender put in it (emails, phone
 * numbers, addresses, card fingerprints, tokens) is then kept for as long as the row lives and
 * copied into every backup. Values that went through a schema or an allow-list (`schema.parse`,
 * `pick`, a DTO, `serializer.validated_data`, explicit fields) are not payloads any more.
 */

// ---------------------------------------------------------------------------------------------
// Payloads

const TS_BODY = /^(req|request|ctx\.request|ctx\.req|c\.req|context\.request|this\.request|event)\.body$/;
/** Verified or parsed webhook events. */
const TS_EVENT_FACTORY = /(^|\.)(constructEvent|constructEventAsync|verify|unwrap|parseEvent|verifyAndParse)$/;
const PAYLOAD_PARAM = /^(event|evt|payload|body|webhookEvent|webhook_event|webhookPayload|webhook_payload|rawEvent|raw_event|stripeEvent|stripe_event|notification)$/;
/** Parameter types that say the value is unvalidated. */
const RAW_TYPE = /^(any|unknown|object|Record<[^>]*>|\{\s*\[[^\]]*\]:[^}]*\}|dict|Dict(\[.*\])?|Any|Mapping(\[.*\])?|JSON|Json\w*|[\w.]*(Event|Payload|Webhook\w*))$/;
/** Wrappers that keep the whole payload: `JSON.stringify(event)`, `json.dumps(payload)`, `{ ...body }`. */
const KEEPS_WHOLE = /^(JSON\.stringify|json\.dumps|orjson\.dumps|ujson\.dumps|dict|str|structuredClone|Object\.assign|cloneDeep|_\.cloneDeep|toJSON|model_to_dict)$/;

type Payload = { readonly name: string } | undefined;

/** Whether a TS expression is a whole external payload. */
function tsPayload(expr: SyntaxNode | null | undefined, depth = 0): Payload {
  const node = unwrap(expr);
  if (!node || depth > 5) return undefined;
  switch (node.type) {
    case 'member_expression': {
      const dotted = normalise(dottedName(node) ?? '');
      if (TS_BODY.test(dotted)) return { name: dotted };
      // event.data / event.data.object: the event's whole subject (a Stripe customer, a Clerk user)
      const property = node.childForFieldName('property')?.text;
      const object = unwrap(node.childForFieldName('object'));
      if (property === 'data' || (property === 'object' && object?.type === 'member_expression' && object.childForFieldName('property')?.text === 'data')) {
        const base = property === 'data' ? object : unwrap(object?.childForFieldName('object'));
        if (base && isEvent(base, depth)) return { name: normalise(node.text) };
      }
      return undefined;
    }
    case 'call_expression': {
      const name = calleeName(node) ?? '';
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      // await req.json(), await request.json(), await c.req.json()
      if (/^(req|request|c\.req|ctx\.req)\.json$/.test(name)) return { name: `${name}()` };
      if (TS_EVENT_FACTORY.test(name) && /webhook|wh|svix|stripe|clerk|event/i.test(name)) return { name: `${name}(…)` };
      if (name === 'JSON.parse') {
        const raw = unwrap(args[0]);
        return raw && /(^|\.)(body|rawBody|raw|payload|text)(\(\))?$/.test(normalise(raw.text).replace(/^await/, '')) ? { name: 'JSON.parse(…)' } : undefined;
      }
      if (KEEPS_WHOLE.test(name)) return tsPayload(args[0], depth + 1);
      return undefined;
    }
    case 'identifier':
      return fromBinding(tsBinding(node), node, depth, tsPayload);
    default:
      return undefined;
  }
}

function isEvent(base: SyntaxNode, depth: number): boolean {
  if (tsPayload(base, depth + 1)) return true;
  if (base.type === 'identifier' && /^(event|evt|webhookEvent|stripeEvent)$/.test(base.text)) {
    const binding = tsBinding(base);
    return binding?.kind === 'parameter';
  }
  return false;
}

const PY_BODY = /^(self\.)?request\.(data|POST|body|json|stream|form)$/;

function pyPayload(expr: SyntaxNode | null | undefined, depth = 0): Payload {
  const node = unwrap(expr);
  if (!node || depth > 5) return undefined;
  switch (node.type) {
    case 'attribute': {
      const dotted = dottedName(node) ?? '';
      if (PY_BODY.test(dotted)) return { name: dotted };
      const attribute = node.childForFieldName('attribute')!.text;
      const object = unwrap(node.childForFieldName('object'));
      if (attribute === 'data' && object && isPyEvent(object, depth)) return { name: node.text };
      if (attribute === 'object' && object?.type === 'attribute' && object.childForFieldName('attribute')!.text === 'data') {
        const base = unwrap(object.childForFieldName('object'));
        if (base && isPyEvent(base, depth)) return { name: node.text };
      }
      return undefined;
    }
    case 'subscript': {
      // event["data"] / event["data"]["object"]
      const key = stringValue(node.childForFieldName('subscript'));
      const value = unwrap(node.childForFieldName('value'));
      if (key === 'data' && value && isPyEvent(value, depth)) return { name: node.text };
      if (key === 'object' && value?.type === 'subscript' && stringValue(value.childForFieldName('subscript')) === 'data') {
        const base = unwrap(value.childForFieldName('value'));
        if (base && isPyEvent(base, depth)) return { name: node.text };
      }
      return undefined;
    }
    case 'call': {
      const name = calleeName(node) ?? '';
      const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
      if (/^(self\.)?request\.(get_json|json|body)$/.test(name)) return { name: `${name}()` };
      if (/(^|\.)construct_event$/.test(name) || (/(^|\.)verify$/.test(name) && /webhook|wh|svix/i.test(name))) return { name: `${name}(…)` };
      if (/^(json|orjson|ujson)\.loads$/.test(name)) {
        const raw = args[0] ? dottedName(unwrap(args[0])) ?? unwrap(args[0])!.text : '';
        return /(^|\.)(body|raw_body|payload|data|get_data\(\))$/.test(raw) ? { name: `${name}(…)` } : undefined;
      }
      if (KEEPS_WHOLE.test(name)) return pyPayload(args[0], depth + 1);
      return undefined;
    }
    case 'identifier':
      return fromBinding(pyBinding(node), node, depth, pyPayload);
    default:
      return undefined;
  }
}

function isPyEvent(base: SyntaxNode, depth: number): boolean {
  if (pyPayload(base, depth + 1)) return true;
  return base.type === 'identifier' && /^(event|evt|webhook_event|stripe_event)$/.test(base.text) && pyBinding(base)?.kind === 'parameter';
}

function fromBinding(binding: Binding | undefined, id: SyntaxNode, depth: number, payloadOf: (n: SyntaxNode, d: number) => Payload): Payload {
  if (!binding) return undefined;
  if (binding.kind === 'value') {
    // `const { data } = evt` takes a part; only plain `const body = req.body` carries the whole.
    if (binding.destructured) return undefined;
    return payloadOf(binding.value, depth + 1) ? { name: id.text } : undefined;
  }
  if (binding.kind === 'parameter') return isRawParameter(binding.param, id.text) ? { name: id.text } : undefined;
  return undefined;
}

/** Code that receives webhooks: an untyped `event`/`payload` parameter there is the sender's payload. */
const WEBHOOK_CONTEXT = /webhook|\bhooks?\b|stripe|svix|clerk|constructEvent|construct_event|signature|x-hub-|shopify/i;

/**
 * `evt: Stripe.Event`, `payload: dict`, `body: any` — but not `@Body() dto: CreateUserDto` or
 * `payload: WebhookIn` (validated). An untyped `event`/`payload` is a payload only in webhook code:
 * elsewhere (a service's `create(payload)`, an emitter's `notify(event)`) it is the app's own value.
 */
function isRawParameter(param: SyntaxNode, name: string): boolean {
  if (!PAYLOAD_PARAM.test(name)) return false;
  if (param.namedChildren.some((c) => c.type === 'decorator')) return false;
  const type = param.childForFieldName('type');
  if (type) return RAW_TYPE.test(type.text.replace(/^:\s*/, '').trim());
  let fn: SyntaxNode | null = param.parent;
  while (fn && !/function|method|lambda|arrow/.test(fn.type)) fn = fn.parent;
  let root: SyntaxNode = param;
  while (root.parent) root = root.parent;
  return WEBHOOK_CONTEXT.test(fn?.childForFieldName('name')?.text ?? '') || WEBHOOK_CONTEXT.test(root.text.slice(0, 5000));
}

/** `{ event_name: event }`, `{ eventType: evt }`: a key that names a scalar holds a name, not the payload. */
function isScalarKey(key: string | undefined): boolean {
  if (!key) return false;
  const last = words(key).pop() ?? '';
  return ['name', 'type', 'id', 'ids', 'key', 'kind', 'status', 'topic', 'code', 'count', 'version'].includes(last);
}

function normalise(text: string): string {
  return text.replace(/\?\./g, '.').replace(/!(?=\.)/g, '').replace(/\s+/g, '');
}

// ---------------------------------------------------------------------------------------------
// Where values are written

/** The payloads inside a value written to a row: the value itself, an object's property values, spreads. */
function payloadsIn(value: SyntaxNode | null | undefined, python: boolean): { node: SyntaxNode; payload: NonNullable<Payload> }[] {
  const node = unwrap(value);
  if (!node) return [];
  const payloadOf = python ? pyPayload : tsPayload;
  const whole = payloadOf(node, 0);
  if (whole) return [{ node, payload: whole }];
  const out: { node: SyntaxNode; payload: NonNullable<Payload> }[] = [];
  if (node.type === 'object' || node.type === 'dictionary') {
    for (const entry of node.namedChildren) {
      if (entry.type === 'pair' && isScalarKey(stringValue(entry.childForFieldName('key')) ?? entry.childForFieldName('key')?.text)) continue;
      const v = entry.type === 'pair' ? entry.childForFieldName('value') : entry.type === 'spread_element' || entry.type === 'dictionary_splat' ? entry.namedChild(0) : entry.type === 'shorthand_property_identifier' ? entry : undefined;
      if (!v) continue;
      // Shorthand `{ body }` names the variable `body`: resolve it like an identifier.
      const found = v.type === 'shorthand_property_identifier' ? fromBinding(tsBinding(v), v, 0, tsPayload) : payloadOf(v, 0);
      if (found) out.push({ node: v, payload: found });
    }
  }
  if (node.type === 'array' || node.type === 'list' || node.type === 'tuple') {
    for (const item of node.namedChildren) out.push(...payloadsIn(item, python));
  }
  return out;
}

/** Values a TS database write stores. */
function tsWrittenValues(ctx: RuleContext, call: SyntaxNode): SyntaxNode[] {
  const db = tsDbCall(call);
  // The arguments are listed only for a write: most calls are not one.
  const argsOf = (): SyntaxNode[] => call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  if (db && db.call === call && db.access === 'write') {
    const args = argsOf();
    const first = args[0];
    switch (db.library) {
      case 'prisma': {
        if (first?.type !== 'object') return [];
        return ['data', 'create', 'update'].map((k) => objectProperty(first, k)).filter((v): v is SyntaxNode => !!v);
      }
      case 'knex': {
        // db('t').insert(x) / .update(x) / drizzle db.insert(t).values(x)
        const fn = call.childForFieldName('function');
        const method = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
        return method && /^(insert|update|values|set|upsert|merge)$/.test(method) ? args.slice(0, 1) : [];
      }
      case 'typeorm':
        return db.chain[0] === 'update' ? args.slice(1, 2) : args.slice(0, 1);
      case 'model':
        return /^(updateOne|updateMany|findOneAndUpdate|findByIdAndUpdate|replaceOne|upsert)$/.test(db.chain[0] ?? '') ? args.slice(1, 2) : args.slice(0, 1);
      case 'sql': {
        const text = literalText(args[0]);
        return text !== undefined && accessOfSql(text) === 'write' ? args.slice(1) : [];
      }
      default:
        return [];
    }
  }
  // repo.create(x) (TypeORM builds the entity that save() writes), new Model(x) is handled separately.
  // The method name first: the whole callee is built only for a `create`.
  const fn = call.childForFieldName('function');
  const property = fn?.type === 'member_expression' ? fn.childForFieldName('property') : undefined;
  if (!property || ctx.text(property) !== 'create') return [];
  const name = calleeName(call) ?? '';
  if (/(repo|repository|Repo|Repository)\.create$/.test(name)) return argsOf().slice(0, 1);
  return [];
}

const PY_SAVERS = /(^|\.)(add|add_all|merge|bulk_create|bulk_save_objects|save)$/;

/** Values a Python database write stores: keyword arguments, `**splat`, `defaults=`, dict rows, SQL params. */
function pyWrittenValues(call: SyntaxNode): SyntaxNode[] {
  // The arguments are listed only once the call may store them: most calls are not writes.
  let listed: SyntaxNode[] | undefined;
  const argsOf = (): SyntaxNode[] => (listed ??= call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? []);
  const kwargs = (): SyntaxNode[] =>
    argsOf().flatMap((a) =>
      a.type === 'keyword_argument' && !isScalarKey(a.childForFieldName('name')?.text) ? [a.childForFieldName('value')!] : a.type === 'dictionary_splat' ? [a.namedChild(0)!] : [],
    );
  const db = pyDbCall(call);
  if (db && db.call === call && db.access === 'write') {
    const args = argsOf();
    if (db.library === 'django') return [...kwargs(), ...args.filter((a) => a.type === 'dictionary')];
    if (db.library === 'dbapi' || db.library === 'sqlalchemy') {
      const text = literalText(args[0]);
      return text !== undefined ? args.slice(1) : [];
    }
    return [];
  }
  // insert(Model).values(payload=…) / .values(**event)
  const fn = call.childForFieldName('function');
  if (fn?.type === 'attribute' && fn.childForFieldName('attribute')!.text === 'values' && /^(insert|sa\.insert|update|sa\.update)\(/.test(fn.childForFieldName('object')?.text ?? '')) {
    return [...kwargs(), ...argsOf().filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat')];
  }
  // WebhookEvent(payload=event) that is saved or added to a session. The keywords first: most
  // constructors (`Flask(__name__)`) take none, and isPersisted() reads the rest of the function.
  if (fn?.type === 'identifier' && /^[A-Z]\w*$/.test(fn.text)) {
    const values = kwargs();
    if (values.length > 0 && isPersisted(call)) return values;
  }
  return [];
}

/** `session.add(M(...))`, `M(...).save()`, `m = M(...); …; m.save()` / `session.add(m)`. */
function isPersisted(constructor: SyntaxNode): boolean {
  const parent = constructor.parent;
  if (parent?.type === 'argument_list' && PY_SAVERS.test(calleeName(parent.parent!) ?? '')) return true;
  if (parent?.type === 'list' && parent.parent?.type === 'argument_list' && PY_SAVERS.test(calleeName(parent.parent.parent!) ?? '')) return true;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'save') return true;
  if (parent?.type === 'assignment') {
    const name = parent.childForFieldName('left')?.text;
    let fn: SyntaxNode | null = parent;
    while (fn && fn.type !== 'function_definition' && fn.type !== 'module') fn = fn.parent;
    if (!name || !fn) return false;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`\\b${escaped}\\.save\\(|\\.(add|merge)\\(\\s*${escaped}\\s*\\)`).test(fn.text.slice(parent.endIndex - fn.startIndex));
  }
  return false;
}

/** `new WebhookEvent({ payload: event }).save()` / `const doc = new Model(body); await doc.save()` (Mongoose). */
function tsNewModelValues(expr: SyntaxNode): SyntaxNode[] {
  const ctor = expr.childForFieldName('constructor');
  if (ctor?.type !== 'identifier' || !/^[A-Z]\w*$/.test(ctor.text)) return [];
  // Without an argument there is nothing stored; checked before the save, which reads the enclosing function.
  const first = expr.childForFieldName('arguments')?.namedChild(0);
  if (!first) return [];
  const values = [first];
  const parent = expr.parent;
  const saved = (parent?.type === 'member_expression' && parent.childForFieldName('property')?.text === 'save') || (parent?.type === 'variable_declarator' && savedLater(parent));
  return saved ? values : [];
}

/** `const doc = new Model(body); … doc.save()`: the declared name (`$doc` too) is saved further on in its function. */
function savedLater(declarator: SyntaxNode): boolean {
  const name = declarator.childForFieldName('name');
  // A destructured result (`const { a } = new Model(x)`) is not the document.
  if (name?.type !== 'identifier') return false;
  const escaped = name.text.replace(/[$]/g, '\\$&');
  return new RegExp(`(?<![\\w$])${escaped}\\.save\\(`).test(enclosingText(declarator));
}

function enclosingText(node: SyntaxNode): string {
  let p: SyntaxNode | null = node;
  while (p && !['function_declaration', 'arrow_function', 'function_expression', 'method_definition', 'program'].includes(p.type)) p = p.parent;
  return p?.text ?? '';
}

// ---------------------------------------------------------------------------------------------

function describeWrite(ctx: RuleContext, call: SyntaxNode): string {
  const fn = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  const text = fn ? ctx.text(fn) : 'the write';
  const compact = text.replace(/\s+/g, '');
  return compact.length > 50 ? `${compact.slice(0, 47)}…` : compact;
}

/** Files that may hold an external payload: request bodies, parsed raw bodies, webhook events, raw-typed parameters. */
const PAYLOAD_HINT =
  /(req|request)\.(body|data|POST|json|get_json|form|stream)|\.json\(\)|constructEvent|construct_event|json\.loads|JSON\.parse|\.verify\(|webhook|hook|stripe|svix|clerk|:\s*(dict|Dict|Any|any|unknown|object|Record)\b|Event\b|Payload\b/;

function check(match: RuleMatch, ctx: RuleContext): void {
  if (!fileMentions(ctx, PAYLOAD_HINT)) return;
  const write = match.captures.write!;
  const python = write.type === 'call';
  const values = python ? pyWrittenValues(write) : write.type === 'new_expression' ? tsNewModelValues(write) : tsWrittenValues(ctx, write);
  for (const value of values) {
    for (const { node, payload } of payloadsIn(value, python)) {
      ctx.report({
        node,
        message: `\`${payload.name}\` is stored whole by \`${describeWrite(ctx, write)}\`: every field the sender included (emails, addresses, phone numbers, tokens) is kept as long as the row and its backups. Store the fields you use.`,
      });
    }
  }
}

const rule: Rule = {
  meta: {
    id: 'sensitive-payload-stored',
    title: 'Whole external payload stored as-is',
    severity: 'P2',
    category: 'Data lifecycle',
    languages: ['ts', 'py'],
    docs: {
      why: 'Webhook events and request bodies carry more than the code reads: emails, names, addresses, phone numbers, card details, sometimes tokens. Stored whole, that personal data lives in the table, its backups and every export, outside any retention or erasure the rest of the app applies.',
      fix: 'Store an allow-list of the fields you use (and the event id for idempotency), or validate the payload with a schema that strips unknown keys before saving it. If you must keep raw events for replay, give the table a short TTL.',
      example: {
        bad: `await prisma.webhookEvent.create({ data: { id: event.id, type: event.type, payload: event as any } });`,
        good: `await prisma.webhookEvent.create({
  data: { id: event.id, type: event.type, customerId: event.data.object.customer as string },
});`,
      },
    },
  },
  // Every finding is a payload, and each kind of payload is spelled out in the file: `….body`,
  // `req.json()`/`JSON.parse`/`json.loads`, `event.data` on an `event`/`evt` parameter,
  // `constructEvent`/`construct_event`/`parseEvent`, `wh.verify`/`stripe.webhooks.unwrap`, a raw
  // parameter (`event`, `evt`, `payload`, `body`, `notification`, …), Python
  // `request.data`/`POST`/`form`/`stream` (hence 'request'); a variable only carries one whose
  // value is one of these in the same file.
  requires: ['body', 'json', 'event', 'evt', 'payload', 'notification', 'verify', 'unwrap', 'request'],
  scope: 'changed',
  ts: {
    query: `
${TS_CALL} @write
(new_expression constructor: (identifier) arguments: (arguments)) @write
`,
    onMatch: (match, ctx) => {
      // Of the every-call shape, method calls with an argument list (new expressions have no @function).
      if (!match.captures.function || (match.captures.function.type === 'member_expression' && hasArgumentList(match.captures))) check(match, ctx);
    },
  },
  py: {
    query: `${PY_CALL} @write`,
    onMatch: (match, ctx) => {
      if (hasArgumentList(match.captures)) check(match, ctx);
    },
  },
};

export default rule;
