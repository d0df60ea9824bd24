"""Benchmark ``sverka run`` on synthetic inboxes: cold, warm, the calamine floor, memory.

What one ``make bench`` run does, for each size ``N`` of ``--sizes``
(1,000 and 10,000 by default), smallest first:

1. makes sure the pool ``<workdir>/pool`` holds the synthetic workbooks
   1 to ``N + N/100`` (generated once and reused: :mod:`benchkit.generate`);
2. fills ``<workdir>/runs/<N>/inbox`` with hard links to files 1 to ``N``
   (copies where the file system cannot link), so the pool is never touched;
3. times the calamine floor on those ``N`` files, in this process
   (:mod:`benchkit.floor`);
4. **cold**: ``python -m flows.cli run --inbox <inbox> --out <out>`` into a
   fresh, empty ``<workdir>/runs/<N>/out``, in a fresh subprocess
   (:mod:`benchkit.measure`: wall time, peak memory of the process tree);
5. adds files ``N+1`` to ``N + N/100`` (``--warm-percent``, other numbers and
   seeds) to that inbox, and runs **warm**: the same command on the same
   output folder, as a nightly run after a day's new files;
6. runs the oracle (:mod:`benchkit.oracle`) on both runs' ``discrepancies.csv``.

Then it prints the table, the marginal cost per workbook between consecutive
sizes and its ratio to the floor (:mod:`benchkit.report`), each target of
issue 8 as met or missed, and a Markdown table for the README, and writes
everything to ``<workdir>/results.json``.

The measured runs import the ``checks`` and ``flows`` of this repository
(it comes first on ``PYTHONPATH``) with this interpreter, and keep Prefect in
``<workdir>/prefect-home`` with no other ``PREFECT_*`` variable of the user.
One untimed run on the sample inbox ``inbox/`` comes first (it creates the
Prefect database, compiles the code, fills the operating system's cache), so
no measured run pays for what the others find ready.

``<workdir>`` (``bench/`` by default, git-ignored) belongs to the benchmark:
it empties ``runs/<N>/`` and removes files of ``pool/`` its manifest does not
list. The exit status is 1 if a measured run failed, 0 otherwise, whatever
the oracle says.

Usage::

    python scripts/bench.py [--sizes 1000,10000] [--workdir bench] [--seed 1]
                            [--warm-percent 1] [--jobs N] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from benchkit import floor, generate, measure, oracle, report

REPO = Path(__file__).resolve().parent.parent
SAMPLE_INBOX = REPO / "inbox"


def sizes_arg(text: str) -> list[int]:
    """Parse ``--sizes``: numbers of files separated by commas (``1000,10000``).

    Args:
        text: The option's value.

    Returns:
        The sizes, sorted, without repeats.

    Raises:
        argparse.ArgumentTypeError: A size is not a whole number of at least 2.
    """
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from exc
    if not sizes or sizes[0] < 2:
        raise argparse.ArgumentTypeError("each size must be at least 2 files")
    return sizes


def added_for(files: int, percent: float) -> int:
    """Return how many files the warm run adds: ``percent`` of ``files``, at least one.

    Args:
        files: The cold run's files.
        percent: The share of new files, in percent.

    Returns:
        The number of files to add.
    """
    return max(1, round(files * percent / 100))


def link_into(folder: Path, sources: Sequence[Path]) -> None:
    """Hard-link (or copy) files into ``folder`` under their own names.

    Args:
        folder: The destination, which exists.
        sources: The files.
    """
    for source in sources:
        target = folder / source.name
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def sverka_run(inbox: Path, out: Path) -> list[str]:
    """Return the measured command: ``sverka run`` with this interpreter.

    Args:
        inbox: The inbox.
        out: The output folder.

    Returns:
        The command.
    """
    return [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--out", str(out)]


def prime(workdir: Path, env: dict[str, str]) -> None:
    """Run once, untimed, on the sample inbox before any measured run.

    The first run of a session pays for what every later run finds ready: the
    Prefect home's database, the compiled ``.pyc`` files, the libraries in the
    operating system's cache. Paying it here keeps it out of the smallest
    size's cold run, where it would lower the marginal cost.

    Args:
        workdir: The benchmark's folder.
        env: The measured runs' environment.
    """
    out = workdir / "prime-out"
    shutil.rmtree(out, ignore_errors=True)
    run = measure.run_measured("prime", sverka_run(SAMPLE_INBOX, out), env, REPO, workdir / "logs")
    state = "" if run.ok else f", FAILED: see {run.log}"
    print(f"Untimed first run on {SAMPLE_INBOX}: {run.wall:.1f} s{state}.")


def bench_size(
    workdir: Path, pool: generate.Pool, files: int, added: int, env: dict[str, str]
) -> report.SizeResult:
    """Measure the floor, the cold run and the warm run at one size.

    Args:
        workdir: The benchmark's folder.
        pool: The synthetic files, at least ``files + added`` of them.
        files: ``N``.
        added: The files added before the warm run.
        env: The measured runs' environment.

    Returns:
        The measurements and the oracle's verdicts.
    """
    here = workdir / "runs" / str(files)
    shutil.rmtree(here, ignore_errors=True)
    inbox, out, logs = here / "inbox", here / "out", here / "logs"
    inbox.mkdir(parents=True)
    out.mkdir()
    first = pool.first(files)
    link_into(inbox, [pool.folder / g.name for g in first])
    read_floor = floor.read_floor(sorted(inbox.iterdir()))
    print(f"  floor: {read_floor.ms_per_file:.2f} ms per file ({read_floor.sheets:,} sheets)")
    command = sverka_run(inbox, out)
    cold = measure.run_measured(f"cold {files}", command, env, REPO, logs)
    print(
        f"  cold: {cold.wall:.1f} s, held {cold.held_mib:.0f} MiB "
        f"(RSS sum {cold.peak_mib:.0f}), exit {cold.returncode}"
    )
    result = report.SizeResult(files, added, cold, None, read_floor)
    if not cold.ok:
        print(f"  the cold run failed; its standard error is in {cold.log}")
        return result
    result.cold_verdict = oracle.compare(first, oracle.read_worklist(out / "discrepancies.csv"))
    more = pool.generated[files : files + added]
    link_into(inbox, [pool.folder / g.name for g in more])
    result.warm = warm = measure.run_measured(f"warm {files}", command, env, REPO, logs)
    print(
        f"  warm: {warm.wall:.1f} s, held {warm.held_mib:.0f} MiB "
        f"(RSS sum {warm.peak_mib:.0f}), exit {warm.returncode}"
    )
    if warm.ok:
        rows = oracle.read_worklist(out / "discrepancies.csv")
        result.warm_verdict = oracle.compare(first + more, rows)
    else:
        print(f"  the warm run failed; its standard error is in {warm.log}")
    return result


def profile_run(workdir: Path, files: int, env: dict[str, str], top: int = 25) -> None:
    """Run ``sverka run`` once more under cProfile on the ``files``-file inbox, untimed.

    Only the main process is profiled (reading happens in worker processes).

    Args:
        workdir: The benchmark's folder.
        files: Which size's inbox (it holds the warm run's files by now).
        env: The measured runs' environment.
        top: How many functions to list per ordering.
    """
    import pstats

    here = workdir / "runs" / str(files)
    stats, out = here / "profile.prof", here / "out-profile"
    shutil.rmtree(out, ignore_errors=True)
    command = sverka_run(here / "inbox", out)
    command[1:1] = ["-m", "cProfile", "-o", str(stats)]
    run = measure.run_measured(f"profile {files}", command, env, REPO, here / "logs")
    if not run.ok:
        print(f"The profiled run failed, see {run.log}")
        return
    for order in ("cumulative", "tottime"):
        print(f"\n--- cProfile of the main process, top {top} by {order} ({stats}) ---")
        pstats.Stats(str(stats)).strip_dirs().sort_stats(order).print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (if needed), measure every size, and report.

    Args:
        argv: The arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status: 1 if a measured run failed, else 0.
    """
    parser = argparse.ArgumentParser(
        description="Benchmark sverka run on synthetic inboxes: cold, warm, calamine floor."
    )
    parser.add_argument(
        "--sizes",
        type=sizes_arg,
        default=[1_000, 10_000],
        help="numbers of files, separated by commas (1000,10000)",
    )
    parser.add_argument(
        "--workdir", type=Path, default=REPO / "bench", help="benchmark folder (bench/)"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument(
        "--warm-percent",
        type=float,
        default=1.0,
        help="new files before the warm run, in percent of the inbox (1)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="generating processes (the machine's processors)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then run the smallest size once more under cProfile and print the top functions",
    )
    args = parser.parse_args(argv)
    if args.warm_percent <= 0:
        parser.error("--warm-percent must be positive")
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    machine = report.machine(REPO)
    print(
        f"Code {machine['measured_code']} (checkout {machine['commit']}); "
        f"Python {machine['python']}; {machine['cores']} cores ({machine['cpu']}); "
        f"{machine['memory_gib']} GiB."
    )

    plans = [(n, added_for(n, args.warm_percent)) for n in args.sizes]
    needed = max(n + added for n, added in plans)
    pool = generate.ensure_pool(workdir, needed, args.seed, args.jobs)
    if pool.written:
        print(
            f"Generated {pool.written:,} files (seed {args.seed}) into {pool.folder} in "
            f"{pool.seconds:.1f} s ({1000 * pool.seconds / pool.written:.1f} ms a file)."
        )
    else:
        print(f"Reused {len(pool.generated):,} files of seed {args.seed} in {pool.folder}.")

    env = measure.child_env(workdir / "prefect-home", REPO)
    prime(workdir, env)
    sizes = []
    for files, added in plans:
        print(f"\n{files:,} files (+{added:,} for the warm run):")
        sizes.append(bench_size(workdir, pool, files, added, env))

    results = report.Results(machine, sizes)
    results.marginals = report.marginals(sizes)
    results.targets = report.judge(sizes, results.marginals)
    for s in sizes:
        for name, verdict in (("cold", s.cold_verdict), ("warm", s.warm_verdict)):
            if verdict is not None:
                state = "as planted" if verdict.ok else "MISMATCHES"
                print(f"\nOracle, {name} run on {s.files:,} files: {state}")
                print("\n".join(oracle.describe(verdict)))
    print()
    print("\n".join(report.plain(results)))
    print("\nFor the README:\n")
    print("\n".join(report.markdown(results)))
    path = workdir / "results.json"
    path.write_text(
        json.dumps(report.to_json(results), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"\nResults written to {path}.")
    if args.profile:
        profile_run(workdir, args.sizes[0], env)
    measured = [r for s in sizes for r in (s.cold, s.warm) if r is not None]
    return 0 if all(r.ok for r in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
