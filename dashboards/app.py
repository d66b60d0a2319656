"""amicable's Streamlit app: `streamlit run dashboards/app.py` (or `amicable serve`).

The entry point only routes: each page is a script under `dashboards/views/`. The warehouse
file comes from the `AMICABLE_WAREHOUSE` environment variable, read by the pages on each run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).with_name("views")


def pages() -> dict[str, list[st.Page]]:
    """The app's pages by section; add a page here and its script under `views/`.

    (Not `pages/`: Streamlit would also list that folder in its legacy sidebar.)
    """
    return {
        "Finance": [
            st.Page(
                PAGES_DIR / "ageing.py",
                title="Ledger ageing",
                icon=":material/hourglass_bottom:",
                url_path="ageing",
                default=True,
            ),
            st.Page(
                PAGES_DIR / "dso.py",
                title="DSO and CEI",
                icon=":material/timer:",
                url_path="dso",
            ),
        ],
        "Supervisor": [
            st.Page(
                PAGES_DIR / "stuck.py",
                title="Stuck cases",
                icon=":material/pending_actions:",
                url_path="stuck",
            ),
            st.Page(
                PAGES_DIR / "flow.py",
                title="Stage flow",
                icon=":material/account_tree:",
                url_path="flow",
            ),
            st.Page(
                PAGES_DIR / "agents.py",
                title="Agent league table",
                icon=":material/leaderboard:",
                url_path="agents",
            ),
            st.Page(
                PAGES_DIR / "promises.py",
                title="Broken promises",
                icon=":material/money_off:",
                url_path="promises",
            ),
        ],
    }


def main() -> None:
    st.set_page_config(page_title="amicable", page_icon=":material/account_balance:", layout="wide")
    st.navigation(pages()).run()


main()
