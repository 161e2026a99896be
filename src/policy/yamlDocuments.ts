import {
  Composer,
  type Document,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  type LineCounter,
  Parser,
  visit,
} from 'yaml';

/** YAML tokens a read may still spend; shared by the files of one directory. */
export interface TokenBudget {
  remaining: number;
}

/** Why the documents of a file stopped before its end. */
export type BudgetStop =
  | { kind: 'file-tokens' | 'directory-tokens'; offset: number }
  | { kind: 'documents'; offset: number };

export interface DocumentLimits {
  maxDocuments: number;
  maxFileTokens: number;
  directory: TokenBudget;
}

/**
 * The documents of a YAML text one at a time, as yaml's parseAllDocuments would give them, but
 * within limits: the text is lexed token by token and fed to the parser, so parsing stops at the
 * first token over the budget, and a document that would be one too many is never composed.
 * parseAllDocuments builds every document before returning the first, and each holds the whole
 * syntax tree of its text: 60,000 `{}` documents took about 400 MiB.
 *
 * Calls `onStop` once if a limit cut the text short; the documents before it are still given.
 */
export function* budgetedDocuments(
  text: string,
  options: { lineCounter: LineCounter; composer: ConstructorParameters<typeof Composer>[0] },
  limits: DocumentLimits,
  onStop: (stop: BudgetStop) => void,
): Generator<Document.Parsed> {
  const { lineCounter } = options;
  const parser = new Parser(lineCounter.addNewLine);
  let stopped: BudgetStop | undefined;
  function* tokens() {
    lineCounter.addNewLine(0);
    let fileTokens = 0;
    for (const lexeme of new Lexer().lex(text)) {
      fileTokens += 1;
      const offset = parser.offset;
      if (fileTokens > limits.maxFileTokens) stopped = { kind: 'file-tokens', offset };
      else if (limits.directory.remaining <= 0) stopped = { kind: 'directory-tokens', offset };
      if (stopped) return;
      limits.directory.remaining -= 1;
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  let documents = 0;
  for (const doc of new Composer(options.composer).compose(tokens())) {
    // After a stop, the composer still closes the document it was building: it is incomplete.
    if (stopped) break;
    documents += 1;
    if (documents > limits.maxDocuments) {
      stopped = { kind: 'documents', offset: doc.range[0] };
      break;
    }
    yield doc;
  }
  if (stopped) onStop(stopped);
}

/**
 * Offsets of the keys that repeat an earlier key of their mapping: scalar keys with equal values,
 * as yaml's `uniqueKeys` compares them, found in linear time and without recursion. yaml's own
 * check compares each key with every earlier one: over a second for a mapping of 9,000 keys.
 */
export function duplicateKeyOffsets(doc: Document): number[] {
  const offsets: number[] = [];
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        pending.push(pair.key, pair.value);
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (typeof value === 'number' && Number.isNaN(value)) continue; // NaN !== NaN
        if (seen.has(value)) offsets.push(pair.key.range?.[0] ?? 0);
        else seen.add(value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item);
    }
  }
  return offsets;
}

/** yaml's alias limit: expanding more aliases than this is a "billion laughs" attack, not a policy. */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. yaml throws (a ReferenceError) for an alias bomb or an alias
 * without its anchor; both become an issue at the first alias instead of a crash.
 */
export function toPlainValue(
  doc: Document,
): { value: unknown } | { issue: { offset: number; message: string } } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const reason = (error as Error).message;
    const message = /excessive alias count/i.test(reason)
      ? `YAML: the aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias references): refusing a resource-exhaustion ("billion laughs") document`
      : `YAML: ${reason}`;
    return { issue: { offset, message } };
  }
}
