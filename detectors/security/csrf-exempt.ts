import { calleeName, descendants, dottedName, lastSegment, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A CSRF exemption matters only where the browser sends an ambient credential (the session
 * cookie) and the request changes something. A view with neither, a DRF view (which enforces
 * CSRF for session auth on its own), or a webhook that authenticates the sender by signature is
 * not exposed.
 */

const SESSION_DECORATORS = new Set([
  'login_required',
  'permission_required',
  'user_passes_test',
  'staff_member_required',
  'superuser_required',
  'fresh_login_required',
  'roles_required',
  'roles_accepted',
]);
const SESSION_MIXINS = /^(LoginRequiredMixin|PermissionRequiredMixin|UserPassesTestMixin|StaffuserRequiredMixin|SuperuserRequiredMixin|AccessMixin)$/;
/** DRF views run their own CSRF check for SessionAuthentication; `csrf_exempt` changes nothing. */
const DRF_BASES = /(APIView|ViewSet|GenericAPIView|ViewSetMixin)$/;
const DRF_DECORATORS = new Set(['api_view']);

const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const ORM_WRITES = new Set(['save', 'delete', 'create', 'update', 'bulk_create', 'bulk_update', 'get_or_create', 'update_or_create', 'commit', 'set_password', 'add', 'remove']);
const BODY_READS = /^(request|self\.request)\.(POST|body|data|FILES|form|files|json|get_json|values)$/;
const STATE_CHANGE_DECORATORS = new Set(['require_POST', 'post', 'put', 'patch', 'delete']);

/** The sender is authenticated by signature: the webhook case the catalog leaves alone. */
const SIGNATURE_CHECK = /^(compare_digest|constant_time_compare|construct_event|construct_from|verify|verify_\w*|\w*_verify|validate_signature|validate_\w*signature|check_signature|check_\w*signature|is_valid_signature|unsign|verify_webhook|verify_request)$/;

interface ViewEvidence {
  session?: string;
  stateChange?: string;
  signature: boolean;
  drf: boolean;
}

function isCsrfExemptDecorator(decorator: SyntaxNode): boolean {
  const expr = decorator.namedChild(0);
  if (!expr) return false;
  const name = dottedName(expr);
  if (name) {
    // Django's `csrf_exempt`, Flask-WTF's `csrf.exempt`.
    return lastSegment(name) === 'csrf_exempt' || (lastSegment(name) === 'exempt' && /csrf/i.test(name));
  }
  if (expr.type === 'call' && lastSegment(calleeName(expr)) === 'method_decorator') {
    const first = expr.childForFieldName('arguments')?.namedChild(0);
    if (!first) return false;
    const candidates = first.type === 'list' || first.type === 'tuple' ? first.namedChildren : [first];
    return candidates.some((c) => lastSegment(dottedName(c)) === 'csrf_exempt');
  }
  return false;
}

function decoratorName(decorator: SyntaxNode): string | undefined {
  const expr = decorator.namedChild(0);
  if (!expr) return undefined;
  return lastSegment(expr.type === 'call' ? calleeName(expr) : dottedName(expr));
}

function gather(view: SyntaxNode, decorated: SyntaxNode): ViewEvidence {
  const evidence: ViewEvidence = { signature: false, drf: false };
  for (const decorator of decorated.namedChildren.filter((c) => c.type === 'decorator')) {
    const name = decoratorName(decorator) ?? '';
    if (SESSION_DECORATORS.has(name)) evidence.session ??= `@${name}`;
    if (DRF_DECORATORS.has(name)) evidence.drf = true;
    if (STATE_CHANGE_DECORATORS.has(name)) evidence.stateChange ??= `@${name}`;
    if (name === 'require_http_methods' && /["'](POST|PUT|PATCH|DELETE)["']/.test(decorator.text)) evidence.stateChange ??= `@${name}`;
    if (/\bmethods\s*=\s*\[[^\]]*(POST|PUT|PATCH|DELETE)/.test(decorator.text)) evidence.stateChange ??= 'POST';
    if (decorator.text.includes('method_decorator') && /login_required|permission_required/.test(decorator.text)) evidence.session ??= '@login_required';
  }
  if (view.type === 'class_definition') {
    for (const base of view.childForFieldName('superclasses')?.namedChildren ?? []) {
      const name = lastSegment(dottedName(base)) ?? '';
      if (SESSION_MIXINS.test(name)) evidence.session ??= name;
      if (DRF_BASES.test(name)) evidence.drf = true;
    }
    for (const method of view.childForFieldName('body')?.namedChildren ?? []) {
      const fn = method.type === 'decorated_definition' ? method.childForFieldName('definition') : method;
      const name = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
      if (name && WRITE_METHODS.has(name)) evidence.stateChange ??= `def ${name}`;
    }
  }
  for (const node of descendants(view)) {
    if (node.type === 'attribute') {
      const name = dottedName(node);
      if (!name) continue;
      if (/^(self\.)?request\.(user|session)$/.test(name)) evidence.session ??= name;
      if (BODY_READS.test(name)) evidence.stateChange ??= name;
    } else if (node.type === 'identifier') {
      if (node.text === 'current_user') evidence.session ??= 'current_user';
    } else if (node.type === 'comparison_operator' || node.type === 'in') {
      if (/request\.method/.test(node.text) && /["'](POST|PUT|PATCH|DELETE)["']/.test(node.text)) evidence.stateChange ??= 'request.method == "POST"';
    } else if (node.type === 'call') {
      const callee = calleeName(node);
      const method = lastSegment(callee);
      if (!method) continue;
      if (SIGNATURE_CHECK.test(method)) evidence.signature = true;
      if (ORM_WRITES.has(method) && callee !== method) evidence.stateChange ??= `${callee}()`;
      if (method === 'login' || method === 'logout' || method === 'login_user') {
        // `login(request, user)` writes the session: a login CSRF.
        evidence.session ??= `${method}()`;
        evidence.stateChange ??= `${callee}()`;
      }
    } else if (node.type === 'string') {
      // Reading a signature header means the sender is authenticated some other way.
      const value = stringValue(node);
      if (value && /signature|x-hub-signature|svix-|webhook-id/i.test(value)) evidence.signature = true;
    }
  }
  return evidence;
}

function check(match: RuleMatch, ctx: RuleContext): void {
  const decorator = match.captures.decorator!;
  const decorated = match.captures.decorated!;
  if (!isCsrfExemptDecorator(decorator)) return;
  let view = decorated.childForFieldName('definition');
  if (!view) return;
  let owner = decorated;
  // `@method_decorator(csrf_exempt)` on `dispatch` exempts the whole class-based view.
  const cls = decorated.parent?.parent;
  if (view.childForFieldName('name')?.text === 'dispatch' && cls?.type === 'class_definition') {
    view = cls;
    owner = cls.parent?.type === 'decorated_definition' ? cls.parent : cls;
  }
  const evidence = gather(view, owner);
  if (evidence.drf || evidence.signature) return;
  if (!evidence.session || !evidence.stateChange) return;
  const name = view.childForFieldName('name')?.text ?? 'this view';
  const why = evidence.session === evidence.stateChange ? `\`${evidence.session}\`` : `\`${evidence.session}\`, \`${evidence.stateChange}\``;
  ctx.report({
    node: decorator,
    message: `\`${name}\` is exempt from CSRF checks but changes state for the signed-in user (${why}): any site the user visits can submit this request with their session cookie.`,
  });
}

const rule: Rule = {
  meta: {
    id: 'csrf-exempt',
    title: 'CSRF protection disabled on a session-authenticated view',
    severity: 'P1',
    category: 'Security',
    languages: ['py'],
    docs: {
      why: 'The browser attaches the session cookie to requests that other sites trigger, so without the CSRF token check a page the user happens to visit can change their email, move money or invite an attacker to their workspace.',
      fix: 'Remove the exemption and send the CSRF token from the client (the `csrftoken` cookie in an `X-CSRFToken` header). For SSO callbacks validate the `state`/`RelayState`; for webhooks authenticate the sender by signature and do not rely on the session.',
      example: {
        bad: '@csrf_exempt\n@login_required\ndef update_email(request):\n    request.user.email = request.POST["email"]\n    request.user.save()',
        good: '@login_required\n@require_POST\ndef update_email(request):\n    request.user.email = request.POST["email"]\n    request.user.save()',
      },
    },
  },
  // Only a `csrf_exempt` decorator (bare, dotted, or in `method_decorator`) or a `<csrf…>.exempt`
  // one is looked at: both names contain "exempt" (rarer than "csrf", which every form has too).
  requires: ['exempt'],
  py: {
    query: `(decorated_definition (decorator) @decorator) @decorated`,
    onMatch: check,
  },
};

export default rule;
