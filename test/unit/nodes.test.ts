import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { grammarFor, nativeBinding, nodeReader, parse } from '../../src/engine/languages.js';
import type { SyntaxLanguage, SyntaxNode } from '../../src/engine/types.js';

/*
 * The engine replaces the bindings' node-returning methods (src/engine/nodes.ts). Here every
 * replaced method is called on every node of real trees, next to the bindings' original, and
 * the two must name the same nodes; and a node reached twice must be the same object.
 */

const fieldNames = (language: SyntaxLanguage): string[] =>
  (nativeBinding as unknown as { getNodeFieldNamesById(l: unknown): (string | null)[] }).getNodeFieldNamesById(grammarFor(language)).filter((n): n is string => !!n);

/** What identifies a node across objects: its type and its span. */
const key = (node: SyntaxNode | null | undefined): string | null => (node ? `${node.type}@${node.startIndex}-${node.endIndex}` : null);

function original(node: SyntaxNode, name: string, ...args: unknown[]): unknown {
  const descriptor = nodeReader.originals.get(name);
  if (!descriptor) throw new Error(`no original for ${name}`);
  return descriptor.get ? descriptor.get.call(node) : (descriptor.value as (...a: unknown[]) => unknown).apply(node, args);
}

function* everyNode(node: SyntaxNode): Generator<SyntaxNode> {
  yield node;
  for (let i = 0; i < node.childCount; i++) yield* everyNode(node.child(i)!);
}

const SOURCES: [SyntaxLanguage, string][] = [
  ['typescript', readFileSync(new URL('../../src/engine/nodes.ts', import.meta.url), 'utf8')],
  [
    'tsx',
    'const el = <div className="a" onClick={() => void 0}>{items.map((i) => <Item key={i} />)}</div>;\nexport default function App({ a = 1, ...rest }) { try { return <><p {...rest}>{a}</p></>; } catch { return null; } }\nconst broken = <div>;\n',
  ],
  [
    'python',
    'import os\nfrom a import (b, c)\n@decorator\nasync def f(x: int = 1, *args, **kw) -> None:\n    """doc"""\n    async with lock as l:\n        yield [i for i in range(3) if i]\n    match x:\n        case {"k": 1}: pass\nclass K(Base, metaclass=M): z = lambda: f"{x!r}"\nbroken = (\n',
  ],
];

describe('node navigation', () => {
  for (const [language, source] of SOURCES) {
    it(`names the same nodes as the bindings on every ${language} node`, () => {
      const tree = parse(language, source);
      const fields = fieldNames(language);
      let checked = 0;
      for (const node of everyNode(tree.rootNode)) {
        for (const getter of ['parent', 'firstChild', 'firstNamedChild', 'lastChild', 'lastNamedChild', 'nextSibling', 'nextNamedSibling', 'previousSibling', 'previousNamedSibling']) {
          expect([getter, key((node as unknown as Record<string, SyntaxNode | null>)[getter])]).toEqual([getter, key(original(node, getter) as SyntaxNode | null)]);
        }
        expect(node.children.map(key)).toEqual((original(node, 'children') as SyntaxNode[]).map(key));
        expect(node.namedChildren.map(key)).toEqual((original(node, 'namedChildren') as SyntaxNode[]).map(key));
        for (let i = 0; i <= node.childCount; i++) {
          expect(key(node.child(i))).toEqual(key(original(node, 'child', i) as SyntaxNode | null));
          expect(key(node.namedChild(i))).toEqual(key(original(node, 'namedChild', i) as SyntaxNode | null));
        }
        for (const field of fields) {
          expect([field, key(node.childForFieldName(field))]).toEqual([field, key(original(node, 'childForFieldName', field) as SyntaxNode | null)]);
          expect(node.childrenForFieldName(field).map(key)).toEqual((original(node, 'childrenForFieldName', field) as SyntaxNode[]).map(key));
        }
        const types = ['identifier', 'string', 'call', 'call_expression', 'ERROR'];
        expect(node.descendantsOfType(types).map(key)).toEqual((original(node, 'descendantsOfType', types) as SyntaxNode[]).map(key));
        expect(node.descendantsOfType('identifier').map(key)).toEqual((original(node, 'descendantsOfType', 'identifier') as SyntaxNode[]).map(key));
        const closest = ['function_definition', 'function_declaration', 'arrow_function', 'class_definition'];
        expect(key(node.closest(closest))).toEqual(key(original(node, 'closest', closest) as SyntaxNode | null));
        const mid = node.startIndex + ((node.endIndex - node.startIndex) >> 1);
        expect(key(node.descendantForIndex(mid))).toEqual(key(original(node, 'descendantForIndex', mid, mid) as SyntaxNode | null));
        expect(key(node.namedDescendantForIndex(node.startIndex, mid))).toEqual(key(original(node, 'namedDescendantForIndex', node.startIndex, mid) as SyntaxNode | null));
        expect(node.text).toBe(source.slice(node.startIndex, node.endIndex));
        checked++;
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('hands out one object per node however it is reached', () => {
    const tree = parse('python', 'def f(a):\n    return g(a) + h(a)\n\nclass K:\n    x = f(1)\n');
    const root = tree.rootNode;
    const seen = new Map<string, SyntaxNode>();
    const same = (node: SyntaxNode | null): void => {
      if (!node) return;
      const known = seen.get(key(node)!);
      if (known) expect(node).toBe(known);
      else seen.set(key(node)!, node);
    };
    for (const node of everyNode(root)) {
      same(node);
      same(node.parent);
      for (const child of node.namedChildren) {
        same(child);
        expect(child.parent).toBe(node);
      }
    }
    for (const call of root.descendantsOfType('call')) {
      same(call);
      same(call.childForFieldName('function'));
    }
    const fn = root.namedChild(0)!;
    expect(fn.childForFieldName('name')).toBe(fn.namedChild(0));
    expect(root.descendantsOfType('function_definition')[0]).toBe(fn);
    expect(fn.childForFieldName('body')!.closest('module')).toBe(root);
  });

  it('keeps a node from the native cache as the object it already handed out', () => {
    const tree = parse('python', 'x = 1\n');
    const assignment = tree.rootNode.descendantsOfType('assignment')[0]!;
    // The bindings' original caches its own object for the same node natively...
    const nativeObject = original(assignment.parent!, 'namedChild', 0) as SyntaxNode;
    expect(nativeObject).not.toBe(assignment);
    // ...but navigation keeps returning the first one.
    expect(assignment.parent!.namedChild(0)).toBe(assignment);
    expect(tree.rootNode.descendantsOfType('assignment')[0]).toBe(assignment);
  });
});
