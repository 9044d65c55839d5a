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
  // One native walk over the nodes something is decided on (every other node is only looked
  // through), in document order; a node starting before `skipUntil` lies in a part passed over:
  // inside a redaction, a secret found or a non-secret property, or a key of a pair or keyword.
  let skipUntil = -1;
  for (const node of root.descendantsOfType(DECIDING_TYPES)) {
    if (node.startIndex < skipUntil) continue;
    if (isRedaction(node)) {
      skipUntil = node.endIndex;
      continue;
    }
    const name = valueName(node);
    if (name !== undefined) {
      if (isSecretName(name)) {
        found.push(node);
        skipUntil = node.endIndex;
        continue;
      }
      // A non-secret property of anything is not the secret: `token.expiresAt`, `session.userId`.
      if (node.type === 'member_expression' || node.type === 'attribute' || node.type === 'subscript' || node.type === 'subscript_expression') {
        skipUntil = node.endIndex;
        continue;
      }
    }
    if (node.type === 'pair') {
      // `{ password: user.password }`, `{"token": t}`: the key names what is logged.
      const key = node.childForFieldName('key');
      const value = node.childForFieldName('value');
      const keyName = key ? (stringValue(key) ?? (key.type === 'property_identifier' || key.type === 'identifier' ? key.text : undefined)) : undefined;
      if (keyName && isSecretName(keyName) && value && !isMaskedLiteral(value) && !isRedaction(value) && !isHarmlessValue(value)) {
        found.push(value);
        skipUntil = node.endIndex;
        continue;
      }
      // Only the value is read on.
      skipUntil = value ? value.startIndex : node.endIndex;
      continue;
    }
    if (node.type === 'keyword_argument') {
      const key = node.childForFieldName('name')?.text;
      const value = node.childForFieldName('value');
      if (key && isSecretName(key) && value && !isMaskedLiteral(value) && !isRedaction(value) && !isHarmlessValue(value)) {
        found.push(value);
        skipUntil = node.endIndex;
        continue;
      }
      skipUntil = value ? value.startIndex : node.endIndex;
    }
  }
  return found;
}

/** The node types secretValuesIn() decides something on: isRedaction(), valueName(), pairs and keywords. */
const DECIDING_TYPES = [
  'call_expression', 'call', 'member_expression', 'unary_expression', 'not_operator', 'binary_expression', 'comparison_operator',
  'identifier', 'property_identifier', 'private_property_identifier', 'shorthand_property_identifier', 'shorthand_property_identifier_pattern',
  'attribute', 'subscript_expression', 'subscript', 'pair', 'keyword_argument',
];

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
