"""The tutorial (examples/tutorial.py, shown as docs/tutorial.md) runs from start to end and the page holds every
code cell of the script, so the page cannot drift from what runs."""

import os
import subprocess
import sys

SOURCE = os.environ.get("TILT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(SOURCE, "examples", "tutorial.py")
PAGE = os.path.join(SOURCE, "docs", "tutorial.md")


def code_cells(text):
    cells = text.split("# %%")[1:]
    return [c.strip("\n") for c in cells if not c.startswith(" [markdown]")]


def test_the_tutorial_runs_and_draws_its_figures(tmp_path):
    import tilt  # the module under test, wherever it was found: the script runs in another folder

    where = os.path.dirname(os.path.dirname(os.path.abspath(tilt.__file__)))
    path = os.pathsep.join([where] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    env = dict(os.environ, TILT_TUTORIAL_OUT=str(tmp_path), MPLBACKEND="Agg", PYTHONPATH=path)
    done = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "tilt.Result(ode: 25 rows" in done.stdout
    assert "verdict: CONSISTENT" in done.stdout
    for name in ("validated_curve.png", "phase_diagram.png"):
        assert (tmp_path / name).stat().st_size > 1000, name


def test_the_page_holds_every_code_cell():
    with open(SCRIPT) as f:
        script = f.read()
    with open(PAGE) as f:
        page = f.read()
    cells = code_cells(script)
    assert len(cells) >= 5
    for cell in cells:
        assert "```python\n" + cell + "\n```" in page, cell[:60]
