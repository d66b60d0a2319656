"""Roles, the users file, masking and an agent's scope, without Streamlit."""

from __future__ import annotations

from pathlib import Path

import bcrypt
import pandas as pd
import pytest
import yaml
from streamlit_authenticator import Hasher

from dashboards.access import (
    MASK,
    UsersFileError,
    Viewer,
    add_user,
    load_users,
    restrict,
    viewer_of,
)

FRAME = pd.DataFrame(
    {
        "case_id": ["C1", "C2", "C3"],
        "agent_id": ["A1", "A2", "A1"],
        "debtor_name": ["Zoé Martin", None, "Bolt SA"],
        "open_amount": [10.0, 20.0, 30.0],
    }
)


def test_finance_sees_every_row_with_personal_data_masked() -> None:
    shown = restrict(FRAME, Viewer("f", "F", "finance"), None)
    assert list(shown["case_id"]) == ["C1", "C2", "C3"]
    assert list(shown["debtor_name"].fillna("null")) == [MASK, "null", MASK]
    assert list(FRAME["debtor_name"].fillna("null")) == ["Zoé Martin", "null", "Bolt SA"]


def test_finance_sees_business_names_and_codes_but_not_a_persons_data() -> None:
    frame = FRAME.assign(segment=["B2C", "B2B", "B2B"], debtor_email=["z@x.fr", None, "a@b.c"])
    shown = restrict(frame, Viewer("f", "F", "finance"), None)
    assert list(shown["debtor_name"].fillna("null")) == [MASK, "null", "Bolt SA"]
    assert list(shown["debtor_email"].fillna("null")) == [MASK, "null", MASK]
    rejected = pd.DataFrame(
        {
            "field": ["currency", "email", "name", None],
            "rejected_value": ["EUX", "zoe@", "Zoé Martin", "?"],
            "rejected_record": ["a,EUX", "b,zoe@", "c", "d"],
        }
    )
    shown = restrict(rejected, Viewer("f", "F", "finance"), None)
    assert list(shown["rejected_value"]) == ["EUX", MASK, MASK, MASK]
    assert set(shown["rejected_record"]) == {MASK}


def test_supervisors_and_auditors_see_personal_data() -> None:
    for role in ("supervisor", "auditor", "admin"):
        shown = restrict(FRAME, Viewer("u", "U", role), None)
        assert list(shown["debtor_name"].fillna("null")) == ["Zoé Martin", "null", "Bolt SA"]


def test_an_agent_sees_only_the_cases_they_own() -> None:
    agent = Viewer("a", "A", "agent", agent_id="A1")
    # C3 was reassigned to another agent: ownership (own_cases), not the row's agent, decides
    assert list(restrict(FRAME, agent, {"C1", "C2"})["case_id"]) == ["C1", "C2"]
    per_agent = FRAME.drop(columns="case_id")
    assert list(restrict(per_agent, agent, {"C1"})["open_amount"]) == [10.0, 30.0]
    totals = FRAME[["open_amount"]]  # an aggregate names no case: it stays whole
    assert list(restrict(totals, agent, {"C1"})["open_amount"]) == [10.0, 20.0, 30.0]


def test_sections_follow_the_role_table() -> None:
    assert Viewer("f", "F", "finance").can_open("Finance")
    assert not Viewer("f", "F", "finance").can_open("Supervisor")
    assert Viewer("a", "A", "agent", "A1").can_open("Supervisor")
    assert not Viewer("a", "A", "agent", "A1").can_open("Data health")
    assert not Viewer("s", "S", "supervisor").can_open("Auditor")
    assert all(Viewer("x", "X", "admin").can_open(s) for s in ("Finance", "Auditor"))


def test_added_users_are_stored_with_a_bcrypt_hash_only(tmp_path: Path) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "ann", "auditor", "s3cret-pass", name="Ann Audit")
    add_user(users, "bob", "agent", "an0ther-pass", agent_id="A7")
    text = users.read_text(encoding="utf-8")
    assert "s3cret-pass" not in text and "an0ther-pass" not in text
    data = load_users(users)
    stored = data["credentials"]["usernames"]["ann"]["password"]
    assert bcrypt.checkpw(b"s3cret-pass", stored.encode())
    assert Hasher.check_pw("s3cret-pass", stored)  # the check streamlit-authenticator makes
    assert viewer_of(data, "bob") == Viewer("bob", "bob", "agent", "A7")
    assert viewer_of(data, "ann").role == "auditor"
    assert users.stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "plain-text"}, "not a bcrypt hash"),
        ({"roles": ["boss"]}, "`roles` must be one of"),
        ({"roles": ["agent"]}, "`agent_id` is required"),
    ],
)
def test_a_broken_users_file_names_the_file_and_the_user(
    tmp_path: Path, change: dict, message: str
) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "ann", "auditor", "s3cret-pass")
    data = yaml.safe_load(users.read_text(encoding="utf-8"))
    data["credentials"]["usernames"]["ann"].update(change)
    users.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(UsersFileError, match=message) as error:
        load_users(users)
    assert str(users) in str(error.value) and "'ann'" in str(error.value)


def test_user_names_are_kept_as_sign_in_compares_them(tmp_path: Path) -> None:
    users = tmp_path / "users.yml"
    assert add_user(users, " Ann ", "auditor", "s3cret-pass") == "ann"
    assert list(load_users(users)["credentials"]["usernames"]) == ["ann"]
    data = yaml.safe_load(users.read_text(encoding="utf-8"))
    data["credentials"]["usernames"]["Bob"] = data["credentials"]["usernames"]["ann"]
    users.write_text(yaml.safe_dump(data), encoding="utf-8")  # edited by hand
    with pytest.raises(UsersFileError, match="could never sign in; rename it 'bob'"):
        load_users(users)
    with pytest.raises(UsersFileError, match="empty"):
        add_user(tmp_path / "other.yml", "  ", "auditor", "s3cret-pass")


def test_a_missing_users_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(UsersFileError, match="amicable users add"):
        load_users(tmp_path / "none.yml")


def test_an_agent_needs_an_agent_id_and_only_agents_have_one(tmp_path: Path) -> None:
    with pytest.raises(UsersFileError, match="--agent-id"):
        add_user(tmp_path / "u.yml", "bob", "agent", "an0ther-pass")
    with pytest.raises(UsersFileError, match="--agent-id"):
        add_user(tmp_path / "u.yml", "eve", "finance", "an0ther-pass", agent_id="A1")
