#!/usr/bin/env python3
"""Checks the layer rules of docs/architecture.md against the code.

The rules are the fenced block after the "<!-- layers: ... -->" marker in docs/architecture.md
(the one machine-readable copy; the page explains it). Checked:

  1. every #include "..." in src/, bench/, fuzz/ and tests/interop/ names a header of a layer the
     including file's layer may use (test code: any layer its layer reaches, directly or not);
  2. headers outside the [asio] layers include neither <boost/asio/...> nor <boost/beast/...>
     nor a header of an [asio] layer that reaches them (io/asio.hpp, p2p/host.hpp, ...);
  3. every library of ours named in a link line of src/**/CMakeLists.txt (ipfsa_library DEPS and
     TEST_DEPS, target_link_libraries) belongs to a layer the target's layer may use;
  4. the [pure] libraries' sources and the fuzz targets (fuzz/*.cpp) reach, through quoted
     includes, only headers of pure libraries, and no Asio, Beast, logger, SQLite or libcurl header;
  5. every folder of src/ has a row, and the rows form no cycle.

Usage: scripts/check_layers.py [--root DIR]. Prints one line per violation (file:line, what, which
rule) and exits 1 if there is any, 0 otherwise.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "<!-- layers:"
SCANNED_ROOTS = ("src", "bench", "fuzz", "tests/interop")
SOURCE_SUFFIXES = (".cpp", ".cc", ".hpp", ".h")
HEADER_SUFFIXES = (".hpp", ".h")
ASIO_ANGLE = ("boost/asio", "boost/beast")
IMPURE_ANGLE = ("boost/asio", "boost/beast", "spdlog/", "sqlite3.h", "curl/")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


@dataclass
class Rules:
    uses: dict[str, list[str]]  # row pattern -> patterns it may use
    asio: list[str]
    pure: list[str]
    doc: str


@dataclass
class Library:
    name: str
    layer: str
    cmake: Path
    line: int
    sources: list[Path] = field(default_factory=list)
    globbed: bool = False  # SOURCES came from a file(GLOB): every non-test .cpp of the folder


class Violations:
    def __init__(self, root: Path):
        self.root = root
        self.lines: list[str] = []

    def add(self, path: Path, line: int, what: str, rule: str) -> None:
        self.lines.append(f"{path.relative_to(self.root)}:{line}: {what}: {rule}")


# --- the rules ------------------------------------------------------------------------------------

def parse_rules(doc_path: Path) -> Rules:
    text = doc_path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, l in enumerate(text) if l.strip().startswith(MARKER)), None)
    if start is None:
        raise SystemExit(f"{doc_path}: no '{MARKER} ...' marker before the layer table")
    fence = next((i for i in range(start + 1, len(text)) if text[i].startswith("```")), None)
    if fence is None:
        raise SystemExit(f"{doc_path}:{start + 1}: no fenced block after the marker")
    uses: dict[str, list[str]] = {}
    asio: list[str] = []
    pure: list[str] = []
    for i in range(fence + 1, len(text)):
        line = text[i].split("#", 1)[0].split()
        if text[i].startswith("```"):
            break
        if not line:
            continue
        key, values = line[0], line[1:]
        if key == "[asio]":
            asio = values
        elif key == "[pure]":
            pure = values
        elif key in uses:
            raise SystemExit(f"{doc_path}:{i + 1}: layer {key} has two rows")
        else:
            uses[key] = values
    else:
        raise SystemExit(f"{doc_path}:{fence + 1}: the layer table's fence is not closed")
    return Rules(uses, asio, pure, str(doc_path))


def matches(pattern: str, layer: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("/*"):
        prefix = pattern[:-1]
        return layer.startswith(prefix) and "/" not in layer[len(prefix):] and layer != prefix
    return pattern == layer


def row_of(rules: Rules, layer: str) -> str | None:
    for key in rules.uses:
        if matches(key, layer):
            return key
    return None


def may_use(rules: Rules, layer: str, target: str) -> bool:
    if layer == target:
        return True
    row = row_of(rules, layer)
    return row is not None and any(matches(p, target) for p in rules.uses[row])


def reach(rules: Rules, layer: str, layers: set[str]) -> set[str]:
    """Every known layer `layer` uses, directly or not (itself included)."""
    seen = {layer}
    todo = [layer]
    while todo:
        current = todo.pop()
        for other in layers:
            if other not in seen and may_use(rules, current, other):
                seen.add(other)
                todo.append(other)
    return seen


def layer_of(rules: Rules, rel: str) -> str | None:
    """The layer of a path relative to the repository root ("src/p2p/host.hpp" -> "p2p")."""
    parts = rel.split("/")
    if parts[0] == "src":
        parts = parts[1:]
    elif rel.startswith("tests/interop/"):
        return "tests/interop"
    else:
        return parts[0]
    for depth in (2, 1):
        if len(parts) > depth:
            candidate = "/".join(parts[:depth])
            if row_of(rules, candidate) is not None:
                return candidate
    return None


def allowed_text(rules: Rules, layer: str) -> str:
    row = row_of(rules, layer)
    values = rules.uses.get(row, []) if row else []
    return " ".join(values) if values else "nothing"


# --- CMake ----------------------------------------------------------------------------------------

def cmake_commands(path: Path):
    """(name, args, line) of each command call; comments dropped, ${var} from set() expanded."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"#[^\n]*", lambda m: " " * len(m.group(0)), text)
    variables: dict[str, list[str]] = {}
    for m in re.finditer(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        body = text[m.end():i - 1]
        args: list[str] = []
        for token in re.findall(r'"[^"]*"|[^\s()]+', body):
            var = re.fullmatch(r"\$\{([A-Za-z0-9_]+)\}", token)
            if var and var.group(1) in variables:
                args.extend(variables[var.group(1)])
            else:
                args.append(token.strip('"'))
        name = m.group(1).lower()
        if name == "set" and args:
            variables[args[0]] = args[1:]
        yield name, args, text.count("\n", 0, m.start()) + 1


def read_cmake(root: Path, rules: Rules, violations: Violations):
    """Libraries, link lines and test/tool programs of src/**/CMakeLists.txt."""
    libraries: dict[str, Library] = {}
    links: list[tuple[str, str, Path, int, bool]] = []  # target, dep, file, line, test code
    test_programs: set[Path] = set()
    executables: dict[str, str] = {}  # name -> layer
    for cmake in sorted((root / "src").rglob("CMakeLists.txt")):
        folder = cmake.parent
        layer = layer_of(rules, str(cmake.relative_to(root)))
        if layer is None:
            continue  # reported by the include scan
        for name, args, line in cmake_commands(cmake):
            if name == "ipfsa_library" and args:
                lib = Library(args[0], layer, cmake, line)
                section = None
                for a in args[1:]:
                    if a in ("SOURCES", "DEPS", "TEST_DEPS", "NO_TESTS"):
                        section = a
                    elif section == "SOURCES":
                        if a.startswith("${"):
                            lib.globbed = True
                        else:
                            lib.sources.append(folder / a)
                    elif section in ("DEPS", "TEST_DEPS"):
                        links.append((lib.name, a, cmake, line, section == "TEST_DEPS"))
                libraries[lib.name] = lib
            elif name == "add_library" and args:
                lib = Library(args[0], layer, cmake, line)
                lib.sources = [folder / a for a in args[1:] if a.endswith(".cpp")]
                libraries[lib.name] = lib
            elif name == "add_executable" and args:
                executables[args[0]] = layer
                if layer != "cli":
                    test_programs.update(folder / a for a in args[1:] if a.endswith(".cpp"))
            elif name == "target_link_libraries" and args:
                for a in args[1:]:
                    if a not in ("PUBLIC", "PRIVATE", "INTERFACE"):
                        links.append((args[0], a, cmake, line, False))
    for target, dep, cmake, line, test in links:
        if dep not in libraries:
            continue  # not one of ours (Boost::headers, GTest::gtest, SQLite::SQLite3, ...)
        if target in libraries:
            layer = libraries[target].layer
        elif target in executables:
            layer = executables[target]
            test = test or layer != "cli"
        else:
            layer = libraries[target].layer if target in libraries else None
        if target.endswith("_test"):
            test = True
        if layer is None:
            continue
        target_layer = libraries[dep].layer
        if test:
            ok = target_layer in reach(rules, layer, known_layers(rules, libraries))
        else:
            ok = may_use(rules, layer, target_layer)
        if not ok:
            violations.add(cmake, line, f"{target} links {dep}",
                           f"{layer} may not use {target_layer} (may use: {allowed_text(rules, layer)})")
    return libraries, test_programs


def known_layers(rules: Rules, libraries: dict[str, Library]) -> set[str]:
    return {lib.layer for lib in libraries.values()} | {k for k in rules.uses if "*" not in k}


# --- the include scan -----------------------------------------------------------------------------

def includes(path: Path):
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE_RE.match(line)
            if m:
                yield number, m.group(1) == '"', m.group(2)


def resolve(root: Path, path: Path, name: str) -> Path | None:
    for base in (root / "src", path.parent):
        candidate = (base / name).resolve()
        if candidate.is_file():
            return candidate
    return None


_ASIO_CHAINS: dict[Path, str] = {}


def asio_chain(root: Path, rules: Rules, header: Path, depth: int = 0) -> str:
    """How an included header of an [asio] layer reaches Asio ("p2p/host.hpp -> io/asio.hpp ->
    <boost/asio/as_tuple.hpp>"), or "" if it does not (or is not of an [asio] layer)."""
    if header in _ASIO_CHAINS:
        return _ASIO_CHAINS[header]
    _ASIO_CHAINS[header] = ""  # cycles
    try:
        rel = str(header.relative_to((root / "src").resolve()))
    except ValueError:
        return ""
    layer = layer_of(rules, "src/" + rel)
    if layer is None or not any(matches(p, layer) for p in rules.asio) or depth > 64:
        return ""
    found = ""
    for _, quoted, name in includes(header):
        if not quoted:
            if name.startswith(ASIO_ANGLE):
                found = f"{rel} -> <{name}>"
                break
            continue
        target = resolve(root, header, name)
        if target is not None:
            tail = asio_chain(root, rules, target, depth + 1)
            if tail:
                found = f"{rel} -> {tail}"
                break
    _ASIO_CHAINS[header] = found
    return found


def is_test_code(path: Path, test_programs: set[Path]) -> bool:
    name = path.name
    return (name.endswith("_test.cpp") or path in test_programs or "testing" in path.parts
            or (name.endswith(HEADER_SUFFIXES) and "test" in name))


def scan_files(root: Path):
    for top in SCANNED_ROOTS:
        base = root / top
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "node_modules" and not d.startswith("."))
            for f in sorted(filenames):
                if f.endswith(SOURCE_SUFFIXES):
                    yield Path(dirpath) / f


