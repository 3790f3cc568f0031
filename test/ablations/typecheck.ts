/**
 * "The code still compiles": type-checks the files an entry patched, against the rest of the working
 * tree, in memory. One program is built for the tree and each entry's program reuses its unchanged
 * files, so a check costs the patched files' checking rather than a whole `tsc` run.
 */
import { join, resolve } from 'node:path';
import ts from 'typescript';

export interface TypeChecker {
  /** Type errors in the patched files (repository-relative path → new text), as printable lines. */
  check(patched: Map<string, string>): string[];
}

export function createTypeChecker(root: string): TypeChecker {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${configPath}`);
  const options = { ...config.options, noEmit: true };
  const cache = new Map<string, ts.SourceFile>();

  function program(overlay: Map<string, string>, old?: ts.Program): ts.Program {
    const host = ts.createCompilerHost(options, true);
    const readFile = host.readFile.bind(host);
    host.readFile = (f) => overlay.get(resolve(f)) ?? readFile(f);
    host.fileExists = (f) => overlay.has(resolve(f)) || ts.sys.fileExists(f);
    host.getSourceFile = (f, lang) => {
      const abs = resolve(f);
      const text = overlay.get(abs);
      if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
      let sf = cache.get(abs);
      if (!sf) {
        const disk = readFile(f);
        if (disk === undefined) return undefined;
        sf = ts.createSourceFile(f, disk, lang, true);
        cache.set(abs, sf);
      }
      return sf;
    };
    return ts.createProgram({ rootNames: config!.fileNames, options, host, oldProgram: old });
  }

  let base: ts.Program | undefined;
  return {
    check(patched) {
      const overlay = new Map<string, string>();
      for (const [file, text] of patched) {
        if (/\.(ts|tsx|mts|cts)$/.test(file)) overlay.set(resolve(root, file), text);
      }
      if (overlay.size === 0) return [];
      base ??= program(new Map());
      const p = program(overlay, base);
      const out: string[] = [];
      for (const abs of overlay.keys()) {
        const sf = p.getSourceFile(abs);
        if (!sf) continue;
        for (const d of [...p.getSyntacticDiagnostics(sf), ...p.getSemanticDiagnostics(sf)]) {
          const where = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : undefined;
          const at = where ? `:${where.line + 1}:${where.character + 1}` : '';
          out.push(
            `${abs.slice(root.length + 1)}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
          );
        }
      }
      return out;
    },
  };
}
