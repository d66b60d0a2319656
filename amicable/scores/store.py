"""Model files beside the warehouse, their registry `scores.models`, staleness, and the scores
tables `scores.case_scores` and `scores.promise_scores`.

A model is stored as `<warehouse folder>/models/<warehouse name>/<score>-<version>.joblib`
(never in git; joblib pickles: load only files this tool wrote) with its SHA-256 in the
registry. A model is used only when it is current: its registry row and file exist, the file's
SHA-256 and the feature list match, and the warehouse's as-of date is on or after the end of its
training history and at most MAX_AGE_DAYS after it. A model's history ends on the day the last
label it saw was known (its scoring date + the label window, or the day after the promise's
window end: the spec's label_known_on): a 90-day label of a month end is known three months
later, so the history is measured to then.
Otherwise the score is not computed and `status` says why in one line.
The registry and the scores tables live in the warehouse: a DuckDB file, or a PostgreSQL
database (issue 16; `con` a writable `dashboards.postgres` connection, the SQL DuckDB's,
translated); the model files beside it either way (`model_dir` of the build's local folder).
The current scores of a score are the rows of its latest run (`latest_run`, the one home of
"latest"; `latest_scores`, `latest_promise_scores`): the tables keep every run. A score trained
on promises also scores each pending promise from its own promise-eve row into
scores.promise_scores (the cash page weights each promise by it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import joblib
import pandas as pd

from amicable.scores.explain import reasons
from amicable.scores.spec import CASES_TABLE, PROMISES_TABLE, ScoreSpec
from amicable.scores.training import Trained, matrix
from amicable.settings import warehouse_name
from dashboards.postgres import Connection, commit, has_table

MAX_AGE_DAYS = 92  # a model older than a quarter of history is stale: train it again

SCHEMA_DDL = "create schema if not exists scores"
MODELS_DDL = """
create table if not exists scores.models (
    score varchar not null, version varchar not null, model_kind varchar not null,
    calibration varchar not null, train_from date not null, train_to date not null,
    calibration_from date not null, calibration_to date not null,
    test_from date not null, test_to date not null, history_to date not null,
    train_rows integer not null, calibration_rows integer not null, test_rows integer not null,
    test_auc double, test_brier double, metrics json not null, features json not null,
    model_file varchar not null, model_sha256 varchar not null,
    trained_at timestamp not null, run_id varchar not null
);
create table if not exists scores.case_scores (
    score varchar not null, case_id varchar not null, as_of date not null,
    probability double not null, model_version varchar not null,
    reason_1 varchar, reason_2 varchar, reason_3 varchar,
    scored_at timestamp not null, run_id varchar not null
);
create table if not exists scores.promise_scores (
    score varchar not null, promise_id varchar not null, case_id varchar not null,
    feature_date date not null, as_of date not null, probability double not null,
    model_version varchar not null, reason_1 varchar, reason_2 varchar, reason_3 varchar,
    scored_at timestamp not null, run_id varchar not null
);
"""


@dataclass
class ModelStatus:
    spec: ScoreSpec
    usable: bool
    message: str  # one line
    version: str | None = None
    path: Path | None = None
    age_days: int | None = None  # from the end of the latest model's history to as-of


SCORE_TABLES = ("case_scores", "promise_scores")  # the tables a scoring run appends to


def create_tables(con: Connection) -> None:
    """The registry and the scores tables, when one is missing: only then, as PostgreSQL asks
    for the right to create in the database even for `create schema if not exists`."""
    if all(has_table(con, "scores", table) for table in ("models", *SCORE_TABLES)):
        return
    con.execute(SCHEMA_DDL)
    for statement in filter(str.strip, MODELS_DDL.split(";")):
        con.execute(statement)
    commit(con)


def latest_run(con: Connection, name: str, table: str = "case_scores") -> str | None:
    """The run_id of the latest scoring run of score `name` in scores.`table` (the run scored
    last, by scored_at); None before the first. The one home of "latest": every reader of
    current scores (the pages, the case file) keeps the rows of this run_id."""
    if table not in SCORE_TABLES:
        raise ValueError(f"scores.{table} is not a scores table (one of {SCORE_TABLES})")
    if not has_table(con, "scores", table):
        return None
    return con.execute(
        f"select arg_max(run_id, scored_at) from scores.{table} where score = ?", [name]
    ).fetchone()[0]


def latest_scores(con: Connection, name: str) -> pd.DataFrame:
    """The rows of the latest scoring run of score `name` (the open cases at its as-of date)."""
    return con.execute(
        "select * from scores.case_scores where score = ? and run_id = ? "
        "order by probability desc, case_id",
        [name, latest_run(con, name)],
    ).df()


def latest_promise_scores(con: Connection, name: str) -> pd.DataFrame:
    """The rows of the latest scoring run of score `name` in scores.promise_scores (the
    promises pending at its as-of date, each scored from its promise eve); empty before."""
    run_id = latest_run(con, name, "promise_scores")
    if run_id is None:
        return pd.DataFrame()
    return con.execute(
        "select * from scores.promise_scores where score = ? and run_id = ? order by promise_id",
        [name, run_id],
    ).df()


def model_dir(warehouse: Path) -> Path:
    return Path(warehouse).parent / "models" / warehouse_name(warehouse)


def as_of(con: Connection) -> date:
    return con.execute("select as_of_date from marts.dim_build").fetchone()[0]


def features(con: Connection, spec: ScoreSpec) -> pd.DataFrame:
    """The training rows of `spec`: its table, in a fixed order (every column; the split
    reads the dates, not the order)."""
    columns = [c[0] for c in con.execute(f"select * from {spec.table} limit 0").description]
    order = ", ".join(f'"{column}"' for column in columns)  # DuckDB's `order by all`
    return con.execute(f"select * from {spec.table} order by {order}").df()


def version_of(trained_at: datetime) -> str:
    """A model's version: its training time (UTC) to the microsecond, sorting as it."""
    return trained_at.strftime("%Y%m%dT%H%M%S-%f")


