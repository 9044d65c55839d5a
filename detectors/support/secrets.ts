import type { SyntaxNode } from '../../src/engine/types.js';
import { isSecretName } from './names.js';
import { calleeName, lastSegment, stringValue, valueName } from './syntax.js';

/**
 * Finds the secret-named values inside an expression (a log call's arguments, a response body):
 * identifiers, properties, subscripts with a string key, object/dict keys and interpolations
 * named like a secret. Values passed through a redaction (mask, hash, len, `.length`, a boolean
 * test) are not secrets any more and are not returned.
 */
export function secretValuesIn(root: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (isRedaction(node)) continue;
    const name = valueName(node);
    if (name !== undefined) {
      if (isSecretName(name)) {
        found.push(node);
        continue;
      }
      // A non-secret property of anything is not the secret: `token.expiresAt`, `session.userId`.
      if (node.type === 'member_expression' || node.type === 'attribute' || node.type === 'subscript' || node.type === 'subscript_expression') continue;
    }
    if (node.type === 'pair') {
      // `{ password: user.password }`, `{"token": t}`: the key names what is logged.
      const key = node.childForFieldName('key');
      const value = node.childForFieldName('value');
      const keyName = key ? (stringValue(key) ?? (key.type === 'property_identifier' || key.type === 'identifier' ? key.text : undefined)) : undefined;
      if (keyName && isSecretName(keyName) && value && !isMaskedLiteral(value) && !isRedaction(value) && !isHarmlessValue(value)) {
        found.push(value);
        continue;
      }
      if (value) stack.push(value);
      continue;
    }
    if (node.type === 'keyword_argument') {
      const key = node.childForFieldName('name')?.text;
      const value = node.childForFieldName('value');
      if (key && isSecretName(key) && value && !isMaskedLiteral(value) && !isRedaction(value) && !isHarmlessValue(value)) {
        found.push(value);
        continue;
      }
      if (value) stack.push(value);
      continue;
    }
    // Names have no children to read; any other node's come in one native call, not one per child.
    if (name !== undefined) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return found;
}

const REDACTING_CALL = /(redact|mask|hash|sha\d*|md5|digest|fingerprint|truncate|obfuscate|sanitize|sanitise|scrub|anonymi[sz]e|censor|hide|len|count|bool|Boolean|isset|typeof|last4|lastFour|preview|startsWith|endsWith|includes|has|exists|keys)$/i;

function isRedaction(node: SyntaxNode): boolean {
  switch (node.type) {
    case 'call_expression':
    case 'call': {
      const name = lastSegment(calleeName(node));
      return !!name && REDACTING_CALL.test(name);
    }
    case 'member_expression': {
      const property = node.childForFieldName('property')?.text;
      return property === 'length' || property === 'size';
    }
    case 'unary_expression':
    case 'not_operator':
      // `!!token`, `typeof token`, `not token`
      return true;
    case 'binary_expression':
    case 'comparison_operator':
      // A comparison logs a boolean, not the value: `token === expected`, `token is None`.
      return /^([=!<>]=?=?|instanceof|in|is|not in|is not)$/.test(node.children.find((c) => !c.isNamed)?.text ?? '');
    case 'ternary_expression':
    case 'conditional_expression':
      return false;
    default:
      return false;
  }
}

function isMaskedLiteral(node: SyntaxNode): boolean {
  const value = stringValue(node);
  return value !== undefined && (/^[*x•#.\-_ ]*$/i.test(value) || /redacted|masked|hidden/i.test(value));
}

function isHarmlessValue(node: SyntaxNode): boolean {
  return ['true', 'false', 'null', 'undefined', 'none', 'number', 'integer', 'float'].includes(node.type.toLowerCase()) || stringValue(node) !== undefined;
}
