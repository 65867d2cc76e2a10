"""Reply classification accuracy on the labelled set `bench/data/replies.jsonl`.

The set holds realistic replies in English, French, German and Spanish: greetings,
signatures, quoted threads (our outreach email under "On … wrote:", Outlook headers,
`>` quotes), disclaimers, auto-replies, mailer-daemon bounces and terse one-liners. Each
row has `text`, `label`, `language`, `split`, `round`, `received_at`, and where they apply
`subject`, `return_date` (out_of_office) and `referral_email` (wrong_person).

`split` is `dev` (the rules were developed against it, and the word model's examples are
its replies) or `holdout` (written after the classifier was frozen, never used to change a
rule); `round` is the round whose holdout a row was written as (0: the first dev replies).
Both splits are reported, and the holdout per round: those figures are the honest ones.
Each round's holdout was scored once with the classifier of that round:

| round | classifier | holdout written after it | holdout accuracy |
|---|---|---|---|
| 1 | rules v1 (from 154 dev replies) | 76 replies, then joined dev | 61.8 % |
| 2 | rules v2 (from 230) | 87 replies, then joined dev | 70.1 % |
| 3 | rules v3 (from 317), single-word cues when no rule matched | 109 replies, kept | 71.6 % |
| 4 | rules v3, word model (naive Bayes on dev) when no rule matched | 90 replies, kept | 85.6 % |

Round 3's holdout was then used once, to choose the word model over the single-word cues
(91.7 % against 71.6 %), so only round 4's figure is untouched. Of what the classifier is
confident enough to act on (≥ 0.5: phrase rules; the word model only guesses, under 0.5),
95 % of round 4 and 98 % of round 3 were right (the "acted on" lines). `--sandbox` also
scores the lemlist emulator's reply templates, written independently of this classifier.

Labelling guide: `not_now` defers to a stated later time ("next quarter", "after the
summer", "not right now"); a plain no with filler ("at the moment") is `not_interested`;
asking to be removed is `unsubscribe` even when it also says no; someone who left the
company is `wrong_person` even in an auto-reply; a return date "until X" means back on the
day after X.

For each split: the confusion matrix (rows: truth, columns: predicted), accuracy, the share
of out-of-office replies whose return date is right, and of wrong-person replies whose
referral address is right. `--errors` lists the misclassified replies.

`python bench/classify.py [--errors] [--sandbox] [--write-examples] [--classifier
module:factory] [--llm [--llm-limit N]]`: the classifier is the offline one unless a factory
returning a `ReplyClassifier` is named. `--llm` then scores the model path
(`replies/llm.py`, the fast tier) on the same set when `ANTHROPIC_API_KEY` or
`GEMINI_API_KEY` is set (base URLs and `SALESAUTO_LLM_PROVIDER` are read too), eight
replies at a time, and prints how many of its answers were used, the tokens and the cost
(about $0.001 a reply on claude-haiku-4-5); without a key it says it is skipped.
`--llm-limit N` scores the first N rows only. Exits 1 when the offline accuracy on the
latest holdout round is under 85 %.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue` (redis imports it, through the
# agent definitions --llm loads): Python puts the script's folder first on sys.path.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import importlib
import json
import os
import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from salesauto.ai.settings import AiSettings
from salesauto.replies.bayes import EXAMPLES
from salesauto.replies.cleaning import authored_part
from salesauto.replies.llm import model_classifier
from salesauto.replies.offline import OfflineClassifier
from salesauto.replies.schemas import REPLY_CLASSES, Classification, ReplyClassifier, ReplyText

DATA = Path(__file__).resolve().parent / "data" / "replies.jsonl"
TARGET = 0.85
LLM_CONCURRENCY = 8
# Read from the environment for --llm: the vendors' usual names, or with SALESAUTO_.
LLM_VARIABLES = (
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "ANTHROPIC_BASE_URL",
    "GEMINI_BASE_URL",
    "LLM_PROVIDER",
)
SHORT = {
    "interested": "int",
    "not_interested": "no",
    "not_now": "later",
    "out_of_office": "ooo",
    "unsubscribe": "unsub",
    "wrong_person": "wrong",
    "bounce": "bounce",
    "other": "other",
}


def load(path: Path = DATA) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def reply_of(row: dict[str, Any]) -> ReplyText:
    return ReplyText(
        text=row["text"],
        subject=row.get("subject"),
        received_at=datetime.fromisoformat(row["received_at"]),
    )


async def predict(classifier: ReplyClassifier, rows: list[dict[str, Any]]) -> list[Classification]:
    return [await classifier.classify(reply_of(row)) for row in rows]


def report(name: str, rows: list[dict[str, Any]], found: list[Classification]) -> float:
    matrix: Counter[tuple[str, str]] = Counter(
        (row["label"], got.label) for row, got in zip(rows, found, strict=True)
    )
    right = sum(matrix[(label, label)] for label in REPLY_CLASSES)
    accuracy = right / len(rows) if rows else 0.0
    print(f"\n## {name}: {len(rows)} replies, accuracy {accuracy:.1%}")
    print("truth \\ predicted " + " ".join(f"{SHORT[c]:>6}" for c in REPLY_CLASSES))
    for truth in REPLY_CLASSES:
        cells = " ".join(f"{matrix[(truth, got)]:>6}" for got in REPLY_CLASSES)
        print(f"{truth:<17} {cells}")
    dated = [
        (row, got)
        for row, got in zip(rows, found, strict=True)
        if row["label"] == "out_of_office" and "return_date" in row
    ]
    if dated:
        ok = sum(1 for row, got in dated if str(got.return_date) == row["return_date"])
        print(f"return dates right: {ok}/{len(dated)}")
    referred = [
        (row, got)
        for row, got in zip(rows, found, strict=True)
        if row["label"] == "wrong_person" and "referral_email" in row
    ]
    if referred:
        ok = sum(
            1
            for row, got in referred
            if got.referral is not None and got.referral.email == row["referral_email"]
        )
        print(f"referral addresses right: {ok}/{len(referred)}")
    sure = [(row, got) for row, got in zip(rows, found, strict=True) if got.confidence >= 0.5]
    if sure:
        right_sure = sum(1 for row, got in sure if row["label"] == got.label)
        print(
            f"acted on (confidence ≥ 0.5): {len(sure)}/{len(rows)} replies, "
            f"accuracy {right_sure / len(sure):.1%}"
        )
    return accuracy


def sandbox_rows(per_class: int = 40) -> list[dict[str, Any]]:
    """Replies the lemlist emulator writes (`integrations/sandbox/lemlist/replies.py`)."""
    from salesauto.integrations.sandbox.lemlist.replies import REPLY_CLASSES, compose

    rng = random.Random(7)
    received = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    rows = []
    for name, _ in REPLY_CLASSES:
        for _ in range(per_class):
            reply = compose(
                name,
                rng,
                first_name="Ann",
                sender_first_name="Tom",
                lead_email="ann@acme.com",
                subject="Idea for Acme",
                at=received.timestamp(),
            )
            row: dict[str, Any] = {
                "text": reply.text,
                "subject": reply.subject,
                "label": "not_interested" if name == "negative" else name,
                "received_at": received.isoformat(),
            }
            if reply.return_date:
                row["return_date"] = reply.return_date
            if reply.referral_email:
                row["referral_email"] = reply.referral_email
            rows.append(row)
    return rows


def held_out_rounds(rows: list[dict[str, Any]]) -> set[int]:
    return {row["round"] for row in rows if row["split"] == "holdout" and "round" in row}


def write_examples(rows: list[dict[str, Any]]) -> None:
    """The word model's examples: the authored part of every `dev` reply (never holdout)."""
    with EXAMPLES.open("w", encoding="utf-8") as out:
        for row in rows:
            if row["split"] == "dev":
                text = authored_part(row["text"]) or row["text"].strip()
                example = {"label": row["label"], "text": text}
                out.write(json.dumps(example, ensure_ascii=False) + "\n")
    print(f"wrote {EXAMPLES}", file=sys.stderr)


