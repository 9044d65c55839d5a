import type { FileView, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/** The value of a string literal without interpolation, or undefined. Works for TS and Python. */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string': {
      // TS: `'abc'` with string_fragment children; Python: string_start, string_content, string_end.
      // The children are read once (each `namedChildren` is a native call and a new array).
      const children = node.namedChildren;
      if (children.some((c) => c.type === 'interpolation')) return undefined;
      const start = children.find((c) => c.type === 'string_start');
      if (start) {
        if (/[fF]/.test(start.text)) return undefined;
        let content = '';
        for (const c of children) if (c.type === 'string_content' || c.type === 'escape_sequence') content += c.text;
        return content;
      }
      return node.text.slice(1, -1);
    }
    case 'template_string': {
      // A template with no substitution has at most fragments and escapes: its text decides.
      const text = node.text;
      if (text.includes('${') && node.namedChildren.some((c) => c.type === 'template_substitution')) return undefined;
      return text.slice(1, -1);
    }
    case 'concatenated_string': {
      let out = '';
      for (const child of node.namedChildren) {
        const v = stringValue(child);
        if (v === undefined) return undefined;
        out += v;
      }
      return out;
    }
    default:
      return undefined;
  }
}

export function isStringLiteral(node: SyntaxNode | null | undefined): boolean {
  return stringValue(node) !== undefined;
}

/** `a.b.c` for member expressions / attributes / identifiers; undefined for anything else. */
export function dottedName(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
    case 'property_identifier':
    case 'shorthand_property_identifier':
    case 'this':
    case 'super':
      return node.text;
    case 'member_expression': {
      const object = dottedName(node.childForFieldName('object'));
      const property = node.childForFieldName('property')?.text;
      return object !== undefined && property ? `${object}.${property}` : undefined;
    }
    case 'attribute': {
      const object = dottedName(node.childForFieldName('object'));
      const attribute = node.childForFieldName('attribute')?.text;
      return object !== undefined && attribute ? `${object}.${attribute}` : undefined;
    }
    case 'non_null_expression':
    case 'parenthesized_expression':
      return dottedName(node.namedChild(0));
    default:
      return undefined;
  }
}

/**
 * The name a value is read under, when it is read by name: an identifier, a property
 * (`user.password` → `password`), a subscript with a string key (`headers['x-api-key']`).
 */
export function valueName(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
    case 'property_identifier':
    case 'private_property_identifier':
    case 'shorthand_property_identifier':
    case 'shorthand_property_identifier_pattern':
      return node.text.replace(/^#/, '');
    case 'member_expression':
      return node.childForFieldName('property')?.text.replace(/^#/, '');
    case 'attribute':
      return node.childForFieldName('attribute')?.text;
    case 'subscript_expression':
      return stringValue(node.childForFieldName('index'));
    case 'subscript':
      return stringValue(node.childForFieldName('subscript'));
    default:
      return undefined;
  }
}

/** The callee of a call (`call_expression` in TS, `call` in Python) as a dotted name. */
export function calleeName(call: SyntaxNode): string | undefined {
  return dottedName(call.childForFieldName('function'));
}

/** The last segment of a dotted callee: `logger.info` → `info`. */
export function lastSegment(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Nearest ancestor of one of the given types. */
export function ancestor(node: SyntaxNode, types: readonly string[], stopAt?: readonly string[]): SyntaxNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (types.includes(p.type)) return p;
    if (stopAt?.includes(p.type)) return undefined;
  }
  return undefined;
}

/** Arguments of a call, keyword arguments included (Python). */
export function callArguments(call: SyntaxNode): SyntaxNode[] {
  const args = call.childForFieldName('arguments');
  return args ? args.namedChildren.filter((c) => c.type !== 'comment') : [];
}

