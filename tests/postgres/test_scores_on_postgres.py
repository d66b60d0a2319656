"""Case scores on a PostgreSQL warehouse (issue 16): the same models score the same open cases
and pending promises with the same probabilities and reasons as on DuckDB, the dashboard's
score queries answer the same, `amicable scores` takes the database's URL, and the build
scores after publication.

The models are trained once on the session's trained world (`trained`: 600 debtors, DuckDB;
the tiny sample is too short to train on) and registered in both warehouses of the tiny
sample: a copy of the DuckDB build (`sample_build`) and a copy of its PostgreSQL build
(`tiny_on_postgres`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from amicable.cli import main
from amicable.scores import store
from amicable.scores.run import CASES_SCORED, PROMISES_SCORED, score_all
from amicable.scores.spec import SCORES
from amicable.scores.training import train
from amicable.settings import HOME_ENV
from amicable.warehouse_ref import PostgresWarehouse
from benchmarks.scale_queries import calls, query_functions
from dashboards.postgres import writing
from orchestration.pg_build import PgBuildOutcome, score
from tests.conftest import TRAIN_SEED, SampleBuild, copy_build
from tests.postgres.conftest import PostgresServer, TinyOnPostgres, free_port
from tests.postgres.test_dashboard_on_postgres import same

DATABASE = "amicable_scores"
RUN = "scores-both-engines"
# The dashboard's queries of the scores and of their registry.
SCORE_QUERIES = (
    "work_queue",
    "work_queue_scores",
    "cash_expected_scored",
    "cash_expected_score_status",
    "health_score_models",
)
# Both warehouses register the same models, and score, at this time (a model's version is its
# training time; the pages show when a run scored).
TRAINED_AT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None) -> datetime:  # noqa: ARG003 - as datetime.now
        return TRAINED_AT


ROWS = {
    "case_scores": "score, case_id, as_of, probability, reason_1, reason_2, reason_3",
    "promise_scores": "score, promise_id, case_id, feature_date, as_of, probability, "
    "reason_1, reason_2, reason_3",
}


class Both:
    def __init__(self, duck: Path, warehouse: PostgresWarehouse, local: Path) -> None:
        self.duck, self.warehouse, self.local = duck, warehouse, local


@pytest.fixture(scope="module")
def both(
    trained: Path,
    sample_build: SampleBuild,
    tiny_on_postgres: TinyOnPostgres,
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Both:
    """The tiny sample on both engines, each with the same three models registered."""
    assert tiny_on_postgres.built.ok, tiny_on_postgres.built.report
    root = tmp_path_factory.mktemp("scores_both")
    (root / "duck").mkdir()
    duck = copy_build(sample_build, root / "duck")
    postgres_server.fresh_database(DATABASE, tiny_on_postgres.database)
    warehouse = PostgresWarehouse(postgres_server.url(DATABASE))
    local = root / "pg" / warehouse.name
    with duckdb.connect(str(trained), read_only=True) as source:
        models = [train(store.features(source, spec), spec, TRAIN_SEED) for spec in SCORES.values()]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "datetime", _Frozen)
        with duckdb.connect(str(duck)) as con:
            for model in models:
                store.save(model, duck, con)
        with writing(warehouse) as con:
            for model in models:
                store.save(model, local, con)
    return Both(duck, warehouse, local)


def _file_name(path: str) -> str:
    return Path(path).name


def _rows(con, table: str) -> list[tuple]:
    return con.execute(
        f"select {ROWS[table]} from scores.{table} where run_id = ? order by 1, 2", [RUN]
    ).fetchall()


def test_same_scores_and_queries_on_both_engines(
    both: Both, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "datetime", _Frozen)  # both runs scored at the same time
    with duckdb.connect(str(both.duck)) as con:
        on_duckdb = score_all(con, RUN)
        duckdb_rows = {table: _rows(con, table) for table in ROWS}
    with writing(both.warehouse) as con:
        on_postgres = score_all(con, RUN)
    with writing(both.warehouse) as con:  # read after the commit, in another session
        postgres_rows = {table: _rows(con, table) for table in ROWS}
        files = [Path(r[0]) for r in con.execute("select model_file from scores.models").fetchall()]
    # the registry names each model's file by its absolute path, beside the database's folder
    assert sorted(file.parent for file in files) == [store.model_dir(both.local)] * len(SCORES)
    assert all(file.is_absolute() and file.is_file() for file in files)

    assert [result.scored for result in on_postgres] == [True] * len(SCORES)
    assert [result.line for result in on_postgres] == [result.line for result in on_duckdb]
    assert len(duckdb_rows["case_scores"]) > 0 and len(duckdb_rows["promise_scores"]) > 0
    for table, rows in duckdb_rows.items():
        same(rows, postgres_rows[table], table)

    arguments = calls(both.duck)
    functions = query_functions()
    url = both.warehouse.url
    for name in SCORE_QUERIES:
        left, right = (functions[name](where, *arguments[name]) for where in (both.duck, url))
        if name == "health_score_models":  # each warehouse keeps its files in its own folder
            left, right = (
                f.assign(model_file=f["model_file"].map(_file_name)) for f in [left, right]
            )
        same(left, right, name)
    status = functions["cash_expected_score_status"](url, *arguments["cash_expected_score_status"])
    assert "no model" not in str(status)
    # a scored case's file shows its scores on both
    case = duckdb_rows["case_scores"][0][1]
    files = [functions["case_file"](where, case).scores for where in (both.duck, url)]
    assert len(files[0]) > 0
    same(*files, "case_file.scores")


def test_scores_command_on_postgres(
    both: Both, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))  # where a trained model would go
    url = both.warehouse.url
    assert main(["scores", "score", "--warehouse", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(SCORES)
    assert all(CASES_SCORED in line or PROMISES_SCORED in line for line in lines), lines

    def models() -> int:
        with writing(both.warehouse) as con:
            return con.execute("select count(*) from scores.models").fetchone()[0]

    before = models()
    # the tiny sample is too short to train on: one line per score, nothing registered, the
    # models already there still score
    assert main(["scores", "train", "--warehouse", url]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" not trained: ")[0] for line in lines[: len(SCORES)]] == [
        f"score {name}" for name in SCORES
    ]
    assert all("with its previous model" in line for line in lines[len(SCORES) :]), lines
    assert models() == before

    down = f"postgresql://amicable:secret@localhost:{free_port()}/amicable"
    assert main(["scores", "score", "--warehouse", down]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "secret" not in error and "cannot" in error, error


def test_build_scores_after_publication(both: Both) -> None:
    outcome = PgBuildOutcome()
    score(both.warehouse, "build-run", outcome)
    assert len(outcome.scores) == len(SCORES)
    assert all(
        " scored" in line and line.endswith(" as of 2026-11-20") for line in outcome.scores
    ), outcome.scores

    down = PostgresWarehouse(f"postgresql://amicable:secret@localhost:{free_port()}/amicable")
    outcome = PgBuildOutcome()
    score(down, "build-run", outcome)
    assert len(outcome.scores) == 1 and outcome.scores[0].startswith("case scores not computed:")
    assert "secret" not in outcome.scores[0]
