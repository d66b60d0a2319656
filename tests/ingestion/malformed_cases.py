"""The malformed-input battery, as data: one case per input a new user might drop in the landing
zone (issue 20's 53 inputs and their variants), each with the load record expected for every
file it writes: (status, rows read, rows loaded, rows quarantined), and a fragment of the reason
the run gives. `test_malformed_inputs.py` runs every case in its own landing zone.

A file's content is text (written as UTF-8), bytes (written as is), `FOLDER` (a folder named
like a file) or `BROKEN_LINK` (a link to nothing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FOLDER = object()
BROKEN_LINK = object()

Counts = tuple[str, int, int, int]  # status, rows read, rows loaded, rows quarantined


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, object]
    expected: dict[str, Counts]
    message: str = ""  # a fragment of a quarantine or load-log reason of the run
    ignored: tuple[str, ...] = ()  # entries that are not part of the landing zone
    extra: dict[str, object] = field(default_factory=dict)  # files written, not checked


# --- contents ---------------------------------------------------------------------------------

INVOICES = "erp/invoices_2026-01-01T0200.csv"
INVOICE_HEADER = (
    "invoice_id,debtor_id,invoice_number,document_type,reference_invoice_id,"
    "issue_date,due_date,amount,currency,updated_at"
)


def invoice(n: int, amount: str = "10.00", **changes: str) -> str:
    row = {
        "invoice_id": f"I{n}",
        "debtor_id": "D1",
        "invoice_number": f"N{n}",
        "document_type": "invoice",
        "reference_invoice_id": "",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "amount": amount,
        "currency": "EUR",
        "updated_at": "2026-01-01T00:00:00Z",
    } | changes
    return ",".join(row.values())


def invoices(*rows: str, header: str = INVOICE_HEADER, end: str = "\n") -> str:
    return end.join([header, *rows]) + end


CUSTOMERS = "erp/customers_2026-01-01T0200.csv"
CUSTOMER_HEADER = (
    "debtor_id,name,segment,country,timezone,email,phone,credit_limit,currency,updated_at"
)


def customer(n: int, credit_limit: str = "500.00") -> str:
    return f"D{n},Ann,B2B,FR,Europe/Paris,,,{credit_limit},EUR,2026-01-01T00:00:00Z"


CALLS = "contacts/calls_2026-01-01T0200.csv"
CALL_HEADER = "contact_id,case_id,debtor_id,agent_id,direction,started_at,duration_s,outcome"


def call(n: int, duration: str = "60") -> str:
    return f"K{n},C1,D1,A1,outbound,2026-01-01T09:00:00Z,{duration},no_answer"


FX = "fx/fx_rates_2026-01-01T0200.csv"


def fx(*rates: str) -> str:
    rows = [f"2026-01-0{i},USD,{rate}" for i, rate in enumerate(rates, 1)]
    return "\n".join(["rate_date,currency,rate_to_reporting", *rows]) + "\n"


CASES = "cases/cases_2026-01-01T0200.jsonl"


def case(n: int, **changes: object) -> str:
    row: dict[str, object] = {
        "case_id": f"C{n}",
        "debtor_id": "D1",
        "opened_at": "2026-01-01T00:00:00Z",
        "placed_amount": "100.00",
        "currency": "EUR",
        "strategy": "standard",
        "agent_id": "A1",
        "jurisdiction": "FR",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    return json.dumps(row | changes)


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


EVENTS = "cases/case_events_2026-01-01T0200.jsonl"


def event(n: int, payload: object) -> str:
    return json.dumps(
        {
            "event_id": f"E{n}",
            "case_id": "C1",
            "occurred_at": "2026-01-01T09:00:00Z",
            "event_type": "promise_made",
            "actor_id": "A1",
            "payload": payload,
        }
    )


PROMISE = {"promise_id": "P1", "amount": "10.00", "currency": "EUR", "promised_date": "2026-02-01"}
MESSAGES = "contacts/messages_2026-01-01T0200.jsonl"


def message(n: int, channel: str = "email") -> str:
    return json.dumps(
        {
            "contact_id": f"M{n}",
            "case_id": "C1",
            "debtor_id": "D1",
            "channel": channel,
            "direction": "outbound",
            "sent_at": "2026-01-01T09:00:00Z",
            "outcome": "sent",
        }
    )


BANK = "bank/statement_EUR_2026-01-01T0200.xml"
NTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-01-05</Dt></BookgDt><ValDt><Dt>2026-01-05</Dt></ValDt>
<AcctSvcrRef>{ref}</AcctSvcrRef></Ntry>"""


