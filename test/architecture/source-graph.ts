/**
 * Reads the repository's TypeScript sources with the TypeScript compiler API (no new dependency): every import
 * (static, `export ... from`, dynamic `import()`, `require()`, `import x = require()`, `typeof import()`), resolved to
 * a repository file when relative, and the uses of clock, randomness, environment and bare errors that the
 * architecture rules forbid. Comments and strings never match: the rules look at the syntax tree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

export const ROOT = resolve(__dirname, '..', '..');

export interface ImportRef {
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative path of the imported file (posix separators), or null for a package. */
  target: string | null;
  /** Names imported by `import { a, b } from` (empty for other forms). */
  names: string[];
  typeOnly: boolean;
  /** An `import()` or `require()` inside a function: the module is evaluated when the call runs, not at import. */
  deferred: boolean;
  line: number;
}

export interface Use {
  /** What was found, e.g. `Date.now()`. */
  what: string;
  line: number;
}

export interface SourceFileInfo {
  /** Repository-relative path, posix separators. */
  path: string;
  imports: ImportRef[];
  /** Clock, randomness and environment reads (for the purity rule). */
  impure: Use[];
  /** `throw new Error(...)` / `throw Error(...)`. */
  bareThrows: Use[];
  /** Interfaces named in `class X implements A, B` clauses. */
  implemented: Use[];
  /** Interfaces and type aliases the file declares. */
  declaredTypes: string[];
}

const toPosix = (p: string): string => p.split(sep).join('/');

/** Every .ts file under the given repository-relative folders (no .d.ts); `extensions` widens the match. */
export function listSources(folders: readonly string[], extensions: readonly string[] = ['.ts']): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (extensions.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(toPosix(relative(ROOT, full)));
    }
  };
  for (const f of folders) if (existsSync(join(ROOT, f))) walk(join(ROOT, f));
  return out;
}

function resolveRelative(fromPath: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = join(ROOT, dirname(fromPath), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return toPosix(relative(ROOT, candidate));
  }
  // A relative import of something that is not a .ts file (a .json, a .cjs): keep the path as written.
  return toPosix(relative(ROOT, base));
}

const RANDOM_CRYPTO = new Set(['randomUUID', 'randomBytes', 'randomInt', 'randomFillSync', 'randomFill', 'getRandomValues']);

export function analyze(path: string): SourceFileInfo {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const info: SourceFileInfo = { path, imports: [], impure: [], bareThrows: [], implemented: [], declaredTypes: [] };
  const lineOf = (node: ts.Node): number => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const addImport = (node: ts.Node, specifier: string, names: string[], typeOnly: boolean, deferred = false): void => {
    info.imports.push({ specifier, target: resolveRelative(path, specifier), names, typeOnly, deferred, line: lineOf(node) });
  };
  const insideFunction = (node: ts.Node): boolean => {
    for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) return true;
    return false;
  };
  const calleeText = (expr: ts.Expression): string => expr.getText(sf).replace(/\s+/g, '');

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const names: string[] = [];
      if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const el of clause.namedBindings.elements) names.push((el.propertyName ?? el.name).text);
      }
      const allTypes = !!clause && !clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      addImport(node, node.moduleSpecifier.text, names, !!clause?.isTypeOnly || allTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      addImport(node, node.moduleSpecifier.text, [], node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)) {
      addImport(node, node.moduleReference.expression.text, [], node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      addImport(node, node.argument.literal.text, [], true);
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const callee = calleeText(node.expression);
      if ((node.expression.kind === ts.SyntaxKind.ImportKeyword || callee === 'require') && arg && ts.isStringLiteral(arg)) {
        addImport(node, arg.text, [], false, insideFunction(node));
      }
      if (callee === 'Date.now' || callee === 'performance.now' || callee === 'Math.random' || callee === 'process.hrtime' ||
        callee === 'process.hrtime.bigint' || callee === 'Date') {
        info.impure.push({ what: `${callee}()`, line: lineOf(node) });
      }
      if ((callee === 'DateTime.now' || callee === 'DateTime.local' || callee === 'DateTime.utc') && node.arguments.length === 0) {
        info.impure.push({ what: `${callee}()`, line: lineOf(node) });
      }
      const last = callee.split('.').pop() ?? '';
      if (RANDOM_CRYPTO.has(last) && (callee === last || /(^|\.)crypto\.[A-Za-z]+$/.test(callee))) {
        info.impure.push({ what: `${callee}()`, line: lineOf(node) });
      }
    } else if (ts.isNewExpression(node) && calleeText(node.expression) === 'Date' && (node.arguments?.length ?? 0) === 0) {
      info.impure.push({ what: 'new Date()', line: lineOf(node) });
    } else if (ts.isPropertyAccessExpression(node) && calleeText(node.expression) === 'process' && node.name.text === 'env') {
      info.impure.push({ what: 'process.env', line: lineOf(node) });
    } else if (ts.isElementAccessExpression(node) && calleeText(node.expression) === 'process') {
      info.impure.push({ what: 'process[...]', line: lineOf(node) });
    } else if (ts.isThrowStatement(node) && node.expression &&
      (ts.isNewExpression(node.expression) || ts.isCallExpression(node.expression)) &&
      calleeText(node.expression.expression) === 'Error') {
      info.bareThrows.push({ what: node.getText(sf).split('\n')[0]!.slice(0, 100), line: lineOf(node) });
    }
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) {
      for (const t of node.types) info.implemented.push({ what: t.expression.getText(sf), line: lineOf(t) });
    }
    if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.parent === sf) info.declaredTypes.push(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return info;
}

/**
 * The import cycles among the given files: one cycle per strongly connected component (Tarjan), written as
 * `a.ts -> b.ts -> a.ts`. Type-only imports count: a cycle of types is still a knot in the design.
 */
export function findCycles(files: ReadonlyMap<string, SourceFileInfo>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [path, info] of files) {
    edges.set(path, [...new Set(info.imports.map((i) => i.target).filter((t): t is string => t !== null && files.has(t)))]);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      const selfLoop = (edges.get(v) ?? []).includes(v);
      if (comp.length > 1 || selfLoop) components.push(comp);
    }
  };
  for (const v of [...files.keys()].sort()) if (!idx.has(v)) strong(v);
  // Write each component as one concrete cycle: a shortest path back to its first file (breadth first).
  return components.map((comp) => {
    const inComp = new Set(comp);
    const start = [...comp].sort()[0]!;
    const prev = new Map<string, string>();
    const queue = [start];
    let end: string | null = null;
    while (queue.length > 0 && end === null) {
      const v = queue.shift()!;
      for (const w of edges.get(v) ?? []) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          end = v;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = end; v !== null && v !== start; v = prev.get(v) ?? null) path.splice(1, 0, v);
    return [...path, start];
  });
}
