/**
 * The named sections of a benchmark report (docs/BENCHMARKS.md): each lies between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, so a run that measures one thing rewrites
 * its own section and keeps every other, whoever wrote it (`npm run bench` or `npm run soak`).
 */
import fs from 'node:fs';

/** The opening marker of section `name`. */
const sectionBegin = (name: string): string => `<!-- bench:${name} -->`;
/** The closing marker of section `name`. */
const sectionEnd = (name: string): string => `<!-- /bench:${name} -->`;

const SECTION = /<!-- bench:([\w.-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g;

/** The sections of the report at `file`, by name (none when it does not exist yet). */
export function readSections(file: string): Map<string, string> {
  const sections = new Map<string, string>();
  if (!fs.existsSync(file)) return sections;
  for (const m of fs.readFileSync(file, 'utf8').matchAll(SECTION)) sections.set(m[1]!, m[2]!);
  return sections;
}

/** `name`'s section with its markers, `text` ending in a newline. */
export function sectionBlock(name: string, text: string): string {
  return `${sectionBegin(name)}\n${text}${sectionEnd(name)}\n`;
}

/**
 * Writes section `name` into the report at `file`, leaving the rest of the file as it is: in
 * place of the old one, or else before the first section whose name sorts after it (the order
 * `npm run bench` writes them in), or at the end.
 */
export function writeSection(file: string, name: string, text: string): void {
  const doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const block = sectionBlock(name, text);
  const old = [...doc.matchAll(SECTION)];
  const same = old.find((m) => m[1] === name);
  let next: string;
  if (same) next = doc.slice(0, same.index) + block.trimEnd() + doc.slice(same.index! + same[0].length);
  else {
    const after = old.find((m) => m[1]!.localeCompare(name) > 0);
    next = after ? `${doc.slice(0, after.index)}${block}\n${doc.slice(after.index)}` : `${doc}${doc && !doc.endsWith('\n\n') ? '\n' : ''}${block}`;
  }
  fs.writeFileSync(file, next);
}
