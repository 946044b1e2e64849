"""Executes a notebook from a clean kernel against one tonetrack output folder and fails if any cell fails.

Usage: python scripts/run_notebook.py NOTEBOOK OUT_DIR [--executed PATH] [--timeout SECONDS]

The kernel is the interpreter running this script: a kernelspec named `tonetrack-venv` is registered into
this interpreter's prefix (`<venv>/share/jupyter/kernels/`) when it is missing or points elsewhere, and a
probe cell run before the notebook's own cells checks that the kernel's `sys.executable` and `sys.prefix` are
this interpreter's.
The kernel starts in the notebook's folder with TONETRACK_OUT set to OUT_DIR (made absolute). The notebook
file itself is never modified; with --executed the executed copy, figures included, is written to PATH.
"""
import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

KERNEL_NAME = "tonetrack-venv"
PROBE = "import sys; print(sys.executable); print(sys.prefix)"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in IPython tracebacks


def ensure_kernelspec():
    """Registers KERNEL_NAME into sys.prefix unless a spec of that name already runs this interpreter.

    Paths are compared as written, not with symlinks resolved: every venv's python links to the same base
    interpreter, and what matters is the venv (its site-packages)."""
    me = os.path.abspath(sys.executable)
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv and os.path.abspath(spec.argv[0]) == me:
            return spec.resource_dir
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(prefix=sys.prefix, kernel_name=KERNEL_NAME,
            display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (tonetrack venv)")
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    if not spec.argv or os.path.abspath(spec.argv[0]) != me:
        # a spec of the same name earlier on the Jupyter path (user or JUPYTER_PATH) shadows ours
        sys.exit(f"FAIL: kernelspec {KERNEL_NAME} at {spec.resource_dir} runs {spec.argv[:1]}, not {me}")
    return spec.resource_dir


def cell_failure(nb):
    """The first cell with an error output: its index among all cells and its source."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return i, cell
    return None, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--executed", type=Path, help="write the executed notebook (with figures) here")
    ap.add_argument("--timeout", type=int, default=300, help="seconds one cell may run (default 300)")
    args = ap.parse_args()

    notebook = args.notebook.resolve()
    out_dir = args.out_dir.resolve()
    if not notebook.is_file():
        sys.exit(f"FAIL: no notebook at {notebook}")
    if not (out_dir / "manifest.json").is_file():
        sys.exit(f"FAIL: {out_dir} has no manifest.json; run tonetrack first")

    spec_dir = ensure_kernelspec()
    nb = nbformat.read(notebook, as_version=4)
    # a probe cell first, to prove which interpreter runs the notebook; removed before anything is written
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE, id="tonetrack-probe"))

    # the kernel inherits this environment
    os.environ["TONETRACK_OUT"] = str(out_dir)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=args.timeout,
        allow_errors=False,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    started = time.monotonic()
    failed = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        failed = exc
    elapsed = time.monotonic() - started

    probe = nb.cells.pop(0)
    if args.executed:
        args.executed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, args.executed)
        print(f"executed notebook written to {args.executed}")

    if failed is not None:
        index, cell = cell_failure(nb)
        if cell is not None:
            print(f"FAIL: cell {index} of {notebook.name} (id {cell.get('id')}) raised an error")
            print("----- cell source -----")
            print(cell.source)
            print("----- error -----")
            for out in cell.outputs:
                if out.get("output_type") == "error":
                    print(f"{out.get('ename')}: {out.get('evalue')}")
        else:
            print(f"FAIL: {notebook.name}: {type(failed).__name__}")
        print("----- nbclient -----")
        print(ANSI.sub("", str(failed))[-4000:])
        sys.exit(1)

    said = "".join(o.get("text", "") for o in probe.get("outputs", []) if o.get("name") == "stdout").split("\n")
    ran_with, prefix = (said + ["", ""])[:2]
    if os.path.abspath(ran_with or ".") != os.path.abspath(sys.executable) or \
            os.path.abspath(prefix or ".") != os.path.abspath(sys.prefix):
        sys.exit(f"FAIL: the kernel ran {ran_with or 'an unknown interpreter'} in {prefix or 'an unknown prefix'}, "
                 f"expected {sys.executable} in {sys.prefix}")

    code_cells = sum(c.cell_type == "code" for c in nb.cells)
    figures = sum(
        "image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    print(f"ok kernel {KERNEL_NAME} ({spec_dir}) ran {ran_with} (prefix {prefix})")
    print(f"ok {notebook.name}: {code_cells} code cells, {figures} figures, no errors, {elapsed:.1f} s "
          f"against {out_dir}")


if __name__ == "__main__":
    main()
