import type { SyntaxLanguage } from '../src/engine/types.js';

/**
 * "Parse + one 20-pattern query": the floor any query-driven auditor pays. Twenty patterns of
 * the shapes rules look for (calls, members, assignments, literals in config objects, handlers),
 * merged into one query per grammar, no text predicates.
 */
const TS_PATTERNS = [
  '(call_expression function: (member_expression object: (identifier) @obj property: (property_identifier) @prop) arguments: (arguments) @args) @call',
  '(call_expression function: (identifier) @fn arguments: (arguments) @args) @call',
  '(new_expression constructor: (identifier) @ctor) @new',
  '(assignment_expression left: (member_expression) @left right: (_) @right) @assign',
  '(variable_declarator name: (identifier) @name value: (string) @value)',
  '(pair key: (property_identifier) @key value: (string) @value)',
  '(pair key: (property_identifier) @key value: (true) @value)',
  '(template_string (template_substitution) @sub) @tpl',
  '(binary_expression left: (string) right: (identifier)) @concat',
  '(await_expression (call_expression) @call) @await',
  '(try_statement handler: (catch_clause body: (statement_block) @body)) @try',
  '(import_statement source: (string) @source) @import',
  '(call_expression function: (member_expression object: (call_expression) @inner property: (property_identifier) @prop)) @chain',
  '(arrow_function body: (statement_block) @body) @fn',
  '(function_declaration name: (identifier) @name) @fn',
  '(method_definition name: (property_identifier) @name) @method',
  '(for_in_statement) @loop',
  '(if_statement condition: (parenthesized_expression) @cond) @if',
  '(throw_statement) @throw',
  '(return_statement (call_expression) @call) @ret',
];

const PY_PATTERNS = [
  '(call function: (attribute object: (identifier) @obj attribute: (identifier) @attr) arguments: (argument_list) @args) @call',
  '(call function: (identifier) @fn arguments: (argument_list) @args) @call',
  '(assignment left: (identifier) @name right: (string) @value)',
  '(assignment left: (identifier) @name right: (true) @value)',
  '(keyword_argument name: (identifier) @key value: (_) @value)',
  '(decorated_definition (decorator) @dec definition: (function_definition name: (identifier) @name))',
  '(function_definition name: (identifier) @name parameters: (parameters) @params) @fn',
  '(class_definition name: (identifier) @name) @cls',
  '(try_statement (except_clause) @except) @try',
  '(import_from_statement module_name: (dotted_name) @module) @import',
  '(import_statement name: (dotted_name) @module) @import',
  '(string (interpolation) @interp) @fstring',
  '(binary_operator left: (string) right: (_)) @concat',
  '(for_statement left: (_) @target right: (_) @iter) @loop',
  '(with_statement) @with',
  '(return_statement (call) @call) @ret',
  '(raise_statement) @raise',
  '(if_statement condition: (_) @cond) @if',
  '(dictionary (pair key: (string) @key value: (_) @value))',
  '(await (call) @call) @await',
];

export function twentyPatternQuery(language: SyntaxLanguage): string {
  return (language === 'python' ? PY_PATTERNS : TS_PATTERNS).join('\n');
}
