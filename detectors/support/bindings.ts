import type { SyntaxNode, Tree } from '../../src/engine/types.js';
import { FUNCTION_TYPES } from './syntax.js';

/**
 * Where a local name comes from, within one file and without type information: enough to follow
 * `const users = await prisma.user.findMany()` to the loop `for (const u of users)`, or
 * `event = stripe.Webhook.construct_event(...)` to `payload=event`. Look-ups are bounded to the
 * enclosing scopes of the use and never leave the file.
 */
export type Binding =
  /** `const x = value`, `x = value`, `const { rows } = value` (destructured: the value is the whole object). */
  | { readonly kind: 'value'; readonly value: SyntaxNode; readonly destructured: boolean; readonly at: SyntaxNode }
  /** A loop variable: `for (const x of iterable)`, `for x in iterable`, `[… for x in iterable]`. */
  | { readonly kind: 'loop'; readonly iterable: SyntaxNode; readonly loop: SyntaxNode; readonly at: SyntaxNode }
  /** A function parameter; `fn` is the function that declares it. */
  | { readonly kind: 'parameter'; readonly fn: SyntaxNode; readonly param: SyntaxNode; readonly at: SyntaxNode };

/** Strips wrappers that do not change which value an expression is: await, parentheses, casts. */
export function unwrap(node: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let current = node ?? undefined;
  for (let i = 0; current && i < 20; i++) {
    switch (current.type) {
      case 'await_expression':
      case 'await':
      case 'parenthesized_expression':
      case 'non_null_expression':
      case 'as_expression':
      case 'satisfies_expression':
      case 'type_assertion':
        current = current.type === 'type_assertion' ? current.namedChildren[current.namedChildCount - 1] : current.namedChildren.find((c) => c.type !== 'comment');
        break;
      default:
        return current;
    }
  }
  return current;
}

const TS_SCOPES = new Set(['statement_block', 'program', 'switch_case', 'switch_default', 'class_body']);

/** Whether `pattern` (an identifier or a destructuring pattern) binds `name`. */
function patternBinds(pattern: SyntaxNode | null, name: string): boolean {
  if (pattern?.type === 'identifier') return pattern.text === name; // the usual case, without a list
  const names: string[] = [];
  patternNames(pattern, names);
  return names.includes(name);
}

function tsParameterBinding(fn: SyntaxNode, name: string): SyntaxNode | undefined {
  const single = fn.childForFieldName('parameter');
  if (single && patternBinds(single, name)) return single;
  const params = fn.childForFieldName('parameters');
  for (const param of params?.namedChildren ?? []) {
    const pattern = param.childForFieldName('pattern') ?? param;
    if (patternBinds(pattern, name)) return param;
  }
  return undefined;
}

function tsDeclarationIn(scope: SyntaxNode, name: string, before: number): Binding | undefined {
  let found: Binding | undefined;
  for (const declarator of tsDeclarators(scope)) {
    if (declarator.startIndex >= before) break;
    const target = declarator.childForFieldName('name');
    const value = declarator.childForFieldName('value');
    if (!value || !patternBinds(target, name)) continue;
    found = { kind: 'value', value, destructured: target!.type !== 'identifier', at: declarator };
  }
  return found;
}

const declaratorCache = new WeakMap<Tree, Map<number, readonly SyntaxNode[]>>();

/** The variable declarators directly in a block or module, in order, collected once per scope. */
function tsDeclarators(scope: SyntaxNode): readonly SyntaxNode[] {
  let byScope = declaratorCache.get(scope.tree);
  if (!byScope) declaratorCache.set(scope.tree, (byScope = new Map()));
  const cached = byScope.get(scope.startIndex);
  if (cached) return cached;
  const out: SyntaxNode[] = [];
  for (const statement of scope.namedChildren) {
    const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
    if (!declaration || (declaration.type !== 'lexical_declaration' && declaration.type !== 'variable_declaration')) continue;
    for (const declarator of declaration.namedChildren) if (declarator.type === 'variable_declarator') out.push(declarator);
  }
  byScope.set(scope.startIndex, out);
  return out;
}

