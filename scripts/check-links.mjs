#!/usr/bin/env node
// Every relative link in README.md, CONTRIBUTING.md, CHANGELOG.md and docs/**/*.md resolves:
// `[text](path)` to a file or folder of the repository, `[text](path#anchor)` and `[text](#anchor)`
// to a heading (or an explicit `id`/`name`) of that Markdown file, slugged as GitHub slugs them.
// Links with a scheme (https:, mailto:, …) and anything inside code (fenced blocks, inline code
// spans) are not checked. Prints every broken link and exits 1 if there is one.
//
//   node scripts/check-links.mjs              the repository this script is in
//   node scripts/check-links.mjs --root DIR   another tree
//   node scripts/check-links.mjs --self-test  a good and a broken link of each kind in a
//                                             temporary tree: the broken ones must be caught
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TOP_FILES = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'];

/** The Markdown files checked under `root`. */
export function checkedFiles(root) {
  const files = TOP_FILES.filter((f) => fs.existsSync(path.join(root, f)));
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) files.push(rel);
    }
  };
  if (fs.existsSync(path.join(root, 'docs'))) walk('docs');
  return files;
}

/** Lines of `text` outside fenced code blocks, with their numbers (1-based): each as it is
 * (`raw`) and with its inline code spans blanked out (`text`), where nothing reads as a link. */