def check_includes(root: Path, rules: Rules, test_programs: set[Path], layers: set[str],
                   violations: Violations) -> None:
    src = (root / "src").resolve()
    reported_folders: set[str] = set()
    for path in scan_files(root):
        rel = str(path.relative_to(root))
        layer = layer_of(rules, rel)
        if layer is None:
            folder = str(path.parent.relative_to(root))
            if folder not in reported_folders:
                reported_folders.add(folder)
                violations.add(path, 1, f"folder {folder} has no row",
                               f"add its layer to the table in {rules.doc}")
            continue
        test = is_test_code(path, test_programs)
        reachable = reach(rules, layer, layers) if test else None
        header = path.suffix in HEADER_SUFFIXES
        asio_ok = any(matches(p, layer) for p in rules.asio)
        for number, quoted, name in includes(path):
            if not quoted:
                if header and not asio_ok and name.startswith(ASIO_ANGLE):
                    violations.add(path, number, f"#include <{name}>",
                                   f"Asio/Beast in a header of {layer} (only .cpp files and headers "
                                   f"of {' '.join(rules.asio)} may include it)")
                continue
            target = resolve(root, path, name)
            if target is None:
                violations.add(path, number, f'#include "{name}"',
                               "names no file of src/ or beside the includer")
                continue
            if header and not asio_ok:
                chain = asio_chain(root, rules, target)
                if chain:
                    violations.add(path, number, f'#include "{name}"',
                                   f"brings Asio ({chain}) into a header of {layer} (only .cpp "
                                   f"files and headers of {' '.join(rules.asio)} may)")
            try:
                target_rel = str(target.relative_to(root.resolve()))
            except ValueError:
                continue
            target_layer = layer_of(rules, target_rel)
            if target_layer is None or target_layer == layer:
                continue
            if test:
                if target_layer not in reachable:
                    violations.add(path, number, f'#include "{name}"',
                                   f"test code of {layer} may not use {target_layer} "
                                   f"(not reached from {layer})")
            elif not may_use(rules, layer, target_layer):
                violations.add(path, number, f'#include "{name}"',
                               f"{layer} may not use {target_layer} "
                               f"(may use: {allowed_text(rules, layer)})")


