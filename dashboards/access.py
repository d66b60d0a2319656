"""Who may see what: roles, the users file, personal-data masking and an agent's own cases.

Roles and what they open (sections of the app, see `dashboards/app.py`):

| role       | Finance | Supervisor          | Auditor | Data health | personal data |
|------------|---------|---------------------|---------|-------------|---------------|
| finance    | yes     | no                  | no      | yes         | masked        |
| supervisor | no      | yes                 | no      | yes         | shown         |
| agent      | no      | yes, own cases only | no      | no          | shown         |
| auditor    | no      | no                  | yes     | yes         | shown         |
| admin      | yes     | yes                 | yes     | yes         | shown         |

The users file is streamlit-authenticator's YAML (`cookie:` and `credentials.usernames.<user>`
with `name`, `email`, a bcrypt `password` hash and `roles: [<one role>]`) plus `agent_id` for
agents, and the optional `sign_in:` section (slow-down after failed sign-ins,
`dashboards.sessions.SignInSettings`); `cookie.expiry_days` is how long a session lasts,
`cookie.name` names the sign-in cookie, `cookie.key` keys the session store (changing it ends
every session) and the optional `cookie.secure: true` sends the cookie over HTTPS only.
`amicable users add` writes it. Plain-text passwords are refused. No Streamlit here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from dashboards.sessions import SignInSettings

USERS_ENV = "AMICABLE_USERS"  # the users file the app signs in against
OPEN_ENV = "AMICABLE_OPEN"  # "1": no sign-in, everyone is admin (`amicable serve --open`)

ROLES: tuple[str, ...] = ("finance", "supervisor", "agent", "auditor", "admin")
SECTIONS: dict[str, frozenset[str]] = {
    "Finance": frozenset({"finance", "admin"}),
    "Supervisor": frozenset({"supervisor", "agent", "admin"}),
    "Auditor": frozenset({"auditor", "admin"}),
    "Data health": frozenset({"finance", "supervisor", "auditor", "admin"}),
}
PERSONAL_DATA_HIDDEN_FROM: frozenset[str] = frozenset({"finance"})
# Columns that always hold personal data (a person's contact details; a quarantined row's raw
# line, which may hold any of its fields).
PERSONAL_COLUMNS: frozenset[str] = frozenset(
    {"debtor_email", "debtor_phone", "email", "phone", "rejected_record"}
)
# Columns naming a debtor: a consumer's (B2C) name is personal data, a business customer's (B2B,
# DESIGN §3 `segment`) is its company name and is not; masked unless the row's `segment` is B2B
# (a frame without `segment` is masked whole).
DEBTOR_NAME_COLUMNS: frozenset[str] = frozenset({"debtor_name", "customer_name"})
BUSINESS_SEGMENT = "B2B"
# A quarantined field's value (`rejected_value`) is personal when its contract field is (a
# currency code such as 'EUX' is not); masked unless the row's `field` is none of these.
PERSONAL_FIELDS: frozenset[str] = frozenset(
    {"name", "email", "phone", "counterparty_name", "counterparty_iban", "remittance_info"}
)
MASK = "•••"


class UsersFileError(Exception):
    """The users file is missing or malformed; the message names the file and the user."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: `agent_id` is set for (and only for) the agent role."""

    username: str
    name: str
    role: str
    agent_id: str | None = None

    def can_open(self, section: str) -> bool:
        return self.role in SECTIONS.get(section, frozenset())

    @property
    def sees_personal_data(self) -> bool:
        return self.role not in PERSONAL_DATA_HIDDEN_FROM

    @property
    def is_agent(self) -> bool:
        return self.role == "agent"


OPEN_VIEWER = Viewer(username="local", name="Local user (open access)", role="admin")


