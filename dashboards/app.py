"""amicable's Streamlit app: `streamlit run dashboards/app.py` (or `amicable serve`).

The entry point only routes: each page is a script under `dashboards/pages/`. The warehouse
file comes from the `AMICABLE_WAREHOUSE` environment variable, read by the pages on each run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).with_name("pages")


def pages() -> dict[str, list[st.Page]]:
    """The app's pages by section; add a page here and a script under `pages/`."""
    return {
        "Finance": [
            st.Page(
                PAGES_DIR / "ageing.py",
                title="Ledger ageing",
                icon=":material/hourglass_bottom:",
                url_path="ageing",
                default=True,
            ),
        ],
    }


def main() -> None:
    st.set_page_config(page_title="amicable", page_icon=":material/account_balance:", layout="wide")
    st.navigation(pages()).run()


main()
