#!/usr/bin/env python3
"""No import circles between a crate's modules (docs/dev/architecture.md's invariant).

Reads every `use crate::…`, `use super::…` and `use self::…` outside `#[cfg(test)]` in each
crate's `src/`, resolves each to the module it names (the longest existing module path), and
reports every group of modules that import one another in a circle (a strongly connected
component of two or more). A module importing its own ancestors or descendants does not count:
a parent declares its children. `--self-test` first shows that a circle is found.
Exit status 1 when a circle is found.
"""
import os
import re
import sys
import tempfile

CRATES = ['core', 'kernels', 'figures', 'protocol', 'app', 'worker', 'cli']


def module_path(src, path):
    parts = os.path.relpath(path, src)[:-3].split(os.sep)
    if parts[-1] in ('mod', 'lib', 'main'):
        parts = parts[:-1]
    return tuple(parts)


def expand(tree):
    """`a::{b, c::{d, e}}` → ['a::b', 'a::c::d', 'a::c::e']."""
    tree = tree.strip()
    if '{' not in tree:
        return [tree.split(' as ')[0].strip()]
    head, rest = tree.split('{', 1)
    body = rest[:rest.rindex('}')]
    items, depth, cur = [], 0, ''
    for ch in body:
        if ch == ',' and depth == 0:
            items.append(cur)
            cur = ''
            continue
        depth += ch == '{'
        depth -= ch == '}'
        cur += ch
    items.append(cur)
    out = []
    for item in items:
        if item.strip():
            out += [head + p for p in expand(item)]
    return out


def edges_of(root):
    edges = {}
    for crate in CRATES:
        src = os.path.join(root, crate, 'src')
        if not os.path.isdir(src):
            continue
        files = [os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs if f.endswith('.rs')]
        modules = {module_path(src, f): f for f in files}
        for module, path in modules.items():
            text = open(path, encoding='utf-8').read().split('#[cfg(test)]')[0]
            for tree in re.findall(r'\buse\s+((?:crate|super|self)::[^;]*);', text):
                for use in expand(re.sub(r'\s+', ' ', tree)):
                    parts = use.replace(' ', '').split('::')
                    if parts[0] == 'crate':
                        target = parts[1:]
                    else:
                        target = list(module)
                        while parts and parts[0] in ('super', 'self'):
                            if parts[0] == 'super':
                                target = target[:-1]
                            parts = parts[1:]
                        target += parts
                    found = next((tuple(target[:i]) for i in range(len(target), 0, -1)
                                  if tuple(target[:i]) in modules), None)
                    if found is None or found[:len(module)] == module or module[:len(found)] == found:
                        continue
                    edges.setdefault((crate, module), set()).add((crate, found))
    return edges


def circles(edges):
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted('/'.join((c,) + m) for c, m in component))

    nodes = set(edges) | {t for ts in edges.values() for t in ts}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found


def self_test():
    with tempfile.TemporaryDirectory() as root:
        src = os.path.join(root, 'core', 'src', 'data')
        os.makedirs(src)
        open(os.path.join(root, 'core', 'src', 'lib.rs'), 'w').write('mod data;\n')
        open(os.path.join(src, 'mod.rs'), 'w').write('mod a;\nmod b;\n')
        open(os.path.join(src, 'a.rs'), 'w').write('use super::{b::B, c};\npub struct A;\n')
        open(os.path.join(src, 'b.rs'), 'w').write('use crate::data::a::A;\npub struct B;\n')
        assert circles(edges_of(root)) == [['core/data/a', 'core/data/b']], 'the self-test circle was not found'


if __name__ == '__main__':
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    if '--self-test' in sys.argv:
        self_test()
        print('check-imports: the self-test circle is found')
        sys.exit(0)
    found = circles(edges_of(root))
    for c in found:
        print('import circle: ' + ' ↔ '.join(c))
    print(f'check-imports: {len(found)} import circles')
    sys.exit(1 if found else 0)