/** A Python keyword argument's value by name: `timeout=10` → the `10` node. */
export function keywordArgument(call: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const arg of callArguments(call)) {
    if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === name) {
      return arg.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

/** Whether a Python call passes `**kwargs`, which may carry any keyword. */
export function hasSplat(call: SyntaxNode): boolean {
  return callArguments(call).some((a) => a.type === 'dictionary_splat' || a.type === 'list_splat' || a.type === 'spread_element');
}

/** A TS object literal's property value by key (`{ timeout: 5 }`), or undefined. */
export function objectProperty(object: SyntaxNode | null | undefined, key: string): SyntaxNode | undefined {
  if (!object || object.type !== 'object') return undefined;
  for (const child of object.namedChildren) {
    if (child.type === 'pair') {
      const k = child.childForFieldName('key');
      const name = k ? (stringValue(k) ?? k.text) : undefined;
      if (name === key) return child.childForFieldName('value') ?? undefined;
    } else if (child.type === 'shorthand_property_identifier' && child.text === key) {
      return child;
    }
  }
  return undefined;
}

/** Whether an object literal spreads another object, which may carry any key. */
export function hasSpread(object: SyntaxNode | null | undefined): boolean {
  return !!object && object.namedChildren.some((c) => c.type === 'spread_element');
}

/**
 * A suggestion that replaces `node` with `replacement` and keeps the rest of its lines, for
 * GitHub's ```suggestion``` blocks, which replace whole lines.
 */
export function replaceNode(file: FileView, node: SyntaxNode, replacement: string): Suggestion {
  const lineStart = node.startIndex - node.startPosition.column;
  let lineEnd = file.source.indexOf('\n', node.endIndex);
  if (lineEnd < 0) lineEnd = file.source.length;
  let text = file.source.slice(lineStart, node.startIndex) + replacement + file.source.slice(node.endIndex, lineEnd);
  text = text.replace(/\r$/, '');
  return { startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1, replacement: text };
}

/** Inserts text right after `node`, e.g. `.unref()` or `, timeout=10`. */
export function insertAfter(file: FileView, node: SyntaxNode, insertion: string): Suggestion {
  return replaceNode(file, node, file.source.slice(node.startIndex, node.endIndex) + insertion);
}

/** The enclosing function-like node in TS or Python. */
export const FUNCTION_TYPES = [
  'function_declaration',
  'function_expression',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'function_definition',
  'lambda',
] as const;

export function enclosingFunction(node: SyntaxNode): SyntaxNode | undefined {
  return ancestor(node, FUNCTION_TYPES);
}

/** Whether a node sits at module level (no enclosing function or class body). */
export function isModuleLevel(node: SyntaxNode): boolean {
  return !ancestor(node, [...FUNCTION_TYPES, 'class_body', 'class_definition', 'class_declaration']);
}

/** Iterates a subtree without recursion (deeply nested input must not overflow the stack). */
export function* descendants(node: SyntaxNode): Generator<SyntaxNode> {
  const stack: SyntaxNode[] = [node];
  while (stack.length) {
    const current = stack.pop()!;
    yield current;
    for (let i = current.namedChildCount - 1; i >= 0; i--) stack.push(current.namedChild(i)!);
  }
}

/** What `visitPruned`'s callback says of a node: pass over what lies inside it, or stop the walk. */
export type PruneAnswer = 'skip' | 'stop' | void;

/**
 * Visits nodes in document order (as `descendantsOfType` returns them, one native walk),
 * passing over every node that lies inside one the callback answered 'skip' for: such a node
 * starts before the skipped one ends. This is how a walk leaves out nested functions, or the
 * inside of a node already decided, without a JavaScript walk over every node.
 */
export function visitPruned(nodes: Iterable<SyntaxNode>, visit: (node: SyntaxNode) => PruneAnswer): void {
  let skipUntil = -1;
  for (const node of nodes) {
    if (node.startIndex < skipUntil) continue;
    const answer = visit(node);
    if (answer === 'stop') return;
    if (answer === 'skip') skipUntil = node.endIndex;
  }
}

/**
 * Rules that read calls match them with these shapes, which the engine then matches once for all
 * of them (src/engine/query-source.ts), and keep the calls they want by the types of the captured
 * nodes, with no tree access. Narrower shapes written per rule were each matched again: on Django,
 * three call patterns gave 61k matches for 25k calls. Every call has a function and arguments
 * (`argument_list`/`arguments`, or a generator / tagged template), so these miss none.
 */
export const PY_CALL = '(call function: (_) @function arguments: (_) @args)';
export const TS_CALL = '(call_expression function: (_) @function arguments: (_) @args)';
/** Method calls, with the receiver and method name captured. */
export const PY_METHOD_CALL = '(call function: (attribute object: (_) @object attribute: (identifier) @method) arguments: (_) @args)';
export const TS_METHOD_CALL = '(call_expression function: (member_expression object: (_) @object property: (property_identifier) @method) arguments: (_) @args)';

/** Whether a call shape's match has a parenthesised argument list: not `f(x for x in y)`, not a tagged template. */
export function hasArgumentList(captures: RuleMatch['captures']): boolean {
  const args = captures.args?.type;
  return args === 'argument_list' || args === 'arguments';
}

/** Whether a PY_CALL/TS_CALL match is `f(…)` or `a.b(…)`: a name or member callee and an argument list. */
export function isNamedCall(captures: RuleMatch['captures']): boolean {
  const fn = captures.function?.type;
  return (fn === 'identifier' || fn === 'attribute' || fn === 'member_expression') && hasArgumentList(captures);
}