/** The declaration of the TypeScript/JavaScript name `identifier` refers to, if it is in this file. */
export function tsBinding(identifier: SyntaxNode): Binding | undefined {
  const name = identifier.text;
  for (let scope = identifier.parent; scope; scope = scope.parent) {
    if (TS_SCOPES.has(scope.type)) {
      const found = tsDeclarationIn(scope, name, identifier.startIndex);
      if (found) return found;
    } else if (scope.type === 'for_in_statement') {
      const left = scope.childForFieldName('left');
      const right = scope.childForFieldName('right');
      if (right && patternBinds(left, name) && !(identifier.startIndex >= right.startIndex && identifier.endIndex <= right.endIndex)) {
        return { kind: 'loop', iterable: right, loop: scope, at: left! };
      }
    } else if ((FUNCTION_TYPES as readonly string[]).includes(scope.type)) {
      const param = tsParameterBinding(scope, name);
      if (param) return { kind: 'parameter', fn: scope, param, at: param };
    }
  }
  return undefined;
}

const PY_NESTED = new Set(['function_definition', 'class_definition', 'lambda']);
const PY_STATEMENT_CONTAINERS = new Set([
  'module',
  'block',
  'expression_statement',
  'if_statement',
  'elif_clause',
  'else_clause',
  'for_statement',
  'while_statement',
  'try_statement',
  'except_clause',
  'except_group_clause',
  'finally_clause',
  'with_statement',
  'with_clause',
  'with_item',
  'match_statement',
  'case_clause',
]);

function pyParameterBinding(fn: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const param of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const id = param.type === 'identifier' ? param : (param.childForFieldName('name') ?? param.namedChildren.find((c) => c.type === 'identifier'));
    if (id?.text === name) return param;
  }
  return undefined;
}

/** The binding of a Python name: the last assignment before the use in the enclosing function or module. */
export function pyBinding(identifier: SyntaxNode): Binding | undefined {
  const name = identifier.text;
  // Comprehension variables are local to their comprehension.
  for (let p = identifier.parent; p && !PY_NESTED.has(p.type); p = p.parent) {
    if (/comprehension$|^generator_expression$/.test(p.type)) {
      for (const clause of p.namedChildren) {
        if (clause.type !== 'for_in_clause') continue;
        const right = clause.childForFieldName('right');
        if (right && patternBinds(clause.childForFieldName('left'), name) && !within(identifier, right)) {
          return { kind: 'loop', iterable: right, loop: clause, at: clause };
        }
      }
    }
  }
  return pyLookup(name, identifier, identifier.startIndex);
}

function within(node: SyntaxNode, outer: SyntaxNode): boolean {
  return node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
}

/** Looks `name` up in the function or module around `from`, among bindings that start before `before`. */
function pyLookup(name: string, from: SyntaxNode, before: number): Binding | undefined {
  let scope: SyntaxNode | null = from.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  if (!scope) return undefined;
  let found: Binding | undefined;
  for (const node of bindingSites(scope).get(name) ?? []) {
    if (node.startIndex >= before) continue;
    let candidate: Binding | undefined;
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      // `qs = qs.filter(...)` reads the previous `qs`: an assignment does not bind its own right side.
      if (right && node.endIndex <= before && patternBinds(left, name)) candidate = { kind: 'value', value: right, destructured: left!.type !== 'identifier', at: node };
    } else if (node.type === 'for_statement') {
      const right = node.childForFieldName('right');
      const loopBody = node.childForFieldName('body');
      // Only a use inside the loop body sees the loop variable as the current item.
      if (right && loopBody && patternBinds(node.childForFieldName('left'), name) && before >= loopBody.startIndex && before <= loopBody.endIndex) {
        candidate = { kind: 'loop', iterable: right, loop: node, at: node };
      }
    } else if (node.type === 'as_pattern') {
      const alias = node.childForFieldName('alias');
      const source = node.namedChildren[0];
      if (source && alias?.text === name) candidate = { kind: 'value', value: source, destructured: false, at: node };
    }
    if (candidate && (!found || candidate.at.startIndex > found.at.startIndex)) found = candidate;
  }
  if (found) return found;
  if (scope.type === 'function_definition') {
    const param = pyParameterBinding(scope, name);
    if (param) return { kind: 'parameter', fn: scope, param, at: param };
    // A closure reads the names of the functions around it.
    return pyLookup(name, scope, scope.startIndex);
  }
  return undefined;
}

