import { calleeName, callArguments, descendants, dottedName, lastSegment, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A webhook receiver is a public URL: only the provider's signature tells a real event from one
 * anybody can post. The rule looks for route handlers that receive webhooks, read the body, and
 * show no sign of verifying the sender anywhere in the file (the check is often a helper, a
 * middleware or a framework next to the route, so file-wide evidence is accepted).
 */

/** Providers whose webhooks are signed: their name in a route path marks a receiver. */
const PROVIDERS = /stripe|clerk|github|gitlab|svix|slack|shopify|paddle|lemon|twilio|sendgrid|postmark|resend|mailgun|paypal|plaid|square|razorpay|mux|calendly|linear|vercel|discord|telegram|whatsapp|meta|intercom|hubspot|zoom|docusign|checkout|revenuecat|polar|chargebee|recurly|braintree|coinbase|alchemy|supabase|auth0|workos|kinde|typeform|segment|jira|bitbucket|sentry/i;

/** Event names that only a provider's webhook delivers. */
const PROVIDER_EVENTS =
  /^(checkout\.session\.(completed|expired|async_payment_\w+)|customer\.subscription\.\w+|invoice\.(paid|payment_succeeded|payment_failed|finalized|upcoming)|payment_intent\.\w+|charge\.(succeeded|refunded|failed|dispute\.\w+)|user\.(created|updated|deleted)|organization(Membership)?\.(created|updated|deleted)|session\.(created|ended|revoked)|email\.(created|delivered|bounced)|pull_request|push|installation|issues|subscription_(created|updated|cancelled|payment_success)|order_created|orders\/(create|paid)|app_subscriptions\/update)$/;

/**
 * The gate's words for PROVIDER_EVENTS, which is matched whole on a string literal's raw text:
 * each is an event's start after the literal's opening quote, or (ending in a quote) a whole
 * event between its quotes. Lowercase: the gate ignores case.
 */
const PROVIDER_EVENT_WORDS = [
  'checkout.session.', 'customer.subscription.', 'payment_intent.', 'charge.', 'organization.', 'organizationmembership.', 'subscription_',
  "invoice.paid'", 'invoice.payment_', "invoice.finalized'", "invoice.upcoming'",
  "user.created'", "user.updated'", "user.deleted'", "session.created'", "session.ended'", "session.revoked'",
  "email.created'", "email.delivered'", "email.bounced'",
  "pull_request'", "push'", "installation'", "issues'", "order_created'", "orders/create'", "orders/paid'", "app_subscriptions/update'",
];

// Next.js route handlers (`app/**/route.ts`) and API routes (`pages/api/**`).
const NEXT_APP_ROUTE = /(^|\/)app\/(.+\/)?route\.[cm]?[jt]sx?$/;
const NEXT_PAGES_API = /(^|\/)pages\/api\//;
/**
 * A Next.js handler file with "webhook" in its path: its handlers are webhook-named by the path
 * alone (tsReceivers), so the gate reads it whatever its words (`i`: a superset of the two
 * case-sensitive tests above).
 */
const NEXT_WEBHOOK_FILE = new RegExp(`^(?=.*webhook)(?:.*${NEXT_APP_ROUTE.source}|.*${NEXT_PAGES_API.source})`, 'i');

/** Any sign, anywhere in the file, that the sender is authenticated. */
const TS_VERIFICATION =
  /signature|constructEvent|timingSafeEqual|safeCompare|secureCompare|createHmac|\.verify\s*\(|verifyWebhook|validateWebhook|@octokit\/webhooks|['"]probot['"]|['"]svix['"]|standardwebhooks|validateRequest|isValidRequest|unwrap\s*\(|WebhookReceiver|webhooks\.(receive|verify)/i;
const PY_VERIFICATION =
  /signature|construct_event|compare_digest|constant_time_compare|\bhmac\b|\.verify\s*\(|\bsvix\b|standardwebhooks|RequestValidator|verify_webhook|validate_webhook|WebhookVerif|webhook_verif/i;

/** Routes behind authentication are internal, not provider receivers. */
const AUTH_MIDDLEWARE = /auth|authenticate|requireUser|requireAdmin|protect|guard|verify|signature|apiKey|api_key|isAdmin|ensureLoggedIn|session|passport|jwt|bearer|token|secret/i;
const TS_AUTH_IN_HANDLER = /\b(req|request|ctx)\.(user|auth|session)\b|getServerSession|getSession\(|\bauth\(\)|currentUser\(|getAuth\(|authorization|x-api-key|apiKey|api_key|WEBHOOK_SECRET|webhookSecret|\.headers\.get\(['"]x-[\w-]*(token|secret|key)/i;
const PY_AUTH_IN_HANDLER = /request\.user\b|login_required|IsAuthenticated|get_current_user|current_user|Depends\(\s*(verify|auth|require|check|get_api_key|api_key)\w*|authorization|x_api_key|api_key|x-api-key|WEBHOOK_SECRET|webhook_secret|token/i;

/** `/webhooks/:id`, `/webhooks/<int:pk>`, `[id]`: managing webhook subscriptions, not receiving. */
const MANAGEMENT_PATH = /webhooks?\/(:|\{|<|\[)|webhooks?\/(new|create|edit|list|settings|subscriptions?|endpoints?|logs?|deliveries|test)\b/i;

interface Receiver {
  readonly handler: SyntaxNode;
  /** Route path, file path or function name that made it look like a webhook. */
  readonly label: string;
  readonly webhookNamed: boolean;
  /** Middlewares between the path and the handler. */
  readonly middlewares: readonly SyntaxNode[];
}

/* ------------------------------------ TS ------------------------------------ */

const TS_ROUTE_METHODS = new Set(['post', 'put', 'patch', 'all', 'use']);
const FUNCTION_VALUE = new Set(['arrow_function', 'function_expression', 'function_declaration', 'function']);

/** A handler passed by name: `router.post('/webhooks/stripe', handleStripe)`. */
function functionNamed(root: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const statement of root.namedChildren) {
    const declaration = statement.type === 'export_statement' ? (statement.childForFieldName('declaration') ?? statement.namedChild(0)) : statement;
    if (!declaration) continue;
    if (declaration.type === 'function_declaration' && declaration.childForFieldName('name')?.text === name) return declaration;
    if (declaration.type === 'lexical_declaration') {
      for (const d of declaration.namedChildren) {
        const value = d.childForFieldName('value');
        if (d.childForFieldName('name')?.text === name && value && FUNCTION_VALUE.has(value.type)) return value;
      }
    }
  }
  return undefined;
}

function rootOf(node: SyntaxNode): SyntaxNode {
  let root = node;
  while (root.parent) root = root.parent;
  return root;
}

function tsRouteReceiver(call: SyntaxNode, path: string): Receiver | undefined {
  const args = callArguments(call);
  const last = args[args.length - 1];
  if (!last || args.length < 2) return undefined;
  let handler: SyntaxNode | undefined;
  if (FUNCTION_VALUE.has(last.type)) handler = last;
  else if (last.type === 'identifier') handler = functionNamed(rootOf(call), last.text);
  if (!handler) return undefined;
  return { handler, label: path, webhookNamed: /webhook/i.test(path), middlewares: args.slice(1, -1) };
}

/** The parameter a handler receives the request in: `(req, res)`, `(request)`, `(c)`, `(ctx)`. */
function requestParam(handler: SyntaxNode): string | undefined {
  const params = handler.childForFieldName('parameters') ?? handler.childForFieldName('parameter');
  const first = params?.type === 'identifier' ? params : params?.namedChildren[0];
  const pattern = first?.childForFieldName('pattern') ?? first;
  return pattern?.type === 'identifier' ? pattern.text : undefined;
}

const TS_BODY_METHODS = new Set(['json', 'text', 'formData', 'arrayBuffer', 'blob']);

/** Where the handler reads the payload: `req.body`, `await request.json()`, `c.req.json()`, `ctx.request.body`. */
function tsBodyRead(handler: SyntaxNode): SyntaxNode | undefined {
  const param = requestParam(handler);
  if (!param) return undefined;
  const body = handler.childForFieldName('body');
  if (!body) return undefined;
  for (const node of descendants(body)) {
    if (node.type === 'member_expression') {
      const name = dottedName(node);
      if (!name) continue;
      if (name === `${param}.body` || name === `${param}.request.body` || name === `${param}.rawBody`) return node;
    } else if (node.type === 'call_expression') {
      const callee = calleeName(node);
      if (!callee) continue;
      const object = callee.slice(0, callee.lastIndexOf('.'));
      if (TS_BODY_METHODS.has(lastSegment(callee)!) && (object === param || object === `${param}.req`)) {
        return node.parent?.type === 'await_expression' ? node.parent : node;
      }
    }
  }
  return undefined;
}

/** `checkout.session.completed` in a `switch (event.type)`: a provider's event handler. */
function handlesProviderEvents(handler: SyntaxNode): boolean {
  for (const node of descendants(handler)) {
    if (node.type === 'string' || node.type === 'string_fragment') {
      const value = node.type === 'string' ? stringValue(node) : undefined;
      if (value && PROVIDER_EVENTS.test(value)) return true;
    }
  }
  return /x-github-event|X-GitHub-Event|HTTP_X_GITHUB_EVENT/.test(handler.text);
}

function tsReceivers(match: RuleMatch, ctx: RuleContext): Receiver[] {
  const { route, path, exported, method } = match.captures;
  if (route && path) {
    if (!TS_ROUTE_METHODS.has(match.captures.verb?.text ?? '')) return [];
    const value = stringValue(path);
    if (value === undefined) return [];
    const receiver = tsRouteReceiver(route, value);
    return receiver ? [receiver] : [];
  }
  if (exported) {
    // Next.js route handlers (`app/**/route.ts` `export async function POST`) and API routes
    // (`pages/api/**` `export default function handler`).
    const filePath = ctx.file.path;
    const appRoute = NEXT_APP_ROUTE.test(filePath);
    const pagesApi = NEXT_PAGES_API.test(filePath);
    if (!appRoute && !pagesApi) return [];
    const declaration = exported.childForFieldName('declaration') ?? exported.namedChild(0);
    let name: string | undefined;
    let handler: SyntaxNode | undefined;
    if (declaration?.type === 'function_declaration') {
      name = declaration.childForFieldName('name')?.text;
      handler = declaration;
    } else if (declaration?.type === 'lexical_declaration') {
      const d = declaration.namedChild(0);
      name = d?.childForFieldName('name')?.text;
      const value = d?.childForFieldName('value');
      if (value && FUNCTION_VALUE.has(value.type)) handler = value;
    }
    if (!handler) return [];
    const isDefault = exported.children.some((c) => c.type === 'default');
    if (appRoute ? !/^(POST|PUT|PATCH)$/.test(name ?? '') : !isDefault) return [];
    return [{ handler, label: filePath, webhookNamed: /webhook/i.test(filePath), middlewares: [] }];
  }
  if (method) return nestReceivers(method);
  return [];
}

/** NestJS: `@Controller('webhooks') … @Post('stripe') handle(@Body() body)`. */
function nestReceivers(method: SyntaxNode): Receiver[] {
  const decorators: SyntaxNode[] = [];
  for (let p = method.previousNamedSibling; p?.type === 'decorator'; p = p.previousNamedSibling) decorators.push(p);
  const verb = decorators.map((d) => d.namedChild(0)).find((e) => e?.type === 'call_expression' && /^(Post|Put|Patch|All)$/.test(calleeName(e) ?? ''));
  if (!verb) return [];
  const methodPath = stringValue(callArguments(verb)[0]) ?? '';
  const cls = method.parent?.parent;
  // Class decorators sit on the class, or on the `export` statement around it.
  const holders = cls?.type === 'class_declaration' ? [cls, ...(cls.parent?.type === 'export_statement' ? [cls.parent] : [])] : [];
  const classDecorators = holders.flatMap((h) => h.namedChildren.filter((c) => c.type === 'decorator'));
  const controller = classDecorators.find((c) => /^Controller\(/.test(c.namedChild(0)?.text ?? ''));
  const controllerPath = controller ? (stringValue(callArguments(controller.namedChild(0)!)[0]) ?? '') : '';
  const label = `${controllerPath}/${methodPath}`;
  const guarded = [...decorators, ...classDecorators].some((d) => /^UseGuards\(/.test(d.namedChild(0)?.text ?? ''));
  return [{ handler: method, label, webhookNamed: /webhook/i.test(label), middlewares: guarded ? decorators : [] }];
}

/** The `@Body()` parameter of a NestJS handler. */
function nestBody(method: SyntaxNode): SyntaxNode | undefined {
  for (const param of method.childForFieldName('parameters')?.namedChildren ?? []) {
    if (param.namedChildren.some((c) => c.type === 'decorator' && /^Body\(/.test(c.namedChild(0)?.text ?? ''))) return param.childForFieldName('pattern') ?? param;
  }
  return undefined;
}

/* ---------------------------------- Python ---------------------------------- */

const PY_ROUTE_VERBS = new Set(['post', 'put', 'patch', 'route', 'api_route', 'add_url_rule']);

function pyRouteDecorator(decorator: SyntaxNode): string | undefined {
  const call = decorator.namedChild(0);
  if (call?.type !== 'call') return undefined;
  const verb = lastSegment(calleeName(call));
  if (!verb || !PY_ROUTE_VERBS.has(verb)) return undefined;
  const path = stringValue(callArguments(call)[0]);
  if (path === undefined) return undefined;
  // `@app.route("/hook")` without `methods=` only answers GET.
  if (verb === 'route' && !/methods\s*=\s*[[(][^\])]*["'](POST|PUT|PATCH)/i.test(call.text)) return undefined;
  return path;
}

function pyReceivers(match: RuleMatch): Receiver[] {
  const { fn, cls } = match.captures;
  if (fn) {
    const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
    const decorators = decorated?.namedChildren.filter((c) => c.type === 'decorator') ?? [];
    const routes = decorators.map(pyRouteDecorator).filter((p): p is string => p !== undefined);
    if (routes.length > 0) return [{ handler: fn, label: routes[0]!, webhookNamed: routes.some((r) => /webhook/i.test(r)), middlewares: decorators }];
    // Django function views are routed in urls.py: the view's name says what it is.
    const name = fn.childForFieldName('name')?.text ?? '';
    const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
    if (/webhook/i.test(name) && params[0]?.text === 'request' && !(fn.parent?.parent?.parent?.type === 'class_definition')) {
      return [{ handler: fn, label: name, webhookNamed: true, middlewares: decorators }];
    }
    return [];
  }
  if (cls) {
    const name = cls.childForFieldName('name')?.text ?? '';
    if (!/webhook/i.test(name)) return [];
    const out: Receiver[] = [];
    for (const member of cls.childForFieldName('body')?.namedChildren ?? []) {
      const method = member.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
      if (method?.type === 'function_definition' && /^(post|put|patch)$/.test(method.childForFieldName('name')?.text ?? '')) {
        out.push({ handler: method, label: name, webhookNamed: true, middlewares: [cls] });
      }
    }
    return out;
  }
  return [];
}

const PY_BODY = /^(self\.)?request\.(body|data|json|POST|form|get_json|get_data|stream)$/;
/** Parameter types that are not the payload in a FastAPI handler. */
const PY_NOT_BODY_TYPE = /^(Request|Response|BackgroundTasks|Session|AsyncSession|HTTPConnection|WebSocket|str|int|bool|Optional\[str\]|Annotated\[.*(Header|Depends|Query|Path|Cookie).*\])$/;

function pyBodyRead(handler: SyntaxNode): SyntaxNode | undefined {
  const body = handler.childForFieldName('body');
  if (body) {
    for (const node of descendants(body)) {
      // `parse_json_request(request)`, `get_payload(request)`: a helper reading the body for us.
      if (node.type === 'call' && /(json|body|payload)/i.test(lastSegment(calleeName(node)) ?? '') && callArguments(node).some((a) => a.text === 'request')) {
        return node;
      }
      if (node.type === 'attribute' && PY_BODY.test(dottedName(node) ?? '')) {
        const parent = node.parent;
        const call = parent?.type === 'call' && parent.childForFieldName('function') === node ? parent : undefined;
        const read = call ?? node;
        return read.parent?.type === 'await' ? read.parent : read;
      }
    }
  }
  // FastAPI parses a typed parameter from the body: `async def hook(event: StripeEvent)`.
  for (const param of handler.childForFieldName('parameters')?.namedChildren ?? []) {
    if (param.type !== 'typed_parameter' && param.type !== 'typed_default_parameter') continue;
    const type = param.childForFieldName('type')?.text ?? '';
    const value = param.childForFieldName('value')?.text ?? '';
    if (PY_NOT_BODY_TYPE.test(type) || /^(Depends|Header|Query|Path|Cookie)\(/.test(value)) continue;
    if (/^(dict|[dD]ict\[.*\]|[A-Z]\w*(Event|Payload|Webhook|Body|Request|Notification|In|Schema)\w*)$/.test(type) || /^Body\(/.test(value)) return param;
  }
  return undefined;
}

/* --------------------------------- deciding --------------------------------- */

/** The file's code without its comments: a `// TODO: verify the signature` is not a verification. */
const codeOnly = new WeakMap<object, string>();
function codeWithoutComments(ctx: RuleContext, anyNode: SyntaxNode): string {
  let text = codeOnly.get(ctx.file);
  if (text === undefined) {
    const source = ctx.file.source;
    let out = '';
    let at = 0;
    for (const node of descendants(rootOf(anyNode))) {
      if (node.type !== 'comment' || node.startIndex < at) continue;
      out += source.slice(at, node.startIndex);
      at = node.endIndex;
    }
    text = out + source.slice(at);
    codeOnly.set(ctx.file, text);
  }
  return text;
}

const verdicts = new WeakMap<object, boolean>();
function verifiesSignatures(ctx: RuleContext, anyNode: SyntaxNode, python: boolean): boolean {
  let verdict = verdicts.get(ctx.file);
  if (verdict === undefined) {
    verdict = (python ? PY_VERIFICATION : TS_VERIFICATION).test(codeWithoutComments(ctx, anyNode));
    verdicts.set(ctx.file, verdict);
  }
  return verdict;
}

function check(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    const anyNode = Object.values(match.captures).find((n) => n !== undefined);
    if (!anyNode) return;
    // Receivers are rare and cheap to rule out; the file-wide verification test runs only for
    // them, once per file.
    const receivers = python ? pyReceivers(match) : tsReceivers(match, ctx);
    if (receivers.length === 0 || verifiesSignatures(ctx, anyNode, python)) return;
    for (const receiver of receivers) {
      if (MANAGEMENT_PATH.test(receiver.label)) continue;
      const handlerText = receiver.handler.text;
      const providerNamed = PROVIDERS.test(receiver.label) || PROVIDERS.test(receiver.handler.childForFieldName('name')?.text ?? '');
      // A path named "webhook" alone may be a subscription-management endpoint; ask for a provider
      // in the path or provider events in the handler.
      const providerEvents = handlesProviderEvents(receiver.handler);
      if (!(receiver.webhookNamed && (providerNamed || providerEvents || /\b(event|evt|payload)\b/.test(handlerText))) && !providerEvents) continue;
      if (receiver.middlewares.some((m) => AUTH_MIDDLEWARE.test(m.text))) continue;
      if ((python ? PY_AUTH_IN_HANDLER : TS_AUTH_IN_HANDLER).test(handlerText)) continue;
      const read = python ? pyBodyRead(receiver.handler) : (receiver.handler.type === 'method_definition' ? nestBody(receiver.handler) : undefined) ?? tsBodyRead(receiver.handler);
      if (!read) continue;
      ctx.report({
        node: read,
        message: `This webhook handler (\`${receiver.label}\`) acts on \`${ctx.text(read).slice(0, 60)}\` without verifying the sender's signature: anyone who finds the URL can post forged events.`,
      });
    }
  };
}

const rule: Rule = {
  meta: {
    id: 'webhook-signature-missing',
    title: 'Webhook handled without verifying its signature',
    severity: 'P0',
    category: 'Security',
    languages: ['ts', 'py'],
    docs: {
      why: 'A webhook URL is public. Without checking the provider\'s signature, anyone can post a forged `checkout.session.completed` or `user.deleted` and the app will grant a plan, delete an account or trigger a payout.',
      fix: 'Verify the signature against the raw request body with the provider\'s library (`stripe.webhooks.constructEvent`, svix `Webhook.verify`, `@octokit/webhooks`), or compute the HMAC with the endpoint secret and compare it with `timingSafeEqual`/`hmac.compare_digest`; reject events whose timestamp is too old.',
      example: {
        bad: "router.post('/webhooks/stripe', express.json(), async (req, res) => {\n  const event = req.body;\n  if (event.type === 'checkout.session.completed') await activatePlan(event.data.object);\n  res.sendStatus(200);\n});",
        good: "router.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {\n  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature']!, process.env.STRIPE_WEBHOOK_SECRET!);\n  if (event.type === 'checkout.session.completed') await activatePlan(event.data.object);\n  res.sendStatus(200);\n});",
      },
    },
  },
  scope: 'file',
  // A finding needs a webhook-named receiver or a provider event handled (check()). Named:
  // "webhook" in a route path, a Nest controller/method path, a Python view or class name, all
  // literal text; or in a Next.js handler's file path: requiresUnlessPath. Events: a string
  // literal whose raw text is a provider event, so its opening quote and first characters are
  // in the file (PROVIDER_EVENT_WORDS), or the X-GitHub-Event header. Same words for TS and
  // Python: neither language adds a way in.
  requires: [
    'webhook', 'x-github-event', 'http_x_github_event',
    ...PROVIDER_EVENT_WORDS.flatMap((w) => [`'${w}`, `"${w.replace(/'$/, '"')}`]),
  ],
  requiresUnlessPath: NEXT_WEBHOOK_FILE,
  ts: {
    query: `
      (call_expression function: (member_expression property: (property_identifier) @verb) arguments: (arguments . (string) @path)) @route
      (export_statement) @exported
      (method_definition) @method
    `,
    onMatch: check(false),
  },
  py: {
    // A function always has a name: @name (not used) makes the pattern other rules' shape, matched once for all.
    query: `
      (function_definition name: (identifier) @name) @fn
      (class_definition) @cls
    `,
    onMatch: check(true),
  },
};

export default rule;
