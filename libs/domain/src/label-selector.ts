import { DomainError, assertNever } from './errors';
import type { Labels } from './registry/model';
import { LABEL_VALUE_RULE, QUALIFIED_NAME_RULE, isLabelValue, isQualifiedName } from './validation/names';

// The operators of metav1.LabelSelectorRequirement. The text forms `a=b`, `a==b` and `a!=b` are
// the one-value cases of In and NotIn (they match identically in k8s labels.Requirement.Matches),
// so a storage layer only has four cases to translate.
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Sorted and de-duplicated; empty for Exists and DoesNotExist. */
  readonly values: readonly string[];
}

/** All requirements must hold; no requirements selects everything. */
export interface LabelSelector {
  readonly requirements: readonly LabelSelectorRequirement[];
}

type Token =
  | { readonly kind: 'identifier'; readonly text: string; readonly position: number }
  | { readonly kind: 'symbol'; readonly text: SymbolText; readonly position: number }
  | { readonly kind: 'end'; readonly text: ''; readonly position: number };

type SymbolText = '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '<' | '>';

// As in k8s labels/selector.go's lexer: these characters end an identifier. '<' and '>' (the
// Gt/Lt operators upstream) are lexed so they can be refused by name.
const SPECIAL = new Set(['!', '=', '(', ')', ',', '<', '>']);
const isSpace = (ch: string): boolean => /\s/.test(ch);

const tokenize = (text: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (isSpace(ch)) {
      i += 1;
    } else if (SPECIAL.has(ch)) {
      const pair = text.slice(i, i + 2);
      const symbol: SymbolText = pair === '!=' || pair === '==' ? pair : (ch as SymbolText);
      tokens.push({ kind: 'symbol', text: symbol, position: i });
      i += symbol.length;
    } else {
      const start = i;
      while (i < text.length && !isSpace(text[i]) && !SPECIAL.has(text[i])) i += 1;
      tokens.push({ kind: 'identifier', text: text.slice(start, i), position: start });
    }
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
};

const describe = (token: Token): string =>
  token.kind === 'end' ? 'end of input' : `${JSON.stringify(token.text)} at position ${token.position}`;

class SelectorParser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly field: string,
  ) {}

  parse(): LabelSelectorRequirement[] {
    if (this.peek().kind === 'end') return [];
    const requirements: LabelSelectorRequirement[] = [];
    for (;;) {
      requirements.push(this.requirement());
      const next = this.next();
      if (next.kind === 'end') return requirements;
      if (!isSymbol(next, ',')) throw this.unexpected(next, "',' or end of input");
    }
  }

  private requirement(): LabelSelectorRequirement {
    const first = this.next();
    if (isSymbol(first, '!')) {
      return { key: this.key(this.next()), operator: 'DoesNotExist', values: [] };
    }
    const key = this.key(first);
    const op = this.peek();
    if (op.kind === 'end' || isSymbol(op, ',')) return { key, operator: 'Exists', values: [] };
    this.next();
    if (isSymbol(op, '=') || isSymbol(op, '==')) return { key, operator: 'In', values: [this.exactValue()] };
    if (isSymbol(op, '!=')) return { key, operator: 'NotIn', values: [this.exactValue()] };
    if (op.kind === 'identifier' && (op.text === 'in' || op.text === 'notin')) {
      return { key, operator: op.text === 'in' ? 'In' : 'NotIn', values: this.valueSet(op.text) };
    }
    throw this.unexpected(op, `an operator (=, ==, !=, in, notin), ',' or end of input after key ${JSON.stringify(key)}`);
  }

  private key(token: Token): string {
    // "in" and "notin" are keywords in key position, as upstream.
    if (token.kind !== 'identifier' || token.text === 'in' || token.text === 'notin') {
      throw this.unexpected(token, 'a label key');
    }
    if (!isQualifiedName(token.text)) {
      throw this.error(`invalid label key ${JSON.stringify(token.text)}: ${QUALIFIED_NAME_RULE}`);
    }
    return token.text;
  }

  private value(text: string): string {
    if (!isLabelValue(text)) throw this.error(`invalid label value ${JSON.stringify(text)}: ${LABEL_VALUE_RULE}`);
    return text;
  }

  // `a=` selects the empty value: upstream parseExactValue reads end/',' as "".
  private exactValue(): string {
    const token = this.peek();
    if (token.kind === 'end' || isSymbol(token, ',')) return '';
    if (token.kind !== 'identifier') throw this.unexpected(token, 'a label value');
    this.next();
    return this.value(token.text);
  }

  // Upstream parseIdentifiersList: an empty slot in "(a,)" or "(,a)" is the empty value, but
  // "()" is an error ("values set can't be empty").
  private valueSet(operator: string): string[] {
    const open = this.next();
    if (!isSymbol(open, '(')) throw this.unexpected(open, `'(' after ${operator}`);
    if (isSymbol(this.peek(), ')')) throw this.error(`the value set of ${operator} must not be empty`);
    const values = new Set<string>();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'identifier') {
        this.next();
        values.add(this.value(token.text));
      } else {
        values.add('');
      }
      const separator = this.next();
      if (isSymbol(separator, ')')) return [...values].sort();
      if (!isSymbol(separator, ',')) throw this.unexpected(separator, "',' or ')' in a value set");
    }
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private unexpected(token: Token, expected: string): DomainError {
    return this.error(`found ${describe(token)}, expected ${expected}`);
  }

  private error(rule: string): DomainError {
    return new DomainError('BAD_USER_INPUT', this.field, `must be a Kubernetes label selector: ${rule}`);
  }
}

const isSymbol = (token: Token, symbol: SymbolText): boolean => token.kind === 'symbol' && token.text === symbol;

/**
 * Parses Kubernetes selector syntax (k8s.io/apimachinery labels.Parse): comma-separated
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. Requirements come back sorted
 * by key, as upstream sorts them, so equal selectors parse to equal structures.
 */
export const parseLabelSelector = (text: string, field = 'labelSelector'): LabelSelector => {
  const requirements = new SelectorParser(tokenize(text), field).parse();
  return { requirements: requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
};

// k8s Requirement.Matches: NotIn (and so !=) also matches when the key is absent.
const matchesRequirement = (requirement: LabelSelectorRequirement, labels: Labels): boolean => {
  const present = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'In':
      return present && requirement.values.includes(labels[requirement.key]);
    case 'NotIn':
      return !present || !requirement.values.includes(labels[requirement.key]);
    default:
      return assertNever(requirement.operator);
  }
};

export const matchesLabelSelector = (selector: LabelSelector, labels: Labels): boolean =>
  selector.requirements.every((requirement) => matchesRequirement(requirement, labels));