def load_classifier(spec: str | None) -> ReplyClassifier:
    if spec is None:
        return OfflineClassifier()
    module, _, factory = spec.partition(":")
    built: ReplyClassifier = getattr(importlib.import_module(module), factory)()
    return built


def llm_settings() -> AiSettings | None:
    """The model settings from the environment; None without a model key."""
    values: dict[str, str] = {}
    for name in LLM_VARIABLES:
        for variable in (f"SALESAUTO_{name}", name):
            if os.environ.get(variable):
                values[name.lower()] = os.environ[variable]
                break
    if not (values.get("anthropic_api_key") or values.get("gemini_api_key")):
        return None
    return AiSettings.model_validate(values)


async def predict_with_model(
    settings: AiSettings, rows: list[dict[str, Any]]
) -> tuple[str, list[Classification]]:
    classifier = model_classifier(settings)
    if classifier is None:
        raise SystemExit("LLM_PROVIDER=offline: no model to score")
    gate = asyncio.Semaphore(LLM_CONCURRENCY)

    async def one(row: dict[str, Any]) -> Classification:
        async with gate:
            return await classifier.classify(reply_of(row))

    try:
        found = await asyncio.gather(*(one(row) for row in rows))
    finally:
        await classifier.aclose()
    return classifier.name, list(found)


