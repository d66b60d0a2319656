"""ISO 20022 camt.053.001.02 bank statements: one file per month and currency account, or
with the nightly file pattern (`--daily`) one per bank day with entries.

Besides the debtors' transfers and refunds (from the spool), each month carries the account's
own movements: a few receipts nobody can allocate (unallocated cash), and for complete months
the bank's fees and a sweep to the treasury account on the last bank day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from random import Random
from xml.sax.saxutils import escape, quoteattr

from sample_data.days import DAY, Clock, bank_on_or_before, is_bank_day, stamp
from sample_data.world import french_bban, iban
from sample_data.writers import BankSpool, SpoolEntry

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
ACCOUNTS = {  # currency -> (IBAN, BIC, opening balance in cents)
    "EUR": (iban("FR", french_bban("30004", "00823", "00012345678")), "BNPAFRPPXXX", 18_000_000),
    "USD": (iban("GB", "HBUK40127612345678"), "HBUKGB4BXXX", 9_500_000),
    "GBP": (iban("GB", "BARC20000055779911"), "BARCGB22XXX", 6_000_000),
}
TREASURY = (
    "Amicable Demo Trading Treasury",
    iban("FR", french_bban("30004", "00823", "00099887766")),
)
UNKNOWN_PAYERS = ("J SMITH", "PAYMENT SERVICES LTD", "M. DUPONT", "K MUELLER", "CASH DEPOSIT")
TX_CODES = {
    "receipt": ("PMNT", "RCDT", "ESCT"),
    "transfer": ("PMNT", "ICDT", "ESCT"),
    "fee": ("ACMT", "MDOP", "CHRG"),
}


def _month_end(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1) - DAY


def _money(cents: int) -> str:
    return f"{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _house_entries(
    currency: str, month: date, last: date, seed: int, spooled: list[SpoolEntry], opening: int
) -> list[SpoolEntry]:
    rng = Random(f"{seed}:{currency}:{month.isoformat()}")
    days = (month + timedelta(days=i) for i in range((last - month).days + 1))
    bank_days = [d for d in days if is_bank_day(d)]
    out: list[SpoolEntry] = []
    for k in range(rng.choice((0, 1, 1, 2)) if bank_days else 0):
        day = rng.choice(bank_days)
        ref = f"{currency}{day:%Y%m%d}H{k + 1:05d}"
        name = rng.choice(UNKNOWN_PAYERS)
        text = rng.choice(("TRANSFER", None, f"REF {rng.randint(1000, 9999)}"))
        cents = rng.randint(2_000, 90_000)
        out.append(SpoolEntry(day, day, ref, True, cents, name=name, remittance=text))
    if _month_end(month) > last:  # the month is not over at as_of
        return out
    day = bank_on_or_before(_month_end(month))
    valid = [e for e in spooled + out if e.bad_amount is None]
    credits = [e for e in valid if e.credit]
    fee = 1_500 + 10 * len(credits)
    out.append(
        SpoolEntry(
            day,
            day,
            f"{currency}{day:%Y%m%d}F00001",
            False,
            fee,
            remittance=f"Account fees {month:%Y-%m}",
        )
    )
    net = opening + sum(e.cents if e.credit else -e.cents for e in valid) - fee
    sweep = (net - ACCOUNTS[currency][2]) * 8 // 10
    if sweep > 0:
        out.append(
            SpoolEntry(
                day,
                day,
                f"{currency}{day:%Y%m%d}S00001",
                False,
                sweep,
                name=TREASURY[0],
                iban=TREASURY[1],
                remittance="Transfer to treasury account",
            )
        )
    return out


def write_statements(
    out: Path, spool: BankSpool, clock: Clock, seed: int, daily: bool = False
) -> tuple[dict[str, int], dict[str, tuple[str, int]]]:
    """Write every statement: one per month and account, created the morning after the month
    (the current month's at the last extraction), or with `daily` one per bank day with
    entries, created at the next nightly extraction (02:00), as the other sources' files are:
    an allocation never arrives before its bank entry's statement. Returns entries per file
    and, for entries with a planted bad amount, the file and 1-based entry ordinal they
    landed at."""
    counts: dict[str, int] = {}
    flagged: dict[str, tuple[str, int]] = {}
    (out / "bank").mkdir(parents=True, exist_ok=True)
    for currency, (account, bic, balance) in ACCOUNTS.items():
        month, seq = clock.start, 0
        while month <= clock.horizon:
            last = min(_month_end(month), clock.horizon)
            spooled = spool.month(currency, f"{month:%Y-%m}")
            entries = spooled + _house_entries(currency, month, last, seed, spooled, balance)
            entries.sort(key=lambda e: (e.booking, e.entry_ref))
            if daily:
                periods = _nightly_periods(entries, clock)
            else:
                created = min(datetime.combine(_month_end(month) + DAY, time(6)), clock.e2)
                periods = [(month, last, f"{month:%Y%m}", created, entries)]
            for first, to, ident, created, period_entries in periods:
                seq += 1
                valid = [e for e in period_entries if e.bad_amount is None]
                closing = balance + sum(e.cents if e.credit else -e.cents for e in valid)
                rel = f"bank/statement_{currency}_{stamp(created)}.xml"
                statement = Statement(currency, account, bic, first, to, ident, seq, created)
                with (out / rel).open("w", encoding="utf-8") as fh:
                    fh.write(_header(statement, balance, closing))
                    for i, entry in enumerate(period_entries, start=1):
                        fh.write(_ntry(currency, entry))
                        if entry.bad_amount is not None:
                            flagged[entry.entry_ref] = (rel, i)
                    fh.write("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n")
                counts[rel] = len(period_entries)
                balance = closing
            month = _month_end(month) + DAY
    return counts, flagged


def _nightly_periods(
    entries: list[SpoolEntry], clock: Clock
) -> list[tuple[date, date, str, datetime, list[SpoolEntry]]]:
    """A month's entries (sorted by booking date) by the nightly extraction that first sees
    them: the night after their booking date, or the last one (as_of) for later bookings."""
    by_night: dict[datetime, list[SpoolEntry]] = {}
    for entry in entries:
        night = min(datetime.combine(entry.booking + DAY, time(2)), clock.e2)
        by_night.setdefault(night, []).append(entry)
    return [
        (group[0].booking, group[-1].booking, f"{group[0].booking:%Y%m%d}", night, group)
        for night, group in by_night.items()
    ]


def _balance(code: str, currency: str, cents: int, day: date) -> str:
    indicator = "CRDT" if cents >= 0 else "DBIT"
    return (
        f"      <Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="{currency}">{_money(cents)}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>\n"
    )


@dataclass(frozen=True)
class Statement:
    """One statement's identity: its account, the booking dates it covers, its id."""

    currency: str
    account: str
    bic: str
    first: date
    last: date
    ident: str  # the period in the message and statement ids: 202611, or 20261119 (daily)
    seq: int
    created: datetime


def _header(st: Statement, opening: int, closing: int) -> str:
    created_at = st.created.isoformat(timespec="seconds") + "Z"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NS}">\n'
        "  <BkToCstmrStmt>\n"
        f"    <GrpHdr><MsgId>CAMT053-{st.currency}-{st.ident}</MsgId>"
        f"<CreDtTm>{created_at}</CreDtTm></GrpHdr>\n"
        "    <Stmt>\n"
        f"      <Id>{st.currency}-{_dashed(st.ident)}</Id>\n"
        f"      <ElctrncSeqNb>{st.seq}</ElctrncSeqNb>\n"
        f"      <CreDtTm>{created_at}</CreDtTm>\n"
        f"      <FrToDt><FrDtTm>{st.first.isoformat()}T00:00:00</FrDtTm>"
        f"<ToDtTm>{st.last.isoformat()}T23:59:59</ToDtTm></FrToDt>\n"
        f"      <Acct><Id><IBAN>{st.account}</IBAN></Id><Ccy>{st.currency}</Ccy>"
        f"<Svcr><FinInstnId><BIC>{st.bic}</BIC></FinInstnId></Svcr></Acct>\n"
        + _balance("OPBD", st.currency, opening, st.first)
        + _balance("CLBD", st.currency, closing, st.last)
    )


