"""The foundation's packaging promises: pip and conda (Binder) agree, repo2docker
sees the conda environment, the package layout is complete, and the set-up
commands in README.md, the Makefile and .ci/run say the same thing."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import paxos_notes

ROOT = Path(__file__).resolve().parents[1]

# conda-forge spells a few packages differently from PyPI. matplotlib-base is
# matplotlib without the Qt stack; a notebook server has no use for Qt.
CONDA_TO_PIP = {"matplotlib-base": "matplotlib"}
# Present in environment.yml for conda's sake, not runtime dependencies of ours.
CONDA_ONLY = {"python", "pip"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_spec_to_pep440(spec: str) -> SpecifierSet:
    """Translate a conda version constraint ("=3.11", ">=4.2,<5", "4.*") to PEP 440.

    Only the forms this project uses are accepted; anything else (an "|" union,
    a build string) raises ValueError so that the comparison never guesses.
    """
    spec = spec.replace(" ", "")
    if not spec:
        return SpecifierSet()
    if "|" in spec:
        raise ValueError(f"conda union {spec!r} has no single pip equivalent")
    clauses = []
    for clause in spec.split(","):
        m = re.fullmatch(r"(>=|<=|==|!=|>|<|=)?([0-9][0-9A-Za-z.]*?)(\.\*)?", clause)
        if not m:
            raise ValueError(f"unsupported conda version clause {clause!r}")
        op, version, star = m.group(1) or "", m.group(2), bool(m.group(3))
        if op == "=" or (not op and star):
            # conda's "=3.11" and "3.11.*" both mean "any 3.11.x".
            clauses.append(f"=={version}.*")
        elif op and not star:
            clauses.append(f"{op}{version}")
        else:
            raise ValueError(f"unsupported conda version clause {clause!r}")
    return SpecifierSet(",".join(clauses))


def conda_dependencies() -> dict[str, SpecifierSet]:
    """environment.yml's conda packages, keyed by their PyPI name."""
    out: dict[str, SpecifierSet] = {}
    for dep in _environment()["dependencies"]:
        if not isinstance(dep, str):
            continue  # the pip: sub-list
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", dep)
        assert m, f"cannot parse conda dependency {dep!r}"
        name = CONDA_TO_PIP.get(m.group(1), m.group(1))
        out[_canonical(name)] = conda_spec_to_pep440(m.group(2))
    return out


def pip_dependencies() -> dict[str, SpecifierSet]:
    """pyproject.toml's runtime dependencies, keyed by canonical name."""
    out = {}
    for line in _pyproject()["project"]["dependencies"]:
        req = Requirement(line)
        out[_canonical(req.name)] = req.specifier
    return out


def test_conda_spec_translation_covers_the_forms_we_use() -> None:
    assert conda_spec_to_pep440("=3.11") == SpecifierSet("==3.11.*")
    assert conda_spec_to_pep440(">=4.2,<5") == SpecifierSet(">=4.2,<5")
    assert conda_spec_to_pep440("4.*") == SpecifierSet("==4.*")
    with pytest.raises(ValueError, match="union"):
        conda_spec_to_pep440("4.1|4.2")


def test_environment_and_pyproject_name_the_same_runtime_packages() -> None:
    conda = set(conda_dependencies()) - CONDA_ONLY
    pip = set(pip_dependencies())
    assert not conda - pip, f"in environment.yml but not in pyproject.toml: {sorted(conda - pip)}"
    assert not pip - conda, f"in pyproject.toml but not in environment.yml: {sorted(pip - conda)}"


@pytest.mark.parametrize("name", sorted(pip_dependencies()))
def test_conda_and_pip_version_ranges_agree(name: str) -> None:
    conda = conda_dependencies()
    assert name in conda, f"{name} is missing from environment.yml"
    pip_range, conda_range = pip_dependencies()[name], conda[name]
    assert pip_range, f"{name}: pyproject.toml should bound the version (e.g. >=x,<next major)"
    assert conda_range == pip_range, (
        f"{name}: environment.yml allows {conda_range or 'any version'}, "
        f"pyproject.toml allows {pip_range}; make them the same range"
    )
    # A range must have an upper bound (no surprise major upgrade on Binder).
    assert any(s.operator in ("<", "<=") or s.version.endswith(".*") for s in pip_range), (
        f"{name}: add an upper bound such as <{name}-next-major"
    )


def test_environment_python_satisfies_requires_python() -> None:
    conda_python = conda_dependencies()["python"]
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert conda_python == SpecifierSet("==3.11.*"), "Binder should build with Python 3.11"
    assert Version("3.11.0") in requires


def test_environment_uses_conda_forge_only_and_installs_the_package() -> None:
    env = _environment()
    assert env["channels"] == ["conda-forge"]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]], "the companion itself must be pip-installed from the repo"
    assert "pip" in env["dependencies"], "conda needs pip listed to run the pip: section"


def test_version_is_single_sourced() -> None:
    project = _pyproject()
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "paxos_notes.__version__"
    assert Version(paxos_notes.__version__)  # parses as a PEP 440 version


def test_every_package_directory_is_shipped() -> None:
    """Subpackages (checker/, widgets/, ...) must be picked up by the build."""
    include = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "paxos_notes").rglob("__init__.py")
    }
    assert "paxos_notes" in on_disk
    # setuptools' find() matches dotted package names against these patterns.
    missed = sorted(n for n in on_disk if not any(fnmatch.fnmatchcase(n, p) for p in include))
    assert not missed, f"not packaged: {missed}"


