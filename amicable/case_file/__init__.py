"""The auditor's case file: every source record of one case in time order, with the rule
verdict beside each contact, the reconciliation of its figures to the source rows, and its
exports (CSV, PDF), each logged beside the warehouse.

    with duckdb.connect(str(warehouse), read_only=True) as con:
        case_file = load_case_file(con, "CS00000101")
    case_file.reconciliation.ok            # counts and amounts agree with the source rows
    export = export_case_file(case_file, "pdf", user="auditor")   # bytes, logged
    list_exports(warehouse)                # who exported what, when, with its sha256

The records and verdicts are computed in dbt (marts.fct_case_file, marts.dim_cases); this
package selects one case, reconciles it, adds its case scores (information, never evidence),
renders and logs.
"""

from amicable.case_file.export_log import (
    FORMATS,
    Export,
    ExportRecord,
    export_case_file,
    list_exports,
)
from amicable.case_file.load import (
    BREACH_COLUMNS,
    NO_SCORES,
    RECORD_COLUMNS,
    SCORE_COLUMNS,
    SCORES_TITLE,
    CaseFile,
    CaseFileError,
    CaseNotFound,
    Provenance,
    load_case_file,
)
from amicable.case_file.pdf import to_pdf
from amicable.case_file.reconcile import LINE_COLUMNS, Reconciliation
from amicable.case_file.tables import score_lines, to_csv

__all__ = [
    "BREACH_COLUMNS",
    "FORMATS",
    "LINE_COLUMNS",
    "NO_SCORES",
    "RECORD_COLUMNS",
    "SCORES_TITLE",
    "SCORE_COLUMNS",
    "CaseFile",
    "CaseFileError",
    "CaseNotFound",
    "Export",
    "ExportRecord",
    "Provenance",
    "Reconciliation",
    "export_case_file",
    "list_exports",
    "load_case_file",
    "score_lines",
    "to_csv",
    "to_pdf",
]
