import { FilterParseError, FilterUnknownColumnError } from './errors';
import { type Token, tokenize } from './tokenizer';
import type {
  ColumnType,
  ColumnTypes,
  ComparisonOperator,
  FilterDialect,
  FilterExpression,
  FilterValue,
  StringFunction,
} from './types';

export interface ParseFilterOptions {
  dialect: FilterDialect;
  /** Every column a filter may name, with its type; any other name is a FilterUnknownColumnError. */
  columns: ColumnTypes;
}

const COMPARISON_OPERATORS: ReadonlySet<string> = new Set<ComparisonOperator>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const STRING_FUNCTIONS: ReadonlySet<string> = new Set<StringFunction>(['contains', 'startswith', 'endswith']);
const DATAVERSE_IN = 'Microsoft.Dynamics.CRM.In';
/** Deeper nesting is refused rather than risking the call stack on hostile input. */
const MAX_DEPTH = 64;

const MIRRORED: Record<ComparisonOperator, ComparisonOperator> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

const EDM_TYPE: Record<ColumnType, string> = {
  string: 'Edm.String',
  number: 'Edm.Decimal',
  boolean: 'Edm.Boolean',
  guid: 'Edm.Guid',
  datetime: 'Edm.DateTimeOffset',
  enum: 'Edm.Enum',
};

/**
 * Parses `$filter` text into a FilterExpression. Grammar (lowest precedence first):
 *   or := and ('or' and)*;  and := unary ('and' unary)*;  unary := 'not' unary | primary
 *   primary := '(' or ')' | function '(' column ',' string ')' | In(...) | operand [op operand]
 * Throws FilterParseError (with position) for anything else, FilterUnknownColumnError for unknown names.
 */
export function parseFilter(text: string, options: ParseFilterOptions): FilterExpression {
  if (text.trim() === '') throw new FilterParseError('The $filter expression is empty.', 0);
  return new FilterParser(tokenize(text), options).parseAll();
}

type Operand =
  | { kind: 'column'; name: string; type: ColumnType; position: number }
  | { kind: 'literal'; literalType: LiteralType; raw: string; enumType?: string; position: number };

type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'guid' | 'datetime' | 'date' | 'enum';