def test_test_extra_has_the_tools_the_suite_drives() -> None:
    extra = {_canonical(Requirement(r).name) for r in _pyproject()["project"]
             ["optional-dependencies"]["test"]}
    needed = {"pytest", "nbval", "hypothesis", "ruff", "pyyaml", "jupyter-repo2docker",
              "playwright"}
    assert needed <= extra, f"missing from the test extra: {sorted(needed - extra)}"


def test_repo2docker_builds_the_conda_environment_with_the_package() -> None:
    """The closest this machine gets to a Binder build: repo2docker writes the
    Dockerfile without Docker. It must pick the conda buildpack for Python 3.11,
    copy the repository before solving environment.yml (so `-e .` can install
    the checkout), and update the environment from that file."""
    exe = Path(sys.executable).with_name("repo2docker")
    if not exe.exists():
        found = shutil.which("repo2docker")
        assert found, "repo2docker is not installed (it is in the test extra)"
        exe = Path(found)
    proc = subprocess.run(
        [str(exe), "--no-build", "--debug", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Building conda environment for python=3.11" in out, out[:2000]
    copy = out.find("COPY --chown=0:0 src/ ${REPO_DIR}/")
    update = out.find('env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"')
    assert copy != -1, "the Dockerfile does not copy the repository"
    assert update != -1, "the Dockerfile does not update the environment from environment.yml"
    assert copy < update, "environment.yml is solved before the repository is copied: -e . fails"


def test_notebook_validation_works_without_rfc3987_syntax() -> None:
    """The install step removes rfc3987-syntax (a 2 s import for a format check no
    Jupyter schema uses). Prove, with the module blocked, that nbformat still
    validates (rejecting a broken notebook) and jupyter_events still validates
    event schemas, i.e. that the removal is safe whether or not it happened."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["rfc3987_syntax"] = None  # any import of it now fails
        import jsonschema, nbformat
        from nbformat.v4 import new_code_cell, new_notebook

        nb = new_notebook(cells=[new_code_cell("1 + 1")])
        nbformat.validate(nb)
        nb.cells[0]["execution_count"] = "one"
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError:
            pass
        else:
            raise SystemExit("a broken notebook was accepted")

        from jupyter_events import EventLogger
        logger = EventLogger()
        logger.register_event_schema({
            "$id": "https://paxos-notes.invalid/test", "version": "1",
            "type": "object", "properties": {"n": {"type": "integer"}},
        })
        checker = jsonschema.Draft7Validator.FORMAT_CHECKER
        assert not checker.conforms("2001-13-45", "date")
        print("ok")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-3000:]


# --- the set-up commands -----------------------------------------------------------


def test_ci_runs_make_test_and_fails_on_any_error() -> None:
    run = ROOT / ".ci" / "run"
    text = run.read_text(encoding="utf-8")
    assert os.access(run, os.X_OK), ".ci/run must be executable"
    assert "set -euo pipefail" in text
    commands = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert "make test" in commands


def test_makefile_runs_strict_nbval_over_every_notebook() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    code = "\n".join(ln for ln in makefile.splitlines() if not ln.lstrip().startswith("#"))
    assert "--nbval-lax" not in code
    assert re.search(r"^NBVAL := --nbval .*--nbval-sanitize-with nbval-sanitize\.cfg$",
                     makefile, re.MULTILINE)
    assert re.search(r"^\t.*\$\(PYTEST\) \$\(NBVAL\) tests notebooks", makefile, re.MULTILINE)
    assert (ROOT / "nbval-sanitize.cfg").is_file()


def test_pytest_config_is_strict_nbval_too() -> None:
    addopts = _pyproject()["tool"]["pytest"]["ini_options"]["addopts"]
    assert "--nbval" in addopts and "--nbval-lax" not in addopts
    assert "--nbval-sanitize-with=nbval-sanitize.cfg" in addopts


def test_readme_gives_the_two_setup_commands_and_binder_link() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "make test" in readme
    assert ("https://mybinder.org/v2/gh/paxos-notes/paxos-notes/main"
            "?urlpath=lab/tree/notebooks/00_index.ipynb") in readme


def test_sanitize_file_masks_only_volatile_output() -> None:
    """Each pattern must match its volatile example and leave ordinary text alone."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "nbval-sanitize.cfg", encoding="utf-8")
    patterns = [(cfg[s]["regex"], cfg[s]["replace"]) for s in cfg.sections()]
    volatile = [
        "<Acceptor object at 0x7f3a2c1d9e50>",
        "<dc:date>2026-11-27T00:29:00.123456</dc:date>",
        '<clipPath id="p1a2b3c4d5e">',
        'clip-path="url(#p1a2b3c4d5e)"',
        '<use xlink:href="#m9b1c2d3e4f" x="1"/>',
    ]
    stable = ["chosen value: 7 after 12 messages", 'id="DejaVuSans-31"', "ballot (3, 0x1)"]

    def sanitize(s: str) -> str:
        for regex, replace in patterns:
            s = re.sub(regex, replace, s)
        return s

    for text in volatile:
        assert sanitize(text) != text, f"not masked: {text}"
    for text in stable:
        assert sanitize(text) == text, f"masked but should be checked: {text}"
