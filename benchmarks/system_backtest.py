"""Back-test the whole-system demand models on DfE's published years, every LA.

    .venv/bin/python benchmarks/system_backtest.py [--model send|needs|both]
        [--reference DIR] [--simulations 1000] [--json FILE]

- ``send``: the EHC plan model (csplan.demand.send) at each January origin with two earlier
  Januaries (2021-2024), up to three Januaries ahead, on DfE's "Education, health and care
  plans" release (reporting year 2025); settings chosen on the 2021-2022 origins, 2023-2024
  held back. Rival: the last January grown at the last year's rate.
- ``needs``: the levels-of-need model (csplan.demand.needs) at each year ending 31 March from
  2016 to 2024, up to three years ahead, on the children in need (b1), referrals (c1), child
  protection (d5, d3) and children looked after files (2021-2025, so the flow into care from
  the 2022 origin); settings chosen on 2016-2020, 2021-2024 held back. Rival: the last year.

Prints, by measure and years ahead, the number of forecasts, the mean and median absolute
percentage error, the bias and the share of actuals inside the 80% band. Not a test: it reads
the published files (``../shared/reference``, ``--reference`` or ``CSPLAN_REFERENCE_DIR``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from csplan.demand.annual.scores import summarise, summary_lines

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Model:
    title: str
    folder: str
    read: Callable
    run: Callable
    measures: tuple[str, ...]
    chosen: tuple[str, Callable[[int], bool]]
    held: tuple[str, Callable[[int], bool]]
    rival: str


def _models() -> dict[str, Model]:
    from csplan.demand.needs import backtest as needs_backtest
    from csplan.demand.needs import model as needs_model
    from csplan.demand.needs.readers import read_path as read_needs
    from csplan.demand.send import backtest as send_backtest
    from csplan.demand.send import model as send_model
    from csplan.demand.send.readers import read_path as read_send

    return {
        "send": Model(
            "EHC plan model",
            "ehcp_2025",
            read_send,
            lambda areas, sims: send_backtest.backtest_all(
                areas, send_model.load_options(simulations=sims)
            ),
            send_backtest.MEASURES,
            ("settings chosen on origins 2021-2022", lambda o: o <= 2022),
            ("held back: origins 2023-2024", lambda o: o >= 2023),
            "the last January grown at the last year's rate",
        ),
        "needs": Model(
            "Levels-of-need model",
            "",
            read_needs,
            lambda areas, sims: needs_backtest.backtest_all(
                areas, needs_model.load_options(simulations=sims)
            ),
            needs_backtest.MEASURES,
            ("settings chosen on origins 2016-2020", lambda o: o <= 2020),
            ("held back: origins 2021-2024", lambda o: o >= 2021),
            "the last year held",
        ),
    }


def run(model: Model, reference: Path, simulations: int) -> dict[str, list]:
    started = time.perf_counter()
    figures = model.read(reference / model.folder if model.folder else reference)
    areas = [figures.area(code) for code in figures.la_codes()]
    result = model.run(areas, simulations)
    print(
        f"\n{model.title} back-test: {len(areas)} LAs, {len(result.scores):,} scores, "
        f"{simulations} paths each, {time.perf_counter() - started:.1f} s"
    )
    if result.skipped:
        print(
            f"Skipped {len(result.skipped)} origins (too few years), e.g. "
            + "; ".join(f"{a} {o}" for a, o, _ in result.skipped[:3])
        )
    out = {}
    for label, chosen in (model.chosen, model.held, ("all origins", lambda o: True)):
        summaries = summarise([s for s in result.scores if chosen(s.origin)], model.measures)
        out[label] = [s.to_dict() for s in summaries]
        print(f"\n{label}\n" + "\n".join(summary_lines(summaries)))
    naive = summarise(result.naive, model.measures)
    out["naive"] = [s.to_dict() for s in naive]
    print(f"\nrival ({model.rival}), all origins\n" + "\n".join(summary_lines(naive)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["send", "needs", "both"], default="both")
    parser.add_argument(
        "--reference",
        type=Path,
        default=Path(
            os.environ.get("CSPLAN_REFERENCE_DIR") or ROOT / ".." / "shared" / "reference"
        ),
    )
    parser.add_argument("--simulations", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="Also write the summaries as JSON.")
    args = parser.parse_args()
    models = _models()
    chosen = ["send", "needs"] if args.model == "both" else [args.model]
    out = {name: run(models[name], args.reference, args.simulations) for name in chosen}
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
