"""Audit reason codes and line statuses: stable names, one bit each, and what they do.

A claim line gets every code that applies. The codes of the audit come first in a line's
``reasons``, then the row problems of the records validation (``MISSING_<COLUMN>``,
``BAD_<COLUMN>``), then the eligibility codes of the subsidy engine
(:class:`motorsub.reasons.Reason`). What each code does to the amount owed is described
in ``motorsub/audit/README.md`` and in :data:`EFFECT`.
"""

from __future__ import annotations

import enum

from motorsub.reasons import Reason


def N_(text: str) -> str:
    """Mark ``text`` for the catalogue; it is translated where it is shown."""
    return text


class Code(enum.IntEnum):
    """One bit each in a line's audit bitmask (value = bit position), in precedence order.

    The order is the one in which a line's *primary* reason is chosen: the first code of
    the line, in this order, that takes money away from the claim.
    """

    INVALID_RECORD = 0
    INCOMPLETE = 1
    DUPLICATE_SERIAL = 2
    NOT_IN_CATALOGUE = 3
    DELISTED = 4
    DUPLICATE_EQUIPMENT = 5
    NO_BUYBACK_RECORD = 6
    BUYBACK_MISMATCH = 7
    CATALOGUE_MISMATCH = 8
    QUOTA_EXCEEDED = 9
    RATE_OUT_OF_RANGE = 10
    OVER_CLAIM = 11
    UNDER_CLAIM = 12
    RATE_UNKNOWN = 13


DESCRIPTION: dict[Code, str] = {
    Code.INVALID_RECORD: N_(
        "a sale-line value is missing or bad (the MISSING_/BAD_ codes name it)"
    ),
    Code.INCOMPLETE: N_(
        "a checklist item is missing or unreadable: serial, invoice number, "
        "invoice date, or the old motor's equipment id of a trade-in"
    ),
    Code.DUPLICATE_SERIAL: N_(
        "the manufacturer serial was claimed before for the same component "
        "(earlier in the batch, or paid in an earlier batch)"
    ),
    Code.NOT_IN_CATALOGUE: N_("the manufacturer and model are not in the approved catalogue"),
    Code.DELISTED: N_("sold before the model was listed or on/after it was delisted"),
    Code.DUPLICATE_EQUIPMENT: N_(
        "the old motor's equipment id already backs another new motor's trade-in"
    ),
    Code.NO_BUYBACK_RECORD: N_(
        "a trade-in with no recycler's buy-back record for its equipment id"
    ),
    Code.BUYBACK_MISMATCH: N_(
        "the buy-back record's old kW, quantity, new serial or contract differ from the claim"
    ),
    Code.CATALOGUE_MISMATCH: N_(
        "motor type, kW, poles, grade or efficiency differ from the listed model"
    ),
    Code.QUOTA_EXCEEDED: N_("the manufacturer's kW for the year would exceed its quota"),
    Code.RATE_OUT_OF_RANGE: N_(
        "a component whose rate no source gives is claimed at a CNY per "
        "kW outside the range the notice gives"
    ),
    Code.OVER_CLAIM: N_("a component is claimed above the recomputed entitlement"),
    Code.UNDER_CLAIM: N_(
        "a component is claimed below the recomputed entitlement (paid as claimed)"
    ),
    Code.RATE_UNKNOWN: N_(
        "a component is claimed on a rate no source gives: it cannot be verified"
    ),
}

#: What each code does to the money (documentation and the report's legend).
EFFECT: dict[Code, str] = {
    Code.INVALID_RECORD: N_("line rejected"),
    Code.INCOMPLETE: N_("line rejected"),
    Code.DUPLICATE_SERIAL: N_("the duplicated components disallowed"),
    Code.NOT_IN_CATALOGUE: N_("line rejected"),
    Code.DELISTED: N_("line rejected"),
    Code.DUPLICATE_EQUIPMENT: N_("trade-in not recognised: entitlement recomputed without it"),
    Code.NO_BUYBACK_RECORD: N_("trade-in not recognised: entitlement recomputed without it"),
    Code.BUYBACK_MISMATCH: N_(
        "entitlement recomputed on the buy-back record's old kW and quantity"
    ),
    Code.CATALOGUE_MISMATCH: N_("entitlement recomputed on the listed model's type, kW and grade"),
    Code.QUOTA_EXCEEDED: N_("components paid to the manufacturer disallowed"),
    Code.RATE_OUT_OF_RANGE: N_(
        "above the range: the excess over its top disallowed; below it: none"
    ),
    Code.OVER_CLAIM: N_("the excess disallowed"),
    Code.UNDER_CLAIM: N_("none (informational)"),
    Code.RATE_UNKNOWN: N_(
        "the claim (up to the range's top) unverified: neither approved nor disallowed"
    ),
}

#: Codes that reject the whole line: nothing is owed.
LINE_REJECTING = (Code.INVALID_RECORD, Code.INCOMPLETE, Code.NOT_IN_CATALOGUE, Code.DELISTED)

#: Eligibility codes of the engine that a finding's ``reasons`` carries.
ELIGIBILITY = (
    Reason.OUT_OF_SCOPE_KW,
    Reason.GRADE_NOT_ELIGIBLE,
    Reason.OUTSIDE_WINDOW,
    Reason.REGION_NOT_ELIGIBLE,
    Reason.NO_TRADE_IN,
    Reason.REMAN_NO_NATIONAL,
    Reason.NO_RATE,
    Reason.KIND_NOT_ELIGIBLE,
    Reason.TYPE_NOT_ELIGIBLE,
)

#: Codes that take no money: a line carrying only these is not disallowed anything.
NOT_MONEY_TAKING = (Code.UNDER_CLAIM, Code.RATE_UNKNOWN)

#: Line statuses, by code (uint8 in kernels). ``unverified``: part of the claim rests on a
#: rate no source gives and is neither approved nor disallowed.
STATUSES: tuple[str, ...] = ("approved", "adjusted", "rejected", "unverified")
APPROVED, ADJUSTED, REJECTED, UNVERIFIED = 0, 1, 2, 3

#: Claim-level problems that keep a row out of the audit (it goes to the rejects file).
ROW_PROBLEMS: tuple[str, ...] = (
    "MISSING_RECORD_ID",
    "MISSING_CLAIMANT",
    "MISSING_BATCH_ID",
    "MISSING_CLAIMED",
    "DUPLICATE_RECORD_ID",
)
# ... then BAD_CLAIMED_<COMPONENT> per claimed column and BAD_CLAIMED_TOTAL.


def bit(code: Code) -> int:
    """The bitmask value of ``code``."""
    return 1 << int(code)


def names(mask: int) -> list[str]:
    """Names of the codes set in ``mask``, in precedence order (``INVALID_RECORD`` left out:
    the records' own ``MISSING_``/``BAD_`` codes say more)."""
    return [c.name for c in Code if mask >> int(c) & 1 and c is not Code.INVALID_RECORD]


def primary(mask: int) -> str:
    """The first money-taking code of ``mask`` in precedence order ('' if none)."""
    for c in Code:
        if c not in NOT_MONEY_TAKING and mask >> int(c) & 1:
            return c.name
    return ""
