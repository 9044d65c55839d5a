import type ParserModule from 'tree-sitter';

/*
 * Tree navigation without the bindings' per-node overheads. Rules walk trees a node at a time
 * (`parent`, `namedChild(i)`, `childForFieldName`), and in tree-sitter 0.25's Node bindings
 * each node handed to JavaScript costs, besides the native call itself:
 * - a BigInt id built from two numbers, to look the node up;
 * - a native `_cacheNode` call that registers the new object in the tree's C++ cache behind a
 *   weak handle, so that the same node comes back as the same object. Every garbage collection
 *   then visits every weak handle of every tree still alive.
 * On a walk over every node of Django's 560 files this bookkeeping is a third of the time
 * beyond the parse. Here the node-returning methods are replaced by versions that keep that
 * identity in a plain Map per tree, keyed by the id as one number (ids are addresses, below
 * 2^53). The Map lives as long as the tree's JS object, like the nodes it holds.
 *
 * The rule for identity: a node reached through these methods is the same object every time.
 * The bindings' own paths that are left (the root node, `Query.matches`, tree cursors) still
 * use the native cache; a node they hand out is adopted into the Map when these methods meet it
 * again, and the engine's own match reader (matches.ts) builds its nodes through `nodeFrom`
 * below. No rule uses cursors or `matches()`. Tests compare every method with the bindings'
 * originals on real trees.
 *
 * A node's `parent`, `endIndex`, `text` and children by field name are also kept on the node
 * once asked for: trees are never edited here, and the rules reading a file ask the same nodes
 * the same questions (on Django, two of every three `childForFieldName` calls were repeats).
 *
 * The nodes made here are all of one class, with their type name as a plain own property and
 * every cache slot present from construction, so they all have one shape (V8 map). The bindings
 * make one subclass per node type (~250 in Python's grammar, ~350 in TypeScript's), so every
 * function reading nodes (`node.type`, `node.parent`, a rule's helpers) saw hundreds of shapes:
 * property reads went through V8's megamorphic lookups, and optimised code was thrown away each
 * time a new node type turned up ("wrong map" deoptimisations, then a recompile).
 */

interface Binding {
  readonly NodeMethods: Record<string, (tree: ParserModule.Tree, ...args: unknown[]) => unknown>;
  readonly nodeTransferArray: ArrayLike<number> & { [index: number]: number };
  getNodeTypeNamesById(language: unknown): readonly (string | null)[];
}

const NODE_FIELD_COUNT = 6;
const ERROR_TYPE_ID = 0xffff;

type Fields = { [field: number]: number };
type NodeObject = ParserModule.SyntaxNode &
  Fields & {
    _end?: number;
    _text?: string;
    _parent?: ParserModule.SyntaxNode | null;
    _fields?: Map<string, ParserModule.SyntaxNode | null>;
  };

interface TreeInternals {
  readonly language: { shipgateTypeNames?: readonly (string | null)[] };
  _shipgateNodes?: Map<number, ParserModule.SyntaxNode>;
  getText(node: ParserModule.SyntaxNode): string;
}

export interface NodeReader {
  /**
   * The node a native call returned: the object itself when the native cache had it, else a type
   * id whose fields wait in the transfer array at `offset`. Null for "no node".
   */
  nodeFrom(value: unknown, tree: ParserModule.Tree, offset: number): ParserModule.SyntaxNode | null;
  /** The bindings' own descriptors of what was replaced, for tests to compare against. */
  readonly originals: ReadonlyMap<string, PropertyDescriptor>;
}

/** Where the installed reader is kept on the bindings' SyntaxNode class: installed once per process. */
const INSTALLED = Symbol.for('shipgate.nodeReader');

/**
 * Installs once per process: the bindings are loaded once (see languages.ts), but a host that
 * evaluates modules afresh (Jest, once per test file) runs this module again, and a second
 * install would take the first one's methods for the bindings' originals.
 */
export function installNodeNavigation(binding: Binding, SyntaxNode: new (tree: ParserModule.Tree) => ParserModule.SyntaxNode): NodeReader {
  const holder = SyntaxNode as unknown as { [INSTALLED]?: NodeReader };
  return (holder[INSTALLED] ??= install(binding, SyntaxNode));
}

