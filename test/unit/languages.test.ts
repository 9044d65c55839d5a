import { describe, expect, it } from '@jest/globals';
import { nativeBinding, Parser, parse } from '../../src/engine/languages.js';
import type { SyntaxLanguage, SyntaxNode } from '../../src/engine/types.js';

/** The bindings' own getters, which ask the native tree. */
const NodeMethods = (Parser as unknown as { SyntaxNode: { prototype: object } }).SyntaxNode.prototype;
const nativeType = Object.getOwnPropertyDescriptor(NodeMethods, 'type')!.get!;
/** The native answers the bindings' startIndex/startPosition getters used to ask for. */
const native = nativeBinding as unknown as {
  NodeMethods: { startIndex(tree: unknown): number; startPosition(tree: unknown): void };
  nodeTransferArray: number[];
  pointTransferArray: number[];
};
const startOf = (node: SyntaxNode): { index: number; row: number; column: number } => {
  for (let i = 0; i < 6; i++) native.nodeTransferArray[i] = (node as unknown as number[])[i]!;
  const index = native.NodeMethods.startIndex(node.tree);
  for (let i = 0; i < 6; i++) native.nodeTransferArray[i] = (node as unknown as number[])[i]!;
  native.NodeMethods.startPosition(node.tree);
  return { index, row: native.pointTransferArray[0]!, column: native.pointTransferArray[1]! };
};

function* everyNode(node: SyntaxNode): Generator<SyntaxNode> {
  yield node;
  for (let i = 0; i < node.childCount; i++) yield* everyNode(node.child(i)!);
}

const SAMPLES: Record<SyntaxLanguage, string> = {
  typescript: 'import x from "y";\nexport async function f<T>(a: T[]): Promise<void> { for (const b of a) { await g?.(b as any); } }\nlet s = `a${1}b`; /* c */ if (!(a <= 2)) throw new Error("e");\n@dec class K { #p = 1; get q() { return this.#p; } }\nconst broken = (;\n',
  tsx: 'const el = <div className="a" onClick={() => void 0}>{items.map((i) => <Item key={i} />)}</div>;\nmodule.exports = { el, n: [1, 2n, 0x3, "s", true, null, undefined], r: /ab+c/gi };\nexport default function App({ a = 1, ...rest }) { try { return <><p {...rest}>{a}</p></>; } catch { return null; } }\nconst broken = <div>;\n',
  python: 'import os\nfrom a import (b, c)\n@decorator\nasync def f(x: int = 1, *args, **kw) -> None:\n    """doc"""\n    async with lock as l:\n        yield [i for i in range(3) if i]\n    match x:\n        case {"k": 1}: pass\nclass K(Base, metaclass=M): z = lambda: f"{x!r}"\nbroken = (\n',
};

describe('node types', () => {
  for (const [language, source] of Object.entries(SAMPLES) as [SyntaxLanguage, string][]) {
    it(`every ${language} node's type is the native one (named, anonymous, error and missing nodes)`, () => {
      const tree = parse(language, source);
      let count = 0;
      for (const node of everyNode(tree.rootNode)) {
        expect(node.type).toBe(nativeType.call(node));
        const start = startOf(node);
        expect([node.startIndex, node.startPosition.row, node.startPosition.column]).toEqual([start.index, start.row, start.column]);
        count++;
      }
      expect(count).toBeGreaterThan(100);
      expect(tree.rootNode.hasError).toBe(true);
    });
  }

  it('reads the type from the node itself, not through the native tree, with one class for every type', () => {
    const tree = parse('python', 'def f():\n    return 1\n');
    const fn = tree.rootNode.namedChild(0)!;
    const ret = fn.descendantsOfType('return_statement')[0]!;
    expect(Object.getOwnPropertyDescriptor(fn, 'type')?.value).toBe('function_definition');
    expect(Object.getOwnPropertyDescriptor(ret, 'type')?.value).toBe('return_statement');
    // One class, the same own properties in the same order: one object shape for V8.
    expect(Object.getPrototypeOf(fn)).toBe(Object.getPrototypeOf(ret));
    expect(Object.keys(fn)).toEqual(Object.keys(ret));
  });
});
