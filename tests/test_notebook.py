"""docs/notebooks/explore.ipynb runs from top to bottom with the current code, and is stored
without outputs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "explore.ipynb"


def test_notebook_is_stored_without_outputs() -> None:
    data = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for i, cell in enumerate(data["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {i} has outputs: clear them before committing"
            assert cell["execution_count"] is None, f"cell {i} has an execution count"


@pytest.mark.slow
def test_notebook_runs(tmp_path: Path) -> None:
    for module, extra in (("nbclient", "docs"), ("nbformat", "docs"), ("ipykernel", "docs"),
                          ("matplotlib", "docs"), ("pandas", "dataframe")):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"running the notebook needs {module}: pip install -e '.[{extra}]'")
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    # Runs in a temporary working directory: the notebook finds the repository on its own and
    # must not write anything next to itself.
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert errors == [], errors
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="pm-report"' in h for h in html), "a MatchReport should display as HTML"
    assert any('class="pm-policy-set"' in h for h in html), "the PolicySet should display as HTML"
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 3, "three plots: clauses per domain, amount per firm, eligibility map"
    assert list(tmp_path.iterdir()) == []
