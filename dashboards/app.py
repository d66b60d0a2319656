"""amicable's Streamlit app: `streamlit run dashboards/app.py` (or `amicable serve`).

The entry point only routes: each page is a script under `dashboards/views/`. The warehouse
file comes from the `AMICABLE_WAREHOUSE` environment variable, read by the pages on each run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboards.access import Viewer
from dashboards.signin import sign_in

PAGES_DIR = Path(__file__).with_name("views")
SIGNED_IN_RUN_KEY = "amicable_signed_in_run"  # this session has run signed in


@dataclass(frozen=True)
class PageSpec:
    """One page: its section (roles open sections, `dashboards.access.SECTIONS`), its script
    under `views/` (not `pages/`: Streamlit would list that folder in a legacy sidebar)."""

    section: str
    script: str
    title: str
    icon: str
    url_path: str


# The app's pages in menu order; the first page a viewer may open is their start page.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("Finance", "ageing.py", "Ledger ageing", ":material/hourglass_bottom:", "ageing"),
    PageSpec("Finance", "dso.py", "DSO and CEI", ":material/timer:", "dso"),
    PageSpec(
        "Finance", "waterfall.py", "Ageing waterfall", ":material/waterfall_chart:", "waterfall"
    ),
    PageSpec("Finance", "recovery.py", "Recovery curves", ":material/trending_up:", "recovery"),
    PageSpec("Finance", "cash.py", "Expected cash", ":material/payments:", "cash"),
    PageSpec("Finance", "debtors.py", "Top debtors", ":material/groups:", "debtors"),
    PageSpec("Finance", "claims.py", "Late-payment claims", ":material/percent:", "claims"),
    PageSpec("Finance", "rolls.py", "Roll rates", ":material/swap_vert:", "rolls"),
    PageSpec("Supervisor", "stuck.py", "Stuck cases", ":material/pending_actions:", "stuck"),
    PageSpec("Supervisor", "queue.py", "Work queue", ":material/format_list_numbered:", "queue"),
    PageSpec("Supervisor", "flow.py", "Stage flow", ":material/account_tree:", "flow"),
    PageSpec("Supervisor", "agents.py", "Agent league table", ":material/leaderboard:", "agents"),
    PageSpec("Supervisor", "promises.py", "Broken promises", ":material/heart_broken:", "promises"),
    PageSpec("Supervisor", "channels.py", "Channels", ":material/campaign:", "channels"),
    PageSpec("Auditor", "breaches.py", "Compliance breaches", ":material/gavel:", "breaches"),
    PageSpec("Auditor", "casefile.py", "Case file", ":material/folder_open:", "casefile"),
    PageSpec("Data health", "health.py", "Data health", ":material/monitor_heart:", "health"),
)


def pages(viewer: Viewer) -> dict[str, list[st.Page]]:
    """The pages `viewer` may open, by section."""
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        if viewer.can_open(spec.section):
            sections.setdefault(spec.section, []).append(_page(spec))
    return sections


def _page(spec: PageSpec) -> st.Page:
    return st.Page(
        PAGES_DIR / spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path
    )


def _keep_the_addressed_page() -> st.Page:
    """Declare every page (hidden, none run) before the sign-in: the page in the address is
    then the session's page from the first run on; returns it (the sign-in sends the browser
    back to it). Without it, a run that ends before `st.navigation` (the sign-in form) sends
    the browser to the start page, so a shared link (`/flow?segment=B2C`) would open the start
    page with the other page's filters. Signed in, `pages(viewer)` decides: the addressed page
    opens if the role may open it."""
    return st.navigation([_page(spec) for spec in PAGES], position="hidden")


def _open_the_start_page_by_itself(addressed: st.Page, sections: dict[str, list[st.Page]]) -> None:
    """On a session's first signed-in run, an address naming the viewer's start page by its
    path (`/breaches?rule=...` for an auditor; a sign-in sends them back there) is switched to
    that page, keeping the parameters. Streamlit serves the start page at the root and, in the
    run that opens an address, finds pages by their path: it would say "Page not found" over
    the right page. A switch finds it by the page itself (and the run after it is not the
    first signed-in run)."""
    first = not st.session_state.get(SIGNED_IN_RUN_KEY)
    st.session_state[SIGNED_IN_RUN_KEY] = True
    start = next(iter(sections.values()))[0]
    if first and addressed.url_path and addressed.url_path == start.url_path:
        st.switch_page(addressed, query_params=st.query_params.to_dict())


def not_allowed(addressed: st.Page, viewer: Viewer) -> PageSpec | None:
    """The page of the address when `viewer`'s role may not open it (the root address is
    everyone's start page), else None."""
    for spec in PAGES:
        if addressed.url_path and spec.url_path == addressed.url_path:
            return None if viewer.can_open(spec.section) else spec
    return None


def _refusal(spec: PageSpec, viewer: Viewer) -> st.Page:
    """A page at `spec`'s address that says the viewer's role may not open it. It takes the
    refused page's address, so the address stays and the runs that follow (the cookie's) keep
    saying it, instead of Streamlit's silent fall-back to the start page."""

    def refuse() -> None:
        st.title("Not allowed")
        st.error(
            f"The {viewer.role} role may not open {spec.title} ({spec.section} pages): "
            "choose a page in the menu.",
            icon=":material/block:",
        )

    return st.Page(refuse, title="Not allowed", icon=":material/block:", url_path=spec.url_path)


def main() -> None:
    st.set_page_config(page_title="amicable", page_icon=":material/account_balance:", layout="wide")
    addressed = _keep_the_addressed_page()
    viewer = sign_in(addressed.url_path)
    if viewer is None:
        return
    sections = pages(viewer)
    _open_the_start_page_by_itself(addressed, sections)
    refused = not_allowed(addressed, viewer)
    if refused is not None:
        sections[""] = [_refusal(refused, viewer)]
    # Every page stays listed: collapsed, Streamlit hides the pages past its tenth behind a
    # "View more" button, and the page open may be one of them.
    st.navigation(sections, expanded=True).run()


if __name__ == "__main__":  # Streamlit runs this file as __main__; tests import pages()
    main()
