"""The steps of a referral: each move of its status, with its date and a short note."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from caretui import codes
from caretui.models.base import SHORT, TABLE_OPTIONS, Record, code, label
from caretui.models.patient import patient_fk


class ReferralStep(Record):
    """One move of a referral (drafted, sent, accepted, …): when, and who confirmed
    it or how. A table rather than a date column per status, so a step keeps its own
    note and the history reads in order. ``patient_id`` repeats the referral's, so
    the audit trail files each step under its patient and a purge finds them."""

    __tablename__ = "referral_step"
    __label__ = "referral step"

    patient_id: Mapped[int] = patient_fk()
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="RESTRICT"), nullable=False, info=label("Referral")
    )
    status: Mapped[codes.ReferralStatus] = mapped_column(
        code(codes.ReferralStatus, name="referral_step_status"),
        nullable=False,
        info=label("Status"),
    )
    taken_on: Mapped[date] = mapped_column(Date, nullable=False, info=label("Date", past=True))
    note: Mapped[str | None] = mapped_column(String(SHORT), info=label("Note"))

    __table_args__ = (
        Index("ix_referral_step_referral", "referral_id", "taken_on"),
        TABLE_OPTIONS,
    )