def _dashed(ident: str) -> str:
    """202611 -> 2026-11, 20261119 -> 2026-11-19."""
    return "-".join(part for part in (ident[:4], ident[4:6], ident[6:]) if part)


def _ntry(currency: str, e: SpoolEntry) -> str:
    amount = e.bad_amount if e.bad_amount is not None else _money(e.cents)
    kind = "fee" if e.entry_ref[-6] == "F" else "receipt" if e.credit else "transfer"
    domain, family, sub = TX_CODES[kind]
    role = "Dbtr" if e.credit else "Cdtr"
    parties = ""
    if e.name:
        parties = f"<{role}><Nm>{escape(e.name)}</Nm></{role}>"
        if e.iban:
            parties += f"<{role}Acct><Id><IBAN>{e.iban}</IBAN></Id></{role}Acct>"
        elif e.account_no:
            parties += f"<{role}Acct><Id><Othr><Id>{e.account_no}</Id></Othr></Id></{role}Acct>"
        parties = f"<RltdPties>{parties}</RltdPties>"
    remittance = f"<RmtInf><Ustrd>{escape(e.remittance)}</Ustrd></RmtInf>" if e.remittance else ""
    return (
        "      <Ntry>\n"
        f"        <Amt Ccy={quoteattr(currency)}>{escape(amount)}</Amt>\n"
        f"        <CdtDbtInd>{'CRDT' if e.credit else 'DBIT'}</CdtDbtInd>\n"
        "        <Sts>BOOK</Sts>\n"
        f"        <BookgDt><Dt>{e.booking.isoformat()}</Dt></BookgDt>\n"
        f"        <ValDt><Dt>{e.value.isoformat()}</Dt></ValDt>\n"
        f"        <AcctSvcrRef>{escape(e.entry_ref)}</AcctSvcrRef>\n"
        f"        <BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>"
        f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>\n"
        "        <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"{parties}{remittance}</TxDtls></NtryDtls>\n"
        "      </Ntry>\n"
    )
