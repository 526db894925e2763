/**
 * Thin handlers and short functions (docs/architecture.md §Layering): no file under lambdas/handlers over
 * HANDLER_FILE_MAX_LINES lines, no function under lambdas/ over FUNCTION_MAX_LINES lines (counted from the line the
 * function starts on to the line it ends on, nested functions included). Exceptions are listed with a reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { listSources, ROOT } from './source-graph';

const HANDLER_FILE_MAX_LINES = 120;
const FUNCTION_MAX_LINES = 80;

/** `path:function name` -> why it may be longer. Keep this short. */
const FUNCTION_EXCEPTIONS: Record<string, string> = {
  'lambdas/local/runtime.ts:startLocalRuntime': 'the local composition root: builds every adapter and handler of the function table and the local-only routes in one place',
};

/** A handler file (repository-relative) -> why it may be longer. */
const HANDLER_FILE_EXCEPTIONS: Record<string, string> = {
  'lambdas/handlers/functions.ts': 'the function table: declarative data (one entry per function) that lib/ imports, no handler code',
};

interface FunctionSpan {
  path: string;
  name: string;
  line: number;
  lines: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && (ts.isIdentifier(named.name) || ts.isStringLiteral(named.name) || ts.isPrivateIdentifier(named.name))) {
    return named.name.text;
  }
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf).replace(/^['"]|['"]$/g, '');
  if (parent && ts.isPropertyDeclaration(parent)) return parent.name.getText(sf);
  return `<anonymous at line ${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}>`;
}

export function functionSpans(path: string): FunctionSpan[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ path, name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const lineCount = (path: string): number => readFileSync(join(ROOT, path), 'utf8').replace(/\n$/, '').split('\n').length;

describe('thin handlers and short functions', () => {
  const lambdas = listSources(['lambdas']);

  it(`no file under lambdas/handlers is over ${HANDLER_FILE_MAX_LINES} lines`, () => {
    const long = lambdas
      .filter((p) => p.startsWith('lambdas/handlers/') && !(p in HANDLER_FILE_EXCEPTIONS))
      .map((p) => ({ p, n: lineCount(p) }))
      .filter(({ n }) => n > HANDLER_FILE_MAX_LINES)
      .map(({ p, n }) => `${p}: ${n} lines`);
    expect(long).toEqual([]);
  });

  it(`no function under lambdas/ is over ${FUNCTION_MAX_LINES} lines`, () => {
    const long = lambdas
      .flatMap(functionSpans)
      .filter((f) => f.lines > FUNCTION_MAX_LINES && !(`${f.path}:${f.name}` in FUNCTION_EXCEPTIONS))
      .map((f) => `${f.path}:${f.line} ${f.name}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it('every exception names a file and function that exist and are still long', () => {
    const spans = new Map(lambdas.flatMap(functionSpans).map((f) => [`${f.path}:${f.name}`, f.lines]));
    const stale = [
      ...Object.keys(FUNCTION_EXCEPTIONS).filter((k) => (spans.get(k) ?? 0) <= FUNCTION_MAX_LINES),
      ...Object.keys(HANDLER_FILE_EXCEPTIONS).filter((p) => !lambdas.includes(p) || lineCount(p) <= HANDLER_FILE_MAX_LINES),
    ];
    expect(stale).toEqual([]);
  });
});