function install(binding: Binding, SyntaxNode: new (tree: ParserModule.Tree) => ParserModule.SyntaxNode): NodeReader {
  const methods = binding.NodeMethods;
  const typeNamesOf = (tree: ParserModule.Tree): readonly (string | null)[] => {
    const language = (tree as unknown as TreeInternals).language;
    return (language.shipgateTypeNames ??= binding.getNodeTypeNamesById(language));
  };
  const nativeType = (node: NodeObject): string => {
    marshal(node);
    return methods.type!(node.tree) as string;
  };

  /** The one class of the nodes made here (see the top of this file). */
  class Node extends (SyntaxNode as new (tree: ParserModule.Tree) => object) {
    constructor(tree: ParserModule.Tree, type: string | null | undefined) {
      super(tree);
      const self = this as unknown as Record<string, unknown>;
      self.type = type ?? undefined;
      self._end = undefined;
      self._text = undefined;
      self._parent = undefined;
      self._fields = undefined;
    }
  }
  // SyntaxNode's `type` is a getter without a setter, which an assignment cannot shadow; a
  // writable value in between lets each node hold its own.
  Object.defineProperty(Node.prototype, 'type', { value: undefined, writable: true, configurable: true, enumerable: false });
  const nodesOf = (tree: ParserModule.Tree): Map<number, ParserModule.SyntaxNode> => {
    const internals = tree as unknown as TreeInternals;
    return (internals._shipgateNodes ??= new Map());
  };

  function nodeFrom(value: unknown, tree: ParserModule.Tree, offset: number): ParserModule.SyntaxNode | null {
    const data = binding.nodeTransferArray;
    if (typeof value === 'object') {
      // From the native cache (e.g. the root node): remember it for the lookups below.
      const node = value as NodeObject | null;
      if (!node) return null;
      const nodes = nodesOf(tree);
      const id = node[1]! * 0x1_0000_0000 + node[0]!;
      const known = nodes.get(id);
      if (known) return known;
      nodes.set(id, node);
      return node;
    }
    const low = data[offset]!;
    const high = data[offset + 1]!;
    if (low === 0 && high === 0) return null;
    const id = high * 0x1_0000_0000 + low;
    const nodes = nodesOf(tree);
    const known = nodes.get(id);
    if (known) return known;
    const made = new Node(tree, value === ERROR_TYPE_ID ? 'ERROR' : typeNamesOf(tree)[value as number]) as unknown as NodeObject;
    for (let i = 0; i < NODE_FIELD_COUNT; i++) made[i] = data[offset + i]!;
    // A type id the grammar does not name (none is known to exist): ask the bindings.
    if (made.type === undefined) (made as { type: string }).type = nativeType(made);
    nodes.set(id, made);
    return made;
  }

  function nodesFrom(values: unknown[], tree: ParserModule.Tree): ParserModule.SyntaxNode[] {
    let offset = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      values[i] = nodeFrom(value, tree, offset);
      if (typeof value === 'number') offset += NODE_FIELD_COUNT;
    }
    return values as ParserModule.SyntaxNode[];
  }

  // The bindings check `node.tree instanceof Tree` here; every node this engine holds has one.
  const marshal = (node: Fields): void => {
    const data = binding.nodeTransferArray;
    for (let i = 0; i < NODE_FIELD_COUNT; i++) data[i] = node[i]!;
  };

  const prototype = SyntaxNode.prototype as unknown as Record<string, unknown>;
  const originals = new Map<string, PropertyDescriptor>();
  const define = (name: string, descriptor: PropertyDescriptor): void => {
    const original = Object.getOwnPropertyDescriptor(prototype, name);
    if (original && !originals.has(name)) originals.set(name, original);
    Object.defineProperty(prototype, name, { configurable: true, ...descriptor });
  };

  {
    const native = methods.parent!;
    define('parent', {
      get(this: NodeObject) {
        if (this._parent === undefined) {
          marshal(this);
          this._parent = nodeFrom(native(this.tree), this.tree, 0);
        }
        return this._parent;
      },
    });
  }
  {
    // Several rules ask the same call for its `function` or `arguments`: asked once per node.
    const native = methods.childForFieldName!;
    define('childForFieldName', {
      value(this: NodeObject, field: string) {
        const fields = (this._fields ??= new Map());
        let child = fields.get(field);
        if (child === undefined) {
          marshal(this);
          child = nodeFrom(native(this.tree, field), this.tree, 0);
          fields.set(field, child);
        }
        return child;
      },
    });
  }
  for (const name of ['firstChild', 'firstNamedChild', 'lastChild', 'lastNamedChild', 'nextSibling', 'nextNamedSibling', 'previousSibling', 'previousNamedSibling']) {
    const native = methods[name]!;
    define(name, {
      get(this: NodeObject) {
        marshal(this);
        return nodeFrom(native(this.tree), this.tree, 0);
      },
    });
  }
  for (const name of ['children', 'namedChildren']) {
    const native = methods[name]!;
    define(name, {
      get(this: NodeObject) {
        marshal(this);
        return nodesFrom(native(this.tree) as unknown[], this.tree);
      },
    });
  }
  for (const name of ['child', 'namedChild', 'childForFieldId', 'firstChildForIndex', 'firstNamedChildForIndex']) {
    const native = methods[name]!;
    define(name, {
      value(this: NodeObject, argument: unknown) {
        marshal(this);
        return nodeFrom(native(this.tree, argument), this.tree, 0);
      },
    });
  }
  for (const name of ['childrenForFieldName', 'childrenForFieldId']) {
    const native = methods[name]!;
    define(name, {
      value(this: NodeObject, argument: unknown) {
        marshal(this);
        return nodesFrom(native(this.tree, argument) as unknown[], this.tree);
      },
    });
  }
  for (const name of ['namedDescendantForIndex', 'descendantForIndex', 'namedDescendantForPosition', 'descendantForPosition']) {
    const native = methods[name]!;
    define(name, {
      value(this: NodeObject, start: unknown, end?: unknown) {
        marshal(this);
        return nodeFrom(native(this.tree, start, end ?? start), this.tree, 0);
      },
    });
  }
  {
    const native = methods.descendantsOfType!;
    define('descendantsOfType', {
      value(this: NodeObject, types: string | readonly string[], start?: unknown, end?: unknown) {
        marshal(this);
        return nodesFrom(native(this.tree, typeof types === 'string' ? [types] : types, start, end) as unknown[], this.tree);
      },
    });
  }
  {
    const native = methods.closest!;
    define('closest', {
      value(this: NodeObject, types: string | readonly string[]) {
        marshal(this);
        return nodeFrom(native(this.tree, typeof types === 'string' ? [types] : types), this.tree, 0);
      },
    });
  }
  {
    const native = methods.endIndex!;
    define('endIndex', {
      get(this: NodeObject) {
        if (this._end === undefined) {
          marshal(this);
          this._end = native(this.tree) as number;
        }
        return this._end;
      },
    });
  }
  define('text', {
    get(this: NodeObject) {
      return (this._text ??= (this.tree as unknown as TreeInternals).getText(this));
    },
  });

  return { nodeFrom, originals };
}
