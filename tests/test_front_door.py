"""The front door: every public name resolves, importing the package stays cheap, and
docs/api.md documents exactly the public API."""

from __future__ import annotations

import re
import subprocess
import sys

import asr_registry
from tests.support import REPO


def test_every_public_name_resolves_to_the_object_of_its_module() -> None:
    import importlib

    assert set(asr_registry.__all__) == {"__version__", *asr_registry._EXPORTS}
    for name, module in asr_registry._EXPORTS.items():
        assert getattr(asr_registry, name) is getattr(importlib.import_module(module), name), name
    assert isinstance(asr_registry.__version__, str)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        asr_registry.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")


def test_the_public_api_imports_neither_torch_nor_nemo() -> None:
    probe = (
        "import sys, asr_registry as a\n"
        "print(a.Engine.__name__, a.select.__name__, a.get_catalog.__name__, a.check_claims.__name__)\n"
        "print(sorted(m for m in ('torch', 'nemo') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["Engine select get_catalog check_claims", "[]"]


def test_api_doc_lists_every_public_name_with_an_example() -> None:
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(\w+)`", text, flags=re.M))
    assert documented == set(asr_registry.__all__)
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    assert all("```python" in section for section in sections), "each name has an example"
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        compile(block, "docs/api.md", "exec")  # every example is valid Python
    # every `asr.NAME` an example uses is a public name
    used = set(re.findall(r"\basr\.(\w+)", text))
    assert used <= set(asr_registry.__all__), used - set(asr_registry.__all__)


def test_the_plugin_guide_uses_only_public_names() -> None:
    text = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    imports = re.findall(r"from (asr_registry[\w.]*) import", text)
    assert imports and set(imports) == {"asr_registry"}