# --- the pure libraries ---------------------------------------------------------------------------

def check_pure(root: Path, rules: Rules, libraries: dict[str, Library],
               violations: Violations) -> None:
    pure_names = {name for name in libraries if any(matches(p, name.replace("proto_", "proto/"))
                                                    or p == name for p in rules.pure)}
    # A header is pure if its .cpp is a source of a pure library, or, header-only, if it lives in
    # a folder with a pure library (its own includes are then checked like a source's).
    owner: dict[Path, str] = {}
    folders_with_pure: set[Path] = set()
    for lib in libraries.values():
        sources = lib.sources
        if lib.globbed:
            sources = [p for p in lib.cmake.parent.glob("*.cpp") if not p.name.endswith("_test.cpp")]
        lib.sources = [p.resolve() for p in sources]
        for source in lib.sources:
            owner[source] = lib.name
        if lib.name in pure_names:
            folders_with_pure.add(lib.cmake.parent.resolve())
    # The fuzz targets link only the pure libraries: they are checked as one more of them.
    fuzzers = sorted(p.resolve() for p in (root / "fuzz").glob("*.cpp")) if (root / "fuzz").is_dir() else []
    groups = [(name, libraries[name].sources) for name in sorted(pure_names)]
    if fuzzers:
        groups.append(("fuzz", fuzzers))
    for name, sources in groups:
        seen: set[Path] = set()
        todo = list(sources)
        while todo:
            path = todo.pop()
            if path in seen or not path.is_file():
                continue
            seen.add(path)
            for number, quoted, include in includes(path):
                if not quoted:
                    if include.startswith(IMPURE_ANGLE):
                        violations.add(path, number, f"#include <{include}>",
                                       f"{path.name} is part of the pure library {name} "
                                       "(no Asio, logger, SQLite or libcurl)")
                    continue
                target = resolve(root, path, include)
                if target is None:
                    continue
                cpp = target.with_suffix(".cpp")
                if cpp in owner:
                    ok = owner[cpp] in pure_names
                else:
                    ok = target.parent in folders_with_pure
                if not ok:
                    violations.add(path, number, f'#include "{include}"',
                                   f"{path.name} is part of the pure library {name}; "
                                   f"{target.relative_to(root.resolve())} is not pure")
                    continue
                todo.append(target)