def camt(*amounts: str, prolog: str = "", namespace: str = "camt.053.001.02") -> str:
    entries = "".join(NTRY.format(amount=a, ref=f"B{i}") for i, a in enumerate(amounts, 1))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{namespace}"><BkToCstmrStmt>'
        "<Stmt><Id>S1</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>"
        f"{entries}</Stmt></BkToCstmrStmt></Document>\n"
    )


XXE = '<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE Document [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
).replace("&lol0;", "&lol;")
EXTERNAL_DTD = '<!DOCTYPE Document SYSTEM "http://example.invalid/camt.dtd">'

BIG = "x" * 200_000  # over the csv module's default 128 KB field limit
HUGE = "1000000000000000000000000.00"
DEEP = "[" * 100_000 + "]" * 100_000
NOT_UTF8_AT = 3000  # the line of the first Latin-1 byte
LATIN1 = (
    invoices(*(invoice(i) for i in range(1, NOT_UTF8_AT - 1))).encode()
    + invoice(NOT_UTF8_AT - 1).replace("D1", "Soci\xe9t\xe9").encode("latin-1")
    + b"\n"
)
LATIN1_OFFSET = LATIN1.index(b"\xe9")

OK = "loaded"
REJ = "rejected"

CASES_BATTERY: list[Case] = [
    # --- values too big for their column (item 2) ---
    Case("amount too big", {INVOICES: invoices(invoice(1), invoice(2, HUGE), invoice(3))},
         {INVOICES: (OK, 3, 2, 1)}, "too large for decimal(18, 2)"),
    Case("amount of 17 integer digits", {INVOICES: invoices(invoice(1, "12345678901234567.00"))},
         {INVOICES: (OK, 1, 0, 1)}, "at most 16 digits before the dot"),
    Case("amount at the column's limit loads",
         {INVOICES: invoices(invoice(1, "9999999999999999.99"))}, {INVOICES: (OK, 1, 1, 0)}),
    Case("optional credit limit too big",
         {CUSTOMERS: lines(CUSTOMER_HEADER, customer(1), customer(2, HUGE))},
         {CUSTOMERS: (OK, 2, 1, 1)}, "too large for decimal(18, 2)"),
    Case("fx rate too big", {FX: fx("0.9", "123456789012345.5")}, {FX: (OK, 2, 1, 1)},
         "too large for decimal(24, 10)"),
    Case("integer too big", {CALLS: lines(CALL_HEADER, call(1), call(2, "9" * 20))},
         {CALLS: (OK, 2, 1, 1)}, "too large for a bigint"),
    Case("integer 2**63", {CALLS: lines(CALL_HEADER, call(1, str(2**63)))},
         {CALLS: (OK, 1, 0, 1)}, "too large for a bigint"),
    Case("integer 2**63 - 1 loads", {CALLS: lines(CALL_HEADER, call(1, str(2**63 - 1)))},
         {CALLS: (OK, 1, 1, 0)}),
    Case("JSON amount too big as a number", {CASES: lines(case(1), case(2).replace(
         '"placed_amount": "100.00"', f'"placed_amount": {HUGE}'))},
         {CASES: (OK, 2, 1, 1)}, "too large for decimal(18, 2)"),
    Case("payload amount too big", {EVENTS: lines(event(1, PROMISE),
         event(2, PROMISE | {"amount": HUGE}))},
         {EVENTS: (OK, 2, 1, 1)}, "payload.amount of promise_made: too large"),
    Case("bank amount too big", {BANK: camt("12.00", HUGE)}, {BANK: (OK, 2, 1, 1)},
         "too large for decimal(18, 2)"),
    # --- JSON the standard library cannot or should not take (item 2) ---
    Case("JSON nested 100,000 deep", {CASES: lines(case(1), DEEP, case(3))},
         {CASES: (OK, 3, 2, 1)}, "nested too deeply"),
    Case("JSON object nested 100,000 deep", {CASES: lines('{"a":' * 100_000 + "1" + "}" * 100_000)},
         {CASES: (OK, 1, 0, 1)}, "nested too deeply"),
    Case("JSON nested 40 deep", {CASES: lines(case(1), case(2, strategy=json.loads(
         "[" * 40 + "]" * 40)))}, {CASES: (OK, 2, 1, 1)}, "nested deeper than 32"),
    Case("payload nested 40 deep", {EVENTS: lines(event(1, PROMISE | {"x": json.loads(
         "[" * 40 + "]" * 40)}))}, {EVENTS: (OK, 1, 0, 1)}, "nested deeper than 32"),
    Case("lone high surrogate escape", {CASES: lines(case(1), case(2, strategy="x\ud800y"))},
         {CASES: (OK, 2, 1, 1)}, "half a UTF-16 surrogate pair"),
    Case("lone low surrogate escape in a key", {CASES: lines(json.dumps({"\udfff": 1}), case(2))},
         {CASES: (OK, 2, 1, 1)}, "half a UTF-16 surrogate pair"),
    Case("surrogate pair escape loads", {CASES: lines(case(1, strategy="\U0001f600"))},
         {CASES: (OK, 1, 1, 0)}),
    Case("line not JSON", {CASES: lines(case(1), '{"case_id": "C2",', case(3))},
         {CASES: (OK, 3, 2, 1)}, "line is not JSON"),
    Case("JSON line is an array", {CASES: lines("[1, 2]")}, {CASES: (OK, 1, 0, 1)},
         "not a JSON object"),
    Case("JSON NaN amount", {CASES: lines(case(1).replace('"100.00"', "NaN"))},
         {CASES: (OK, 1, 0, 1)}, "not a number"),
    Case("JSON number in exponent form", {CASES: lines(case(1).replace('"100.00"', "1e+30"))},
         {CASES: (OK, 1, 0, 1)}, "not a number"),
    Case("JSON line with U+2028 inside a string", {CASES: lines(case(1, strategy="a\u2028b"))
         .replace("\\u2028", "\u2028")}, {CASES: (OK, 1, 1, 0)}),
    Case("JSON lines with CRLF", {CASES: lines(case(1), case(2)).replace("\n", "\r\n")},
         {CASES: (OK, 2, 2, 0)}),
    Case("JSON lines of blank lines", {CASES: "\n\n  \n"}, {CASES: (OK, 0, 0, 0)}),
    Case("unknown message channel", {MESSAGES: lines(message(1), message(2, "fax"))},
         {MESSAGES: (OK, 2, 1, 1)}, "must be one of email"),
    # --- CSV fields over 128 KB (item 2) ---
    Case("128 KB field in a ragged row",
         {INVOICES: invoices(invoice(1), invoice(2, f"12,{BIG}"), invoice(3))},
         {INVOICES: (OK, 3, 2, 1)}, "row has 11 fields, the header has 10"),
    Case("128 KB field under a wrong header",
         {INVOICES: invoices(invoice(1, BIG), invoice(2), header=INVOICE_HEADER + ",x")},
         {INVOICES: (REJ, 2, 0, 2)}, "unexpected column(s) x"),
    Case("128 KB text field loads", {INVOICES: invoices(invoice(1, invoice_number=BIG))},
         {INVOICES: (OK, 1, 1, 0)}),
    Case("128 KB field in a quoted multi-line record",
         {INVOICES: invoices(invoice(1, invoice_number=f'"{BIG}\n{BIG}"'), invoice(2))},
         {INVOICES: (OK, 2, 2, 0)}),
    # --- quotes (item 5) ---
    Case("unterminated quote in the middle",
         {INVOICES: invoices(invoice(1), invoice(2, invoice_number='"N2'), invoice(3), invoice(4))},
         {INVOICES: (OK, 4, 3, 1)}, "unterminated quote"),
    Case("unterminated quote on the last line",
         {INVOICES: invoices(invoice(1), invoice(2), invoice(3, invoice_number='"N3'))},
         {INVOICES: (OK, 3, 2, 1)}, "unterminated quote"),
    Case("unterminated quote then a quoted field",
         {INVOICES: invoices(invoice(1, invoice_number='"N1'), invoice(2),
                             invoice(3, invoice_number='"N3"'))},
         {INVOICES: (OK, 3, 2, 1)}, "unterminated quote"),
    Case("quoted field over two lines loads",
         {INVOICES: invoices(invoice(1, invoice_number='"N1\nsecond"'), invoice(2))},
         {INVOICES: (OK, 2, 2, 0)}),
    Case("quote inside an unquoted field loads",
         {INVOICES: invoices(invoice(1, invoice_number='5" screen'))}, {INVOICES: (OK, 1, 1, 0)}),
    # --- rows of the wrong width (item 6) ---
    Case("short row", {INVOICES: invoices(invoice(1), invoice(2).rsplit(",", 1)[0], invoice(3))},
         {INVOICES: (OK, 3, 2, 1)}, "row has 9 fields, the header has 10"),
    Case("one-field row", {INVOICES: invoices(invoice(1), "I2")}, {INVOICES: (OK, 2, 1, 1)},
         "row has 1 fields, the header has 10"),
    Case("decimal comma makes a long row", {INVOICES: invoices(invoice(1, "12,50"))},
         {INVOICES: (OK, 1, 0, 1)}, "row has 11 fields"),
    Case("empty last field is a value, not a short row",
         {INVOICES: invoices(invoice(1), invoice(2, updated_at=""))}, {INVOICES: (OK, 2, 1, 1)},
         "required field is empty"),
    # --- empty and odd files (item 6) ---
    Case("file of blank lines", {INVOICES: "\n\n\n"}, {INVOICES: (REJ, 0, 0, 0)},
         "empty, no header row"),
    Case("empty file", {INVOICES: ""}, {INVOICES: (REJ, 0, 0, 0)}, "empty, no header row"),
    Case("header only", {INVOICES: invoices()}, {INVOICES: (OK, 0, 0, 0)}),
    Case("blank lines between rows", {INVOICES: invoices(invoice(1), "", invoice(2), "")},
         {INVOICES: (OK, 2, 2, 0)}),
    Case("CRLF line ends", {INVOICES: invoices(invoice(1), invoice(2), end="\r\n")},
         {INVOICES: (OK, 2, 2, 0)}),
    Case("no newline at the end", {INVOICES: invoices(invoice(1), invoice(2)).rstrip("\n")},
         {INVOICES: (OK, 2, 2, 0)}),
    Case("columns in another order", {INVOICES: invoices(
         ",".join(reversed(invoice(1).split(","))),
         header=",".join(reversed(INVOICE_HEADER.split(","))))}, {INVOICES: (OK, 1, 1, 0)}),
    Case("repeated header column", {INVOICES: invoices(invoice(1) + ",x",
         header=INVOICE_HEADER + ",amount")}, {INVOICES: (REJ, 1, 0, 1)},
         "repeated column(s) amount"),
    Case("NUL byte in a text field", {INVOICES: invoices(invoice(1, invoice_number="N\x001"))},
         {INVOICES: (OK, 1, 1, 0)}),
    # --- encodings (item 6) ---
    Case("UTF-8 BOM in CSV", {INVOICES: "\ufeff" + invoices(invoice(1), invoice(2))},
         {INVOICES: (OK, 2, 2, 0)}),
    Case("UTF-8 BOM in JSON lines", {CASES: "\ufeff" + lines(case(1), case(2))},
         {CASES: (OK, 2, 2, 0)}),
    Case("not UTF-8 far into the file", {INVOICES: LATIN1}, {INVOICES: (REJ, 0, 0, 0)},
         f"byte 0xe9 at line {NOT_UTF8_AT}, offset {LATIN1_OFFSET} of the file"),
    Case("UTF-16 CSV", {INVOICES: invoices(invoice(1)).encode("utf-16")},
         {INVOICES: (REJ, 0, 0, 0)}, "not UTF-8 text (byte 0xff at line 1, offset 0"),
    Case("not UTF-8 JSON lines", {CASES: (lines(case(1)) + lines(case(2))).encode()
         + "caf\xe9\n".encode("latin-1")}, {CASES: (REJ, 0, 0, 0)}, "at line 3, offset"),
    Case("lone surrogate as raw bytes", {INVOICES: invoices(invoice(1)).encode()
         + b"I2,\xed\xa0\x80\n"}, {INVOICES: (REJ, 0, 0, 0)}, "byte 0xed at line 3"),
    # --- XML (item 6) ---
    Case("XXE", {BANK: camt("12.00", prolog=XXE)}, {BANK: (REJ, 0, 0, 0)}, "(XXE)"),
    Case("billion laughs", {BANK: camt("12.00", prolog=LAUGHS)}, {BANK: (REJ, 0, 0, 0)},
         "billion laughs"),
    Case("external DTD is never fetched, the statement loads",
         {BANK: camt("12.00", prolog=EXTERNAL_DTD)}, {BANK: (OK, 1, 1, 0)}),
    Case("malformed XML", {BANK: camt("12.00").replace("</Stmt>", "</Stmtx>")},
         {BANK: (REJ, 0, 0, 0)}, "malformed XML at line"),
    Case("XML that is not camt.053", {BANK: camt("12.00", namespace="pain.001.001.03")},
         {BANK: (REJ, 0, 0, 0)}, "not a camt.053 document"),
    Case("camt.053 with a decimal comma", {BANK: camt("12.00", "12,50")},
         {BANK: (OK, 2, 1, 1)}, "not a number"),
    # --- file names (items 3 and 4) ---
    Case("no extraction timestamp", {"erp/invoices_final.csv": invoices(invoice(1), invoice(2))},
         {"erp/invoices_final.csv": (REJ, 2, 0, 2)}, "no extraction timestamp"),
    Case("extraction timestamp that is no date",
         {"erp/invoices_2026-13-45T9999.csv": invoices(invoice(1))},
         {"erp/invoices_2026-13-45T9999.csv": (REJ, 1, 0, 1)}, "no extraction timestamp"),
    Case("timestamp not at the end", {"erp/invoices_2026-01-01T0200_v2.csv": invoices(invoice(1))},
         {"erp/invoices_2026-01-01T0200_v2.csv": (REJ, 1, 0, 1)}, "no extraction timestamp"),
    Case("bank statement without a timestamp", {"bank/statement.xml": camt("1.00", "2.00")},
         {"bank/statement.xml": (REJ, 2, 0, 2)}, "expected bank/<name>_YYYY-MM-DDTHHMM.xml"),
    Case("name matching no pattern", {"erp/invoices.csv": invoices(invoice(1), invoice(2))},
         {"erp/invoices.csv": (REJ, 2, 0, 2)}, "matches no source file pattern"),
    Case("upper-case extension loads",
         {"erp/invoices_2026-01-01T0200.CSV": invoices(invoice(1), invoice(2))},
         {"erp/invoices_2026-01-01T0200.CSV": (OK, 2, 2, 0)}),
    Case("upper-case name loads", {"erp/INVOICES_2026-01-01t0200.csv": invoices(invoice(1))},
         {"erp/INVOICES_2026-01-01t0200.csv": (OK, 1, 1, 0)}),
    Case("folder named like a source file", {INVOICES: FOLDER}, {INVOICES: (REJ, 0, 0, 0)},
         "a folder, not a file"),
    Case("file in a sub-folder", {"erp/archive/invoices_2026-01-01T0200.csv": invoices(invoice(1))},
         {"erp/archive/invoices_2026-01-01T0200.csv": (REJ, 1, 0, 1)}, "in a sub-folder of erp/"),
    Case("file in an unknown folder", {"crm/contacts.csv": "a,b\n1,2\n"},
         {"crm/contacts.csv": (REJ, 1, 0, 1)}, "not in a source folder"),
    Case("file at the top of the landing zone", {"readme.txt": "hello\n"},
         {"readme.txt": (REJ, 0, 0, 0)}, "not in a source folder"),
    Case("file of another format in a source folder", {"erp/notes.txt": "hello\n"},
         {"erp/notes.txt": (REJ, 0, 0, 0)}, "matches no source file pattern"),
    Case("JSON lines named .json", {"cases/cases_2026-01-01T0200.json": lines(case(1))},
         {"cases/cases_2026-01-01T0200.json": (REJ, 0, 0, 0)}, "matches no source file pattern"),
    Case("broken link named like a source file", {INVOICES: BROKEN_LINK},
         {INVOICES: (REJ, 0, 0, 0)}, "file unreadable"),
    Case("tools' own entries are not part of the landing zone",
         {CALLS: lines(CALL_HEADER, call(1))}, {CALLS: (OK, 1, 1, 0)},
         ignored=("_labels/summary.json", ".DS_Store"),
         extra={"_labels/summary.json": "{}", ".DS_Store": b"\x00\x01"}),
    # --- row values, for completeness ---
    Case("negative amount", {INVOICES: invoices(invoice(1, "-5.00"))}, {INVOICES: (OK, 1, 0, 1)},
         "must be a positive number"),
    Case("impossible date", {INVOICES: invoices(invoice(1, issue_date="2026-02-30"))},
         {INVOICES: (OK, 1, 0, 1)}, "not a date"),
    Case("timestamp without a zone", {INVOICES: invoices(invoice(1,
         updated_at="2026-01-01T00:00:00"))}, {INVOICES: (OK, 1, 0, 1)}, "not a UTC timestamp"),
]  # fmt: skip
