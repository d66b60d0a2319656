"""Plotly figure builders for the dashboards: pure functions, no Streamlit, no SQL.

Modules by page group: `core` (colours, the clickable layout, reading a click back from the
selection state), `finance`, `supervisor`, `auditor`. Every public name is re-exported here,
so pages and tests use `charts.<name>`.
"""

from dashboards.charts.auditor import breaches_by_rule_chart
from dashboards.charts.core import (
    BAR_COLOUR,
    CLICKABLE_LAYOUT,
    FADED_OPACITY,
    SELECTED_COLOUR,
    x_from_selection,
)
from dashboards.charts.finance import (
    BUCKET_SCALE,
    CASH_SERIES,
    DSO_SERIES,
    MAX_MONTH_TICKS,
    WATERFALL_LABELS,
    ageing_bar_chart,
    agent_segment_from_selection,
    ar_waterfall_chart,
    bucket_colours,
    bucket_from_selection,
    bucket_mix_chart,
    cash_expected_chart,
    cei_chart,
    cohort_from_selection,
    dso_trend_chart,
    liquidation_chart,
    month_from_selection,
    ordered_buckets,
    recovery_curves_chart,
    roll_rate_heatmap,
    snapshot_bucket_from_selection,
    step_from_selection,
)
from dashboards.charts.supervisor import (
    LINK_COLOUR,
    SELECTED_LINK_COLOUR,
    STAGE_ORDER,
    agent_bar_chart,
    stage_nodes,
    stage_sankey,
)

__all__ = [
    "BAR_COLOUR",
    "BUCKET_SCALE",
    "CASH_SERIES",
    "CLICKABLE_LAYOUT",
    "DSO_SERIES",
    "FADED_OPACITY",
    "LINK_COLOUR",
    "MAX_MONTH_TICKS",
    "SELECTED_COLOUR",
    "SELECTED_LINK_COLOUR",
    "STAGE_ORDER",
    "WATERFALL_LABELS",
    "ageing_bar_chart",
    "agent_bar_chart",
    "agent_segment_from_selection",
    "ar_waterfall_chart",
    "breaches_by_rule_chart",
    "bucket_colours",
    "bucket_from_selection",
    "bucket_mix_chart",
    "cash_expected_chart",
    "cei_chart",
    "cohort_from_selection",
    "dso_trend_chart",
    "liquidation_chart",
    "month_from_selection",
    "ordered_buckets",
    "recovery_curves_chart",
    "roll_rate_heatmap",
    "snapshot_bucket_from_selection",
    "stage_nodes",
    "stage_sankey",
    "step_from_selection",
    "x_from_selection",
]
