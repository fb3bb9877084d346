#!/usr/bin/env python3
"""Tests of scripts/check_layers.py on small fake trees: a clean tree passes, and each kind of
violation fails with its file:line and rule. Run: python3 scripts/check_layers_test.py"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "check_layers.py"

DOC = """\
# Architecture

<!-- layers: the table scripts/check_layers.py reads -->
```text
# layer   may use directly
top       mid io base
mid       low base
low       base
io        base
proto/*   base
base
bench     *
fuzz      low proto/* base
[asio]    io
[pure]    base proto/* low_codec
```
"""

CLEAN = {
    "docs/architecture.md": DOC,
    "src/base/CMakeLists.txt": "ipfsa_library(base SOURCES bytes.cpp DEPS Boost::headers)\n",
    "src/base/bytes.hpp": "#pragma once\n#include <cstddef>\n",
    "src/base/bytes.cpp": '#include "base/bytes.hpp"\n',
    "src/io/CMakeLists.txt": "add_library(io INTERFACE)\ntarget_link_libraries(io INTERFACE base)\n",
    "src/io/asio.hpp": "#pragma once\n#include <boost/asio/awaitable.hpp>\n",
    "src/proto/ping/CMakeLists.txt": "ipfsa_library(proto_ping SOURCES ping.cpp DEPS base)\n",
    "src/proto/ping/ping.hpp": '#pragma once\n#include "base/bytes.hpp"\n',
    "src/proto/ping/ping.cpp": '#include "proto/ping/ping.hpp"\n',
    "src/low/CMakeLists.txt": textwrap.dedent("""\
        # the pure part
        ipfsa_library(low_codec SOURCES key.cpp DEPS base NO_TESTS)
        ipfsa_library(low SOURCES store.cpp DEPS low_codec base)
        add_executable(low_tool tool.cpp)
        target_link_libraries(low_tool PRIVATE low)
        """),
    "src/low/key.hpp": '#pragma once\n#include "base/bytes.hpp"\n#include "low/checked.hpp"\n',
    "src/low/checked.hpp": "#pragma once\n#include <cstdint>\n",
    "src/low/key.cpp": '#include "low/key.hpp"\n',
    "src/low/store.hpp": '#pragma once\n#include "low/key.hpp"\n',
    "src/low/store.cpp": '#include "low/store.hpp"\n#include <sqlite3.h>\n',
    "src/low/tool.cpp": '#include "low/store.hpp"\n',
    "src/mid/CMakeLists.txt": "set(mid_deps low base)\nipfsa_library(mid SOURCES mid.cpp DEPS ${mid_deps})\n",
    "src/mid/mid.hpp": '#pragma once\n#include "low/store.hpp"\n',
    "src/mid/mid.cpp": '#include "mid/mid.hpp"\n',
    "src/top/CMakeLists.txt": "ipfsa_library(top SOURCES top.cpp DEPS mid io)\n",
    "src/top/top.hpp": '#pragma once\n#include "mid/mid.hpp"\n',
    "src/top/top.cpp": '#include "top/top.hpp"\n#include "io/asio.hpp"\n#include <boost/asio/post.hpp>\n',
    # Test code may use what its layer reaches through mid.
    "src/top/top_test.cpp": '#include "top/top.hpp"\n#include "low/store.hpp"\n',
    "src/top/testing_top.hpp": '#pragma once\n#include "low/store.hpp"\n',
    "bench/bench.cpp": '#include "top/top.hpp"\n#include "low/store.hpp"\n',
    "fuzz/key_fuzz.cpp": '#include "low/key.hpp"\n#include "proto/ping/ping.hpp"\n',
}


class CheckLayersTest(unittest.TestCase):
    def run_check(self, files: dict[str, str]) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for name, text in files.items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text(text)
            return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)],
                                  capture_output=True, text=True, check=False)

    def assert_fails_with(self, changes: dict[str, str], *expected: str) -> None:
        result = self.run_check({**CLEAN, **changes})
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        for line in expected:
            self.assertIn(line, result.stdout)

    def test_clean_tree_passes(self):
        result = self.run_check(CLEAN)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("every include and link line follows", result.stdout)

    def test_include_of_a_layer_not_in_the_row(self):
        self.assert_fails_with(
            {"src/top/top.cpp": '#include "top/top.hpp"\n\n#include "low/key.hpp"\n'},
            'src/top/top.cpp:3: #include "low/key.hpp": top may not use low (may use: mid io base)')

    def test_lower_layer_including_a_higher_one(self):
        self.assert_fails_with({"src/low/store.cpp": '#include "mid/mid.hpp"\n'},
                               'src/low/store.cpp:1: #include "mid/mid.hpp": low may not use mid')

    def test_proto_siblings(self):
        self.assert_fails_with(
            {"src/proto/yamux/CMakeLists.txt": "ipfsa_library(proto_yamux SOURCES y.cpp DEPS base)\n",
             "src/proto/yamux/y.cpp": '#include "proto/ping/ping.hpp"\n'},
            "src/proto/yamux/y.cpp:1: #include \"proto/ping/ping.hpp\": proto/yamux may not use proto/ping")

    def test_relative_include_is_resolved(self):
        self.assert_fails_with({"src/low/store.cpp": '#include "../mid/mid.hpp"\n'},
                               'src/low/store.cpp:1: #include "../mid/mid.hpp": low may not use mid')

    def test_test_code_may_not_go_beyond_its_reach(self):
        self.assert_fails_with({"src/mid/mid_test.cpp": '#include "top/top.hpp"\n'},
                               'src/mid/mid_test.cpp:1: #include "top/top.hpp": test code of mid '
                               'may not use top')

    def test_asio_in_a_header(self):
        self.assert_fails_with(
            {"src/mid/mid.hpp": '#pragma once\n#include "io/asio.hpp"\n',
             "src/top/top.hpp": '#pragma once\n#include <boost/beast/http.hpp>\n'},
            'src/mid/mid.hpp:2: #include "io/asio.hpp": brings Asio (io/asio.hpp -> '
            '<boost/asio/awaitable.hpp>) into a header of mid',
            "src/top/top.hpp:2: #include <boost/beast/http.hpp>: Asio/Beast in a header of top")

    def test_asio_through_a_header_of_an_asio_layer(self):
        # top.hpp may include io headers, but not one that reaches Asio; io/plain.hpp does not.
        self.assert_fails_with(
            {"src/io/task.hpp": '#pragma once\n#include "io/asio.hpp"\n',
             "src/io/plain.hpp": "#pragma once\n#include <cstdint>\n",
             "src/top/top.hpp": '#pragma once\n#include "mid/mid.hpp"\n#include "io/plain.hpp"\n'
                                '#include "io/task.hpp"\n'},
            'src/top/top.hpp:4: #include "io/task.hpp": brings Asio (io/task.hpp -> io/asio.hpp -> '
            '<boost/asio/awaitable.hpp>) into a header of top')
        result = self.run_check({**CLEAN, "src/io/plain.hpp": "#pragma once\n",
                                 "src/top/top.hpp": '#pragma once\n#include "io/plain.hpp"\n'})
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_cmake_link_of_a_layer_not_in_the_row(self):
        self.assert_fails_with(
            {"src/top/CMakeLists.txt": "ipfsa_library(top SOURCES top.cpp DEPS mid low io)\n"},
            "src/top/CMakeLists.txt:1: top links low: top may not use low")

    def test_cmake_variable_is_expanded(self):
        self.assert_fails_with(
            {"src/mid/CMakeLists.txt": "set(mid_deps low io)\nipfsa_library(mid SOURCES mid.cpp DEPS ${mid_deps})\n"},
            "src/mid/CMakeLists.txt:2: mid links io: mid may not use io")

    def test_pure_library_reaching_an_impure_header(self):
        self.assert_fails_with(
            {"src/low/key.hpp": '#pragma once\n#include "low/store.hpp"\n'},
            "src/low/key.hpp:2: #include \"low/store.hpp\": key.hpp is part of the pure library "
            "low_codec; src/low/store.hpp is not pure")

    def test_pure_library_including_sqlite(self):
        self.assert_fails_with(
            {"src/low/checked.hpp": "#pragma once\n#include <sqlite3.h>\n"},
            "src/low/checked.hpp:2: #include <sqlite3.h>: checked.hpp is part of the pure library low_codec")

    def test_fuzz_target_reaching_an_impure_header(self):
        self.assert_fails_with(
            {"fuzz/key_fuzz.cpp": '#include "low/key.hpp"\n#include "low/store.hpp"\n'},
            'fuzz/key_fuzz.cpp:2: #include "low/store.hpp": key_fuzz.cpp is part of the pure library '
            "fuzz; src/low/store.hpp is not pure")

    def test_folder_without_a_row(self):
        self.assert_fails_with({"src/extra/thing.cpp": '#include "base/bytes.hpp"\n'},
                               "src/extra/thing.cpp:1: folder src/extra has no row")

    def test_missing_header(self):
        self.assert_fails_with({"src/top/top.cpp": '#include "top/nothere.hpp"\n'},
                               'src/top/top.cpp:1: #include "top/nothere.hpp": names no file')

    def test_cycle_in_the_table(self):
        self.assert_fails_with({"docs/architecture.md": DOC.replace("low       base",
                                                                     "low       mid base")},
                               "layers low and mid may use each other")

    def test_the_real_table_parses(self):
        sys.path.insert(0, str(SCRIPT.parent))
        import check_layers  # noqa: E402
        rules = check_layers.parse_rules(SCRIPT.parent.parent / "docs" / "architecture.md")
        self.assertIn("node", rules.uses)
        self.assertFalse(check_layers.may_use(rules, "p2p", "cache"))
        self.assertFalse(check_layers.may_use(rules, "service", "github"))
        self.assertTrue(check_layers.may_use(rules, "proto/noise", "crypto"))
        self.assertFalse(check_layers.may_use(rules, "proto/noise", "proto/yamux"))


if __name__ == "__main__":
    unittest.main()