def check_acyclic(rules: Rules, layers: set[str], violations: Violations, doc: Path) -> None:
    concrete = sorted(layers)
    for a in concrete:
        for b in concrete:
            if a < b and may_use(rules, a, b) and may_use(rules, b, a):
                violations.add(doc, 1, f"layers {a} and {b} may use each other",
                               "the table must form no cycle")


def check(root: Path) -> list[str]:
    root = root.resolve()
    doc = root / "docs" / "architecture.md"
    rules = parse_rules(doc)
    violations = Violations(root)
    libraries, test_programs = read_cmake(root, rules, violations)
    test_programs = {p.resolve() for p in test_programs}
    layers = known_layers(rules, libraries)
    for path in scan_files(root):
        layer = layer_of(rules, str(path.relative_to(root)))
        if layer is not None:
            layers.add(layer)
    check_acyclic(rules, {l for l in layers if not any(matches(p, l) for p in ("bench", "fuzz",
                                                                               "tests/interop"))},
                  violations, doc)
    check_includes(root, rules, test_programs, layers, violations)
    check_pure(root, rules, libraries, violations)
    return violations.lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    lines = check(args.root)
    for line in lines:
        print(line)
    if lines:
        print(f"check_layers: {len(lines)} violation(s) of the layer table in docs/architecture.md",
              file=sys.stderr)
        return 1
    print("check_layers: every include and link line follows docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