const PY_BINDING_SITES = new Set(['assignment', 'for_statement', 'as_pattern']);
const bindingSiteCache = new WeakMap<Tree, Map<number, ReadonlyMap<string, readonly SyntaxNode[]>>>();

/**
 * The statements of a function or module body that can bind a name (assignments, `for` targets,
 * `as` aliases), by the names they bind, in document order, collected once per scope: walking
 * the scope for every name looked up made large modules quadratic, and going through every site
 * of a module for each name looked up in it was most of what was left.
 */
function bindingSites(scope: SyntaxNode): ReadonlyMap<string, readonly SyntaxNode[]> {
  let byScope = bindingSiteCache.get(scope.tree);
  if (!byScope) bindingSiteCache.set(scope.tree, (byScope = new Map()));
  const cached = byScope.get(scope.startIndex);
  if (cached) return cached;
  const body = scope.type === 'module' ? scope : scope.childForFieldName('body');
  const sites = new Map<string, SyntaxNode[]>();
  // A JS walk of the statements: a native walk for the sites would also return every site in
  // the nested functions and classes, which at module level is nearly all of them.
  const stack: SyntaxNode[] = body ? [body] : [];
  while (stack.length) {
    const node = stack.pop()!;
    if (node !== body && PY_NESTED.has(node.type)) continue;
    if (PY_BINDING_SITES.has(node.type)) {
      for (const name of siteNames(node)) {
        const list = sites.get(name);
        if (!list) sites.set(name, [node]);
        else if (list[list.length - 1] !== node) list.push(node);
      }
    }
    // Bindings sit in statements: expressions (calls, operators, literals) are not walked.
    if (node !== body && !PY_STATEMENT_CONTAINERS.has(node.type)) continue;
    // All the children in one native call, rather than a count and one call per child.
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  byScope.set(scope.startIndex, sites);
  return sites;
}

/** The names a binding site may bind (`pyLookup` checks the rest). */
function siteNames(site: SyntaxNode): string[] {
  if (site.type === 'as_pattern') {
    const alias = site.childForFieldName('alias')?.text;
    return alias === undefined ? [] : [alias];
  }
  const names: string[] = [];
  patternNames(site.childForFieldName('left'), names);
  return names;
}

/** The names an identifier or a destructuring pattern binds (not its keys or defaults). */
function patternNames(pattern: SyntaxNode | null, out: string[]): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern':
      out.push(pattern.text);
      return;
    case 'object_pattern':
    case 'array_pattern':
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'list_splat_pattern':
    case 'rest_pattern':
    case 'assignment_pattern':
    case 'object_assignment_pattern':
    case 'pair_pattern':
      for (const child of pattern.namedChildren) {
        if (pattern.type === 'pair_pattern' && child === pattern.childForFieldName('key')) continue;
        if (pattern.type === 'assignment_pattern' && child === pattern.childForFieldName('right')) continue;
        if (pattern.type === 'object_assignment_pattern' && child === pattern.childForFieldName('right')) continue;
        patternNames(child, out);
      }
      return;
    default:
      return;
  }
}

/** Either grammar's binding. */
export function bindingOf(identifier: SyntaxNode): Binding | undefined {
  return isPython(identifier) ? pyBinding(identifier) : tsBinding(identifier);
}

export function isPython(node: SyntaxNode): boolean {
  let root: SyntaxNode = node;
  while (root.parent) root = root.parent;
  return root.type === 'module';
}

/** The root identifier of `a.b.c`, `a[0].b`, `a.b()`: `a`. */
export function rootIdentifier(node: SyntaxNode | undefined): SyntaxNode | undefined {
  let current = unwrap(node);
  for (let i = 0; current && i < 30; i++) {
    switch (current.type) {
      case 'identifier':
        return current;
      case 'member_expression':
      case 'attribute':
        current = unwrap(current.childForFieldName('object'));
        break;
      case 'subscript_expression':
      case 'subscript':
        current = unwrap(current.childForFieldName('object') ?? current.childForFieldName('value'));
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}