class FilterParser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly options: ParseFilterOptions,
  ) {}

  parseAll(): FilterExpression {
    const expression = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'eof') throw this.unexpected(next, 'the end of the expression, "and" or "or"');
    return expression;
  }

  private parseOr(): FilterExpression {
    const operands = [this.parseAnd()];
    while (this.peekKeyword('or')) {
      this.index += 1;
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? (operands[0] as FilterExpression) : { kind: 'or', operands };
  }

  private parseAnd(): FilterExpression {
    const operands = [this.parseUnary()];
    while (this.peekKeyword('and')) {
      this.index += 1;
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? (operands[0] as FilterExpression) : { kind: 'and', operands };
  }

  private parseUnary(): FilterExpression {
    this.enter();
    try {
      if (this.peekKeyword('not')) {
        this.index += 1;
        return { kind: 'not', operand: this.parseUnary() };
      }
      return this.parsePrimary();
    } finally {
      this.depth -= 1;
    }
  }

  private parsePrimary(): FilterExpression {
    const token = this.peek();
    if (token.kind === '(') {
      this.index += 1;
      const inner = this.parseOr();
      this.expect(')', 'a closing parenthesis');
      return inner;
    }
    if (token.kind === 'identifier' && this.peekAt(1).kind === '(') {
      if (STRING_FUNCTIONS.has(token.text)) return this.parseStringFunction(token);
      if (token.text === DATAVERSE_IN && this.options.dialect === 'dataverse') return this.parseIn(token);
      throw new FilterParseError(`The function '${token.text}' is not supported.`, token.position);
    }
    const left = this.parseOperand();
    const operator = this.peek();
    if (operator.kind === 'identifier' && COMPARISON_OPERATORS.has(operator.text)) {
      this.index += 1;
      const right = this.parseOperand();
      return this.comparison(operator.text as ComparisonOperator, left, right, operator.position);
    }
    if (operator.kind === 'identifier' && (operator.text === 'in' || operator.text === 'has')) {
      throw new FilterParseError(`The '${operator.text}' operator is not supported by this service.`, operator.position);
    }
    if (left.kind === 'column' && left.type === 'boolean') return { kind: 'column', column: left.name };
    throw this.unexpected(operator, 'a comparison operator (eq, ne, gt, ge, lt, le)');
  }

  private parseOperand(): Operand {
    const token = this.next();
    switch (token.kind) {
      case 'identifier': {
        if (token.text === 'true' || token.text === 'false') return literal('boolean', token);
        if (token.text === 'null') return literal('null', token);
        if (isKeyword(token.text)) throw this.unexpected(token, 'a property name or a literal');
        return this.column(token);
      }
      case 'string':
      case 'number':
      case 'guid':
      case 'datetime':
      case 'date':
        return literal(token.kind, token);
      case 'enum':
        if (this.options.dialect !== 'fno') {
          throw new FilterParseError(`Enum literal '${token.typeName ?? ''}'${token.text}'' is not supported here.`, token.position);
        }
        return { kind: 'literal', literalType: 'enum', raw: token.text, enumType: token.typeName ?? '', position: token.position };
      default:
        throw this.unexpected(token, 'a property name or a literal');
    }
  }

  private column(token: Token): Operand & { kind: 'column' } {
    if (!Object.hasOwn(this.options.columns, token.text)) throw new FilterUnknownColumnError(token.text, token.position);
    return { kind: 'column', name: token.text, type: this.options.columns[token.text] as ColumnType, position: token.position };
  }

  private comparison(op: ComparisonOperator, left: Operand, right: Operand, position: number): FilterExpression {
    let column: Operand & { kind: 'column' };
    let value: Operand & { kind: 'literal' };
    if (left.kind === 'column' && right.kind === 'literal') {
      column = left;
      value = right;
    } else if (left.kind === 'literal' && right.kind === 'column') {
      column = right;
      value = left;
      op = MIRRORED[op];
    } else {
      throw new FilterParseError('A comparison needs a property on one side and a literal on the other.', position);
    }
    if (value.literalType === 'null' && op !== 'eq' && op !== 'ne') {
      throw new FilterParseError(`The operator '${op}' cannot be used with null.`, position);
    }
    if ((column.type === 'enum' || value.literalType === 'enum') && op !== 'eq' && op !== 'ne') {
      throw new FilterParseError(`Enum values support only 'eq' and 'ne', not '${op}'.`, position);
    }
    const converted = this.convert(value, column, op);
    // F&O: "Contains … has been implemented as a wildcard character" — `*` inside an eq string matches any run.
    if (this.options.dialect === 'fno' && column.type === 'string' && typeof converted === 'string' && converted.includes('*') && (op === 'eq' || op === 'ne')) {
      return { kind: 'wildcard', negated: op === 'ne', column: column.name, pattern: converted.toLowerCase() };
    }
    return { kind: 'compare', op, column: column.name, columnType: column.type, value: converted };
  }

  /** The literal in the column's comparable form, or a type error worded like the OData library's. */
  private convert(literal: Operand & { kind: 'literal' }, column: Operand & { kind: 'column' }, op: ComparisonOperator): FilterValue {
    if (literal.literalType === 'null') return null;
    const compatible = ACCEPTS[column.type].includes(literal.literalType);
    if (!compatible) {
      throw new FilterParseError(
        `A binary operator with incompatible types was detected. Found operand types '${EDM_TYPE[column.type]}' and ` +
          `'${literalEdmType(literal.literalType)}' for operator kind '${op}'.`,
        literal.position,
      );
    }
    return comparable(column.type, literal.literalType, literal.raw, literal.position);
  }

  private parseStringFunction(name: Token): FilterExpression {
    if (this.options.dialect === 'fno') throw new FilterParseError(`The function '${name.text}' is not supported.`, name.position);
    this.index += 2; // name and '('
    const columnToken = this.next();
    if (columnToken.kind !== 'identifier' || isKeyword(columnToken.text)) throw this.unexpected(columnToken, 'a property name');
    const column = this.column(columnToken);
    if (column.type !== 'string') {
      throw new FilterParseError(`The function '${name.text}' needs a string property; '${column.name}' is not one.`, columnToken.position);
    }
    this.expect(',', 'a comma');
    const value = this.next();
    if (value.kind !== 'string') throw this.unexpected(value, 'a string literal');
    this.expect(')', 'a closing parenthesis');
    return { kind: 'function', name: name.text as StringFunction, column: column.name, value: value.text.toLowerCase() };
  }

  /** `Microsoft.Dynamics.CRM.In(PropertyName='col',PropertyValues=['a','b'])`, parameters in either order. */
  private parseIn(name: Token): FilterExpression {
    this.index += 2;
    let property: (Operand & { kind: 'column' }) | undefined;
    let rawValues: Token[] | undefined;
    for (;;) {
      const parameter = this.next();
      if (parameter.kind !== 'identifier') throw this.unexpected(parameter, 'PropertyName or PropertyValues');
      this.expect('=', "'='");
      if (parameter.text === 'PropertyName' && property === undefined) {
        const value = this.next();
        if (value.kind !== 'string') throw this.unexpected(value, 'a quoted property name');
        property = this.column(value);
      } else if (parameter.text === 'PropertyValues' && rawValues === undefined) {
        rawValues = this.parseStringList();
      } else {
        throw new FilterParseError(`Unexpected parameter '${parameter.text}' for ${DATAVERSE_IN}.`, parameter.position);
      }
      const separator = this.next();
      if (separator.kind === ')') break;
      if (separator.kind !== ',') throw this.unexpected(separator, "',' or ')'");
    }
    if (property === undefined || rawValues === undefined) {
      throw new FilterParseError(`${DATAVERSE_IN} needs both PropertyName and PropertyValues.`, name.position);
    }
    const column = property;
    if (column.type === 'enum') throw new FilterParseError(`${DATAVERSE_IN} does not accept enum properties.`, name.position);
    const values = rawValues.map((token) => comparable(column.type, textLiteralType(column.type), token.text, token.position));
    return { kind: 'in', column: column.name, columnType: column.type, values };
  }

  private parseStringList(): Token[] {
    this.expect('[', "'['");
    const values: Token[] = [];
    for (;;) {
      const value = this.next();
      if (value.kind !== 'string') throw this.unexpected(value, 'a string literal');
      values.push(value);
      const separator = this.next();
      if (separator.kind === ']') return values;
      if (separator.kind !== ',') throw this.unexpected(separator, "',' or ']'");
    }
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new FilterParseError('The $filter expression is nested too deeply.', this.peek().position);
  }

  private peek(): Token {
    return this.peekAt(0);
  }

  private peekAt(offset: number): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private peekKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.text === keyword;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index += 1;
    return token;
  }

  private expect(kind: Token['kind'], description: string): void {
    const token = this.next();
    if (token.kind !== kind) throw this.unexpected(token, description);
  }

  private unexpected(token: Token, expected: string): FilterParseError {
    const found = token.kind === 'eof' ? 'the end of the expression' : `'${token.kind === 'string' ? `'${token.text}'` : token.text}'`;
    return new FilterParseError(`Syntax error at position ${token.position}: expected ${expected} but found ${found}.`, token.position);
  }
}