def save(trained: Trained, warehouse: Path, con: Connection) -> str:
    """Write the model file and its registry row; returns the version: the training time to
    the microsecond (`version_of`), so two trainings in one second are two versions; the file
    is created, never overwritten (FileExistsError rather than replace a model in use)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    version = version_of(now)
    folder = model_dir(warehouse).absolute()  # the registry's path holds from any directory
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{trained.spec.name}-{version}.joblib"
    with path.open("xb") as file:
        joblib.dump({"model": trained.model, "reference": trained.reference}, file)
    slices = trained.slices
    history_to = trained.history_to
    create_tables(con)
    con.execute(
        "insert into scores.models values "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            trained.spec.name,
            version,
            trained.kind,
            trained.method,
            *slices.window("train"),
            *slices.window("calibration"),
            *slices.window("test"),
            history_to,
            len(slices.train),
            len(slices.calibration),
            len(slices.test),
            trained.metrics["model"]["auc"],
            trained.metrics["model"]["brier"],
            json.dumps({"test": trained.metrics, "choice": trained.choice}),
            json.dumps(list(trained.spec.features)),
            str(path),
            _sha256(path),
            now,
            f"scores-{trained.spec.name}-{version}",
        ],
    )
    commit(con)  # on PostgreSQL: a model registered stays so if a later step fails
    return version


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def status(con: Connection, spec: ScoreSpec, today: date) -> ModelStatus:
    """Whether the latest model of `spec` may score a warehouse as of `today`, in one line."""
    row = None
    if has_table(con, "scores", "models"):
        row = con.execute(
            "select version, model_file, model_sha256, features, history_to from scores.models "
            "where score = ? order by trained_at desc, version desc limit 1",
            [spec.name],
        ).fetchone()
    if row is None:
        return ModelStatus(spec, False, f"score {spec.name}: no model: run `amicable scores train`")
    version, file, sha, feature_list, history_to = row
    path = Path(file)
    age = (today - history_to).days

    def unusable(message: str) -> ModelStatus:
        return ModelStatus(spec, False, message, age_days=age)

    unused = f"score {spec.name}: model {version} was not used: "
    again = f"train again (`amicable scores train --score {spec.name}`)"
    if not path.is_file():
        return unusable(unused + f"its file {path} is missing; {again}")
    if _sha256(path) != sha:
        return unusable(unused + f"its file {path} was changed; {again}")
    if json.loads(feature_list) != list(spec.features):
        return unusable(unused + f"its features are not this version's; {again}")
    stale = f"score {spec.name}: model {version} is stale and was not used: "
    if today < history_to:
        return unusable(stale + f"it saw history up to {history_to}, after as-of {today}")
    if age > MAX_AGE_DAYS:
        return unusable(
            stale + f"its history ends {history_to}, {age} days before as-of {today} "
            f"(more than {MAX_AGE_DAYS}); train again"
        )
    return ModelStatus(spec, True, f"score {spec.name}: model {version}", version, path, age)


def score(con: Connection, model: ModelStatus, run_id: str) -> tuple[int, int]:
    """Score with a usable model: a score trained on cases, every case open at the
    warehouse's as-of date into scores.case_scores; a score trained on promises
    (PROMISES_TABLE), every pending promise (its label still null) from its own promise-eve
    row, the features it was trained on, into scores.promise_scores, and no case (a case's
    features of today describe no promise: a pending promise would be its own "running
    promise"); returns (cases scored, promises scored). Both tables are
    history, appended to under `run_id` with one scored_at and carried from slot to slot like
    the other history (orchestration.catch_up): a score's current rows are those of its latest
    run (`latest_scores`, `latest_promise_scores`)."""
    if not model.usable:
        raise ValueError(model.message)
    spec = model.spec
    saved = joblib.load(model.path)
    day = as_of(con)
    now = datetime.now(UTC).replace(tzinfo=None)  # to the microsecond: orders the runs
    rows, promise_rows = [], []
    if spec.table == CASES_TABLE:
        cases = con.execute(f"select * from {CASES_TABLE} where is_as_of order by case_id").df()
        rows = [
            [spec.name, case_id, day, prob, model.version, *why, now, run_id]
            for case_id, prob, why in zip(
                cases["case_id"], *_predict(saved, cases, spec), strict=True
            )
        ]
    else:
        pending = con.execute(
            f"select * from {PROMISES_TABLE} where {spec.label} is null order by promise_id"
        ).df()
        promise_rows = [
            [spec.name, promise, case, feature_date, day, prob, model.version, *why, now, run_id]
            for promise, case, feature_date, prob, why in zip(
                pending["promise_id"],
                pending["case_id"],
                pd.to_datetime(pending["scoring_date"]).dt.date,
                *_predict(saved, pending, spec),
                strict=True,
            )
        ]
    create_tables(con)
    if rows:
        con.executemany(
            "insert into scores.case_scores values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    if promise_rows:
        con.executemany(
            "insert into scores.promise_scores values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            promise_rows,
        )
    commit(con)
    return len(rows), len(promise_rows)


def _predict(saved: dict, frame: pd.DataFrame, spec: ScoreSpec) -> tuple[list, list]:
    """Each row's probability and its three reasons (None where fewer)."""
    if frame.empty:
        return [], []
    x = matrix(frame, spec)
    p = [float(v) for v in saved["model"].predict_proba(x)[:, 1]]
    why = [(r + [None] * 3)[:3] for r in reasons(saved["model"], x, saved["reference"], spec)]
    return p, why