function proseLines(text) {
  const out = [];
  let fence = null;
  text.split('\n').forEach((line, i) => {
    const open = line.match(/^\s{0,3}(`{3,}|~{3,})/);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length
        && line.trim().slice(open[1].length).trim() === '') fence = null;
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    out.push({ n: i + 1, raw: line, text: blankCodeSpans(line) });
  });
  return out;
}

/** `line` with every inline code span (`…`, ``…``) replaced by spaces. */
function blankCodeSpans(line) {
  return line.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (m) => ' '.repeat(m.length));
}

/** GitHub's anchor for a heading's text: its rendered text lowercased, every character but
 * letters, marks, digits, connector punctuation (`_`), spaces and hyphens dropped, spaces to
 * hyphens (github-slugger). */
export function slug(heading) {
  const rendered = heading
    .replace(/<[^>]*>/g, '')                 // HTML tags
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/`/g, '')                        // code spans: their text
    .replace(/(\*\*|\*|~~)/g, '');            // emphasis
  return rendered.trim().toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a Markdown text: its headings' slugs (the second of a slug gets `-1`, the
 * third `-2`, …) and explicit `id="…"` / `name="…"` attributes. */
export function anchors(text) {
  const found = new Set();
  const seen = new Map();
  const add = (s) => {
    let candidate = s;
    if (seen.has(s)) {
      let k = seen.get(s);
      do { k += 1; candidate = `${s}-${k}`; } while (seen.has(candidate));
      seen.set(s, k);
    }
    seen.set(candidate, seen.get(candidate) ?? 0);
    found.add(candidate);
  };
  const lines = proseLines(text);
  lines.forEach(({ raw: line }, i) => {
    const atx = line.match(/^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/);
    const next = lines[i + 1];
    if (atx) add(slug(atx[1]));
    else if (next && next.n === lines[i].n + 1 && line.trim() !== '' && /^\s{0,3}(=+|-+)\s*$/.test(next.text)
      && !/^\s{0,3}([-*+]\s|\d+[.)]\s|>|\|)/.test(line)) add(slug(line));
    for (const m of line.matchAll(/\s(?:id|name)="([^"]+)"/g)) found.add(m[1]);
  });
  return found;
}

/** The links of a Markdown text: `{ n, text, target }` for `[text](target)`, `![alt](target)`
 * and reference definitions `[label]: target`, outside code. */
export function links(text) {
  const out = [];
  for (const { n, raw, text: line } of proseLines(text)) {
    for (const m of line.matchAll(/!?\[((?:[^\]\\]|\\.)*)\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+["'(][^)]*)?\)/g)) {
      // The link's text as written (code spans in it were blanked out to find the link).
      const shown = raw.slice(m.index, m.index + m[0].length).match(/^!?\[(.*)\]\(/s)?.[1] ?? m[1];
      out.push({ n, text: shown, target: m[2].replace(/^<|>$/g, '') });
    }
    const def = line.match(/^\s{0,3}\[([^\]]+)\]:\s*(\S+)/);
    if (def) out.push({ n, text: def[1], target: def[2].replace(/^<|>$/g, '') });
  }
  return out;
}

/** Every broken relative link of the checked files under `root`, as `file:line: …` lines. */
export function check(root) {
  const broken = [];
  const anchorCache = new Map();
  const anchorsOf = (file) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchors(fs.readFileSync(file, 'utf8')));
    return anchorCache.get(file);
  };
  for (const rel of checkedFiles(root)) {
    const file = path.join(root, rel);
    for (const { n, text, target } of links(fs.readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      const where = `${rel}:${n}: [${text}](${target})`;
      const hash = target.indexOf('#');
      const rawPath = hash < 0 ? target : target.slice(0, hash);
      const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
      let dest;
      try {
        dest = rawPath === '' ? file
          : rawPath.startsWith('/') ? path.join(root, decodeURIComponent(rawPath))
            : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
      } catch {
        broken.push(`${where}: malformed`);
        continue;
      }
      if (!path.relative(root, dest).split(path.sep).every((p) => p !== '..') ) {
        broken.push(`${where}: outside the repository`);
        continue;
      }
      if (!fs.existsSync(dest)) {
        broken.push(`${where}: no such file ${path.relative(root, dest)}`);
        continue;
      }
      if (anchor === null || anchor === '') continue;
      if (!dest.endsWith('.md') || fs.statSync(dest).isDirectory()) continue; // e.g. a source file's #L10
      if (!anchorsOf(dest).has(anchor)) {
        broken.push(`${where}: no heading #${anchor} in ${path.relative(root, dest)}`);
      }
    }
  }
  return broken;
}

/** A temporary tree with a good and a broken link of each kind; the checker must report the
 * broken ones, and only them. */
function selfTest() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-links-'));
  const write = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  try {
    write('src/lib.rs', '// a source file\n');
    write('docs/guide.md', [
      '# The guide',
      '## Cold and warm time per step',
      '## E3–E6: the `optimisation` experiments',
      '## Twice',
      '## Twice',
      'A setext heading',
      '----------------',
      '<a id="explicit"></a>',
      'Back to [the README](../README.md#top) and [a broken one](../README.md#nowhere).',
    ].join('\n'));
    write('README.md', [
      '# Top',
      'Good: [guide](docs/guide.md), [anchor](docs/guide.md#cold-and-warm-time-per-step),',
      '[punctuation](docs/guide.md#e3e6-the-optimisation-experiments), [second](docs/guide.md#twice-1),',
      '[setext](docs/guide.md#a-setext-heading), [explicit](docs/guide.md#explicit), [self](#top),',
      '[folder](src/), [source line](src/lib.rs#L1), ![image](docs/guide.md), [web](https://example.com/x.md),',
      '[mail](mailto:a@b.c), `[inline code](missing.md)`.',
      '```sh',
      '[in a code block](missing.md)',
      '```',
      'Broken: [missing file](docs/missing.md), [missing anchor](docs/guide.md#no-such-heading),',
      '[third twice](docs/guide.md#twice-2), [self anchor](#nowhere).',
      '[ref]: docs/gone.md',
    ].join('\n'));
    const found = check(root).map((l) => l.replace(/: (no such|no heading|outside|malformed).*/, ''));
    const expected = [
      'README.md:10: [missing file](docs/missing.md)',
      'README.md:10: [missing anchor](docs/guide.md#no-such-heading)',
      'README.md:11: [third twice](docs/guide.md#twice-2)',
      'README.md:11: [self anchor](#nowhere)',
      'README.md:12: [ref](docs/gone.md)',
      'docs/guide.md:9: [a broken one](../README.md#nowhere)',
    ];
    const missed = expected.filter((e) => !found.includes(e));
    const extra = found.filter((f) => !expected.includes(f));
    const slugs = [
      [slug('Cold and warm time per step'), 'cold-and-warm-time-per-step'],
      [slug('The report (`#exp=report`)'), 'the-report-expreport'],
      [slug('E9b `sensitivity`: a walk-through'), 'e9b-sensitivity-a-walk-through'],
      [slug('Dependencies and what they are for'), 'dependencies-and-what-they-are-for'],
      [slug('[Linked](x.md) and **bold** snake_case'), 'linked-and-bold-snake_case'],
    ].filter(([got, want]) => got !== want);
    if (missed.length || extra.length || slugs.length) {
      console.error('check-links self-test failed');
      for (const m of missed) console.error(`  not caught: ${m}`);
      for (const e of extra) console.error(`  caught but fine: ${e}`);
      for (const [got, want] of slugs) console.error(`  slug ${got}, want ${want}`);
      return 1;
    }
    console.log(`check-links self-test: ${expected.length} broken links caught, the good ones passed`);
    return 0;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function main(args) {
  if (args.includes('--self-test')) return selfTest();
  const i = args.indexOf('--root');
  const root = i >= 0 ? path.resolve(args[i + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const files = checkedFiles(root);
  const broken = check(root);
  if (broken.length) {
    console.error(`${broken.length} broken relative link(s):`);
    for (const b of broken) console.error(`  ${b}`);
    return 1;
  }
  const count = files.reduce((sum, f) => sum + links(fs.readFileSync(path.join(root, f), 'utf8'))
    .filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target) && !l.target.startsWith('//')).length, 0);
  console.log(`check-links: ${count} relative links in ${files.length} files, all resolve`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