const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', ...COMPARISON_OPERATORS]);

function isKeyword(text: string): boolean {
  return KEYWORDS.has(text);
}

function literal(literalType: LiteralType, token: Token): Operand {
  return { kind: 'literal', literalType, raw: token.text, position: token.position };
}

/** Which literal forms each column type accepts. */
const ACCEPTS: Record<ColumnType, readonly LiteralType[]> = {
  string: ['string'],
  number: ['number'],
  boolean: ['boolean'],
  guid: ['guid'],
  datetime: ['datetime', 'date'],
  enum: ['enum'],
};

function literalEdmType(type: LiteralType): string {
  switch (type) {
    case 'number':
      return 'Edm.Decimal';
    case 'date':
      return 'Edm.Date';
    case 'enum':
      return 'Edm.Enum';
    case 'null':
      return 'null';
    default:
      return EDM_TYPE[type];
  }
}

/** In() values are always quoted; they are read as the property's own type. */
function textLiteralType(type: ColumnType): LiteralType {
  return type === 'datetime' ? 'datetime' : type;
}

function comparable(columnType: ColumnType, literalType: LiteralType, raw: string, position: number): FilterValue {
  switch (columnType) {
    case 'string':
    case 'enum':
      return raw;
    case 'guid':
      if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(raw)) {
        throw new FilterParseError(`'${raw}' is not a valid GUID.`, position);
      }
      return raw.toLowerCase();
    case 'number': {
      const value = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value)) throw new FilterParseError(`'${raw}' is not a valid number.`, position);
      return value;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new FilterParseError(`'${raw}' is not a valid boolean.`, position);
      return raw === 'true';
    case 'datetime': {
      const text = literalType === 'date' || /^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw;
      const value = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
      if (!Number.isFinite(value)) throw new FilterParseError(`'${raw}' is not a valid date/time.`, position);
      return value;
    }
  }
}