def open_access(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get(OPEN_ENV, "") == "1"


def mask_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with personal data replaced by `MASK` (non-null values only): contact details and
    raw rows always, a debtor's name unless the row is a business's (B2B), a rejected value
    unless its field holds no personal data. Company names and codes stay readable."""
    every_row = pd.Series(True, index=frame.index)
    hidden = {column: every_row for column in frame.columns if column in PERSONAL_COLUMNS}
    for column in DEBTOR_NAME_COLUMNS & set(frame.columns):
        segment = frame.get("segment")
        hidden[column] = every_row if segment is None else segment.ne(BUSINESS_SEGMENT)
    if "rejected_value" in frame.columns:
        field = frame.get("field")
        hidden["rejected_value"] = (
            every_row if field is None else field.isin(PERSONAL_FIELDS) | field.isna()
        )
    if not hidden:
        return frame
    masked = frame.copy()
    for column, rows in hidden.items():
        masked[column] = masked[column].where(masked[column].isna() | ~rows, MASK)
    return masked


def restrict(frame: pd.DataFrame, viewer: Viewer, own_cases: set[str] | None) -> pd.DataFrame:
    """The rows and columns of `frame` that `viewer` may see.

    An agent sees rows of their own cases only (`own_cases`, by `case_id`), or, in frames
    without a case, their own rows (by `agent_id`); aggregates with neither column (the stage
    flow of every case) name no case and stay whole. Personal-data columns are masked for
    roles that need none.
    """
    if viewer.is_agent:
        if "case_id" in frame.columns:
            frame = frame[frame["case_id"].isin(own_cases or set())]
        elif "agent_id" in frame.columns:
            frame = frame[frame["agent_id"] == viewer.agent_id]
    return frame if viewer.sees_personal_data else mask_personal(frame)


def load_users(path: Path) -> dict[str, Any]:
    """The users file as streamlit-authenticator expects it, validated."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsersFileError(
            f"no users file at {path}: create one with `amicable users add`"
        ) from None
    except (OSError, yaml.YAMLError) as error:
        first = str(error).splitlines()[0]
        raise UsersFileError(f"{path}: cannot be read as YAML: {first}") from None
    if not isinstance(data, dict):
        raise UsersFileError(f"{path}: expected a mapping with `cookie` and `credentials`")
    cookie = data.get("cookie")
    if not isinstance(cookie, dict) or not {"name", "key", "expiry_days"} <= set(cookie):
        raise UsersFileError(f"{path}: `cookie` needs `name`, `key` and `expiry_days`")
    days = cookie["expiry_days"]
    if isinstance(days, bool) or not isinstance(days, int | float) or days <= 0:
        raise UsersFileError(
            f"{path}: `cookie.expiry_days` must be a number of days above 0 (a session's life)"
        )
    if not isinstance(cookie.get("secure", False), bool):
        raise UsersFileError(
            f"{path}: `cookie.secure` must be true or false (true: the cookie only over HTTPS)"
        )
    try:
        SignInSettings.from_mapping(data.get("sign_in"), str(path))
    except ValueError as error:
        raise UsersFileError(str(error)) from None
    users = (data.get("credentials") or {}).get("usernames")
    if not isinstance(users, dict) or not users:
        raise UsersFileError(f"{path}: `credentials.usernames` lists no user")
    for username, user in users.items():
        _check_user(path, str(username), user)
    return data


def viewer_of(users: Mapping[str, Any], username: str) -> Viewer:
    """The `Viewer` of a signed-in user of a validated users file."""
    user = users["credentials"]["usernames"][username]
    return Viewer(
        username=username,
        name=str(user.get("name") or username),
        role=user["roles"][0],
        agent_id=user.get("agent_id"),
    )


def canonical_username(typed: str) -> str:
    """A user name as sign-in compares it (streamlit-authenticator lower-cases what is typed):
    the form the users file must hold, so that `Alice` and `alice` are the same user."""
    return typed.strip().lower()


def _check_user(path: Path, username: str, user: object) -> None:
    where = f"{path}: user {username!r}"
    if username != canonical_username(username):
        raise UsersFileError(
            f"{where}: sign-in compares user names in lower case, so this one could never sign "
            f"in; rename it {canonical_username(username)!r}"
        )
    if not isinstance(user, dict):
        raise UsersFileError(f"{where}: expected a mapping")
    password = str(user.get("password") or "")
    if not password.startswith(("$2a$", "$2b$", "$2y$")):
        raise UsersFileError(
            f"{where}: `password` is not a bcrypt hash; set it with `amicable users add`"
        )
    roles = user.get("roles")
    if not isinstance(roles, list) or len(roles) != 1 or roles[0] not in ROLES:
        raise UsersFileError(f"{where}: `roles` must be one of {', '.join(ROLES)} (a list of one)")
    if (roles[0] == "agent") != bool(user.get("agent_id")):
        raise UsersFileError(f"{where}: `agent_id` is required for agents and only for them")


def check_role(role: str, agent_id: str | None) -> None:
    """A new user's role, and the agent id that the agent role (only it) needs."""
    if role not in ROLES:
        raise UsersFileError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    if (role == "agent") != bool(agent_id):
        raise UsersFileError("--agent-id is required for the agent role and only for it")


def add_user(
    path: Path,
    username: str,
    role: str,
    password: str,
    *,
    name: str = "",
    email: str = "",
    agent_id: str | None = None,
) -> str:
    """Add or replace a user in the users file (created, with a random cookie key, if absent),
    under its name in lower case (`canonical_username`, which it returns).

    The password is stored as a bcrypt hash only.
    """
    import secrets

    import bcrypt

    username = canonical_username(username)
    if not username:
        raise UsersFileError("the user name is empty")
    check_role(role, agent_id)
    if len(password) < 8:
        raise UsersFileError("the password needs at least 8 characters")
    if path.exists():
        data = load_users(path)
    else:
        cookie = {"name": "amicable_auth", "key": secrets.token_hex(32), "expiry_days": 1}
        sign_in = asdict(SignInSettings())
        data = {"cookie": cookie, "sign_in": sign_in, "credentials": {"usernames": {}}}
    user: dict[str, Any] = {
        "name": name or username,
        "email": email,
        # Hashed as streamlit_authenticator.Hasher.hash does; imported here, that package
        # would print Streamlit's "missing ScriptRunContext" warnings in the command line.
        "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode(),
        "roles": [role],
    }
    if agent_id:
        user["agent_id"] = agent_id
    data["credentials"]["usernames"][username] = user
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)
    return username