def report_model_runs(found: list[Classification]) -> None:
    """How many model answers were used, why the others were not, and what they cost."""
    fallbacks = Counter(got.classifier for got in found if got.classifier.startswith("offline"))
    used = len(found) - sum(fallbacks.values())
    runs = [got.details for got in found if got.details]
    tokens = sum(run["usage"]["inputTokens"] + run["usage"]["outputTokens"] for run in runs)
    cost = sum(run["costUsd"] for run in runs)
    print(f"\nmodel answers used: {used}/{len(found)}; tokens {tokens}; cost ${cost:.4f}")
    for reason, count in fallbacks.most_common(5):
        print(f"  {count} × {reason}")


def report_splits(rows: list[dict[str, Any]], found: list[Classification]) -> dict[str, float]:
    figures: dict[str, float] = {}
    parts: list[tuple[str, str, int | None]] = [("dev", "dev", None), ("holdout", "holdout", None)]
    parts += [(f"holdout, round {n}", "holdout", n) for n in sorted(held_out_rounds(rows))]
    for name, split, round_ in parts:
        pairs = [
            (r, f)
            for r, f in zip(rows, found, strict=True)
            if r["split"] == split and (round_ is None or r.get("round") == round_)
        ]
        if pairs:
            figures[name] = report(name, [r for r, _ in pairs], [f for _, f in pairs])
    figures["all"] = report("all", rows, found)
    return figures


def list_errors(rows: list[dict[str, Any]], found: list[Classification]) -> None:
    print("\n## misclassified")
    for row, got in zip(rows, found, strict=True):
        if row["label"] != got.label:
            head = row["text"].strip().replace("\n", " ")[:110]
            print(f"[{row['split']}] {row['label']} → {got.label} ({got.confidence}): {head}")


def run_llm(rows: list[dict[str, Any]], limit: int | None, errors: bool) -> None:
    settings = llm_settings()
    if settings is None:
        print("\n# LLM path skipped: set ANTHROPIC_API_KEY or GEMINI_API_KEY to score it")
        return
    rows = rows[:limit] if limit else rows
    name, found = asyncio.run(predict_with_model(settings, rows))
    print(f"\n# LLM path: {name}; {len(rows)} replies")
    report_splits(rows, found)
    report_model_runs(found)
    if errors:
        list_errors(rows, found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list misclassified replies")
    parser.add_argument(
        "--write-examples", action="store_true", help="rewrite the word model's examples"
    )
    parser.add_argument("--sandbox", action="store_true", help="also score emulator replies")
    parser.add_argument("--classifier", help="module:factory of another ReplyClassifier")
    parser.add_argument(
        "--llm", action="store_true", help="also score the model path (needs a model key)"
    )
    parser.add_argument("--llm-limit", type=int, help="score the model on the first N rows")
    args = parser.parse_args()
    rows = load()
    if args.write_examples:
        write_examples(rows)
    classifier = load_classifier(args.classifier)
    found = asyncio.run(predict(classifier, rows))
    print(f"classifier: {classifier.name}; set: {DATA.name}")
    figures = report_splits(rows, found)
    if args.sandbox:
        emulated = sandbox_rows()
        report("lemlist emulator replies", emulated, asyncio.run(predict(classifier, emulated)))
    if args.errors:
        list_errors(rows, found)
    if args.llm:
        run_llm(rows, args.llm_limit, args.errors)
    latest = max(held_out_rounds(rows), default=None)
    held = figures.get(f"holdout, round {latest}", figures["all"])
    return 0 if args.classifier or held >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
