"""MkDocs hooks: pages the site takes from the rest of the repository at build time.

- ``notebooks/*.ipynb``: every notebook of the repository's ``notebooks/`` (mkdocs-jupyter runs and
  renders them), listed in the navigation under "Tutorials" in file order;
- ``model.md`` and ``reproduction.md``: ``papers/model.md`` and ``papers/reproduction.md`` as they are;
- ``reference.md``: the API reference, one mkdocstrings entry per public name of
  ``coalesce_games`` (its ``_EXPORTS`` map), grouped by layer, so a name or a layer added there
  appears here.

Nothing is copied into ``docs/``: the pages are virtual files backed by the originals.
"""

from __future__ import annotations

import ast
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PAPERS = {"model.md": ROOT / "papers" / "model.md", "reproduction.md": ROOT / "papers" / "reproduction.md"}

#: the layers of ``coalesce_games/__init__.py``, in its order, with what each holds
LAYERS = {
    "solvers": "The `Game` type and every equilibrium algorithm (imports nothing else of the package).",
    "model": "Criteria, providers, tasks, costs (Eq. 1-10), skills (Eq. 11), TOPSIS, weights, rules, threats.",
    "market": "Configuration, draws, the compiled kernel, `simulate`, sweeps.",
    "games": "G1-G5 built from the model and the market.",
    "findings": "F1-F7: evidence, verdicts, figures, the report and `reproduce`.",
}


def exports() -> dict[str, str]:
    """``coalesce_games._EXPORTS`` read from the source (no import: the build must not depend on numba's cache)."""
    tree = ast.parse((ROOT / "coalesce_games" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_EXPORTS":
            return ast.literal_eval(node.value)
    raise RuntimeError("coalesce_games/__init__.py has no _EXPORTS map")


def _layer_summary(layer: str) -> str:
    """The first line of a layer's docstring (its package ``__init__`` or its module)."""
    for path in (ROOT / "coalesce_games" / layer / "__init__.py", ROOT / "coalesce_games" / f"{layer}.py"):
        if path.is_file():
            doc = ast.get_docstring(ast.parse(path.read_text())) or ""
            return doc.strip().splitlines()[0] if doc.strip() else ""
    return ""


def reference_page() -> str:
    """The API reference's markdown: one ``::: module.name`` block per public name, by layer.

    Layers come in the order of :data:`LAYERS`; a layer not named there follows, described by
    the first line of its docstring.
    """
    by_layer: dict[str, list[tuple[str, str]]] = {}
    for name, module in sorted(exports().items()):
        by_layer.setdefault(module.split(".")[0], []).append((name, module))
    described = {**LAYERS, **{layer: _layer_summary(layer) for layer in sorted(set(by_layer) - set(LAYERS))}}
    lines = ["# API reference", "",
             "Every public name of `coalesce_games`, generated from its docstring. Each is importable as",
             "`coalesce_games.<name>` (`import coalesce_games as cg; cg.solve`); the heading says which module",
             "defines it. The model the names implement is on [the model page](model.md).", ""]
    for layer, text in described.items():
        if layer not in by_layer:
            continue
        lines += [f"## {layer}", "", text, ""]
        for name, module in by_layer[layer]:
            lines += [f"::: coalesce_games.{module}.{name}", ""]
    return "\n".join(lines)


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def on_config(config):
    """List every notebook under "Tutorials" (after its index page), so a new notebook needs no edit here."""
    for section in config.nav:
        if isinstance(section, dict) and "Tutorials" in section:
            entries = section["Tutorials"]
            entries = [entries] if isinstance(entries, str) else list(entries)
            section["Tutorials"] = entries[:1] + [f"notebooks/{p.name}" for p in notebooks()]
    return config


@event_priority(100)   # before mkdocs-jupyter's on_files, which wraps the .ipynb files it finds
def on_files(files: Files, config) -> Files:
    for path in notebooks():
        # a real file under the repository root (mkdocs-jupyter's wrapper reads abs_src_path from src_dir)
        files.append(File(f"notebooks/{path.name}", src_dir=str(ROOT), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    for uri, path in PAPERS.items():
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    files.append(File.generated(config, "reference.md", content=reference_page()))
    return files


def on_post_page(output: str, page, config) -> str:
    """A notebook's page links its ``.ipynb`` file (copied beside the page by mkdocs-jupyter), under its title."""
    uri = page.file.src_uri
    if not (uri.startswith("notebooks/") and uri.endswith(".ipynb")):
        return output
    name = uri.rsplit("/", 1)[-1]
    link = (f'<p><a href="{name}" download>Download {name}</a> (committed without outputs; '
            f"set <code>QUICK</code> in its parameters cell)</p>")
    head, sep, tail = output.partition("</h1>")
    return head + sep + link + tail if sep else output
