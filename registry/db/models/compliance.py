"""Organisations, their monthly active users and grants, deployments, and the check log.

The check log has no foreign keys: it is an audit trail that outlives the variants,
organisations and deployments it names.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, big_int, intpk, json_dict, json_list, name_str, utc_timestamp

USES = ("research", "internal", "service", "distribute")
_USE_SQL = "use IN (" + ", ".join(f"'{u}'" for u in USES) + ")"


class Organisation(Base):
    """A licensee: its country (ISO 3166 alpha-2) and its parent organisation."""

    __tablename__ = "organisations"

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)
    country: Mapped[str | None] = mapped_column(String(2))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[utc_timestamp]


class MonthlyActiveUsers(Base):
    """The monthly active users of one organisation's products in one calendar month."""

    __tablename__ = "org_mau"
    __table_args__ = (
        CheckConstraint("users >= 0", name="users_not_negative"),
        CheckConstraint("length(month) = 7", name="month_format"),
    )

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    users: Mapped[big_int]
    recorded_at: Mapped[utc_timestamp]
    recorded_by: Mapped[str | None] = mapped_column(String(255))


class Grant(Base):
    """An additional license from Meta to an organisation for one policy id."""

    __tablename__ = "org_grants"
    __table_args__ = (UniqueConstraint("org_id", "license_id", name="org_license"),)

    id: Mapped[intpk]
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    license_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(Text)
    created_at: Mapped[utc_timestamp]
    created_by: Mapped[str | None] = mapped_column(String(255))


class Deployment(Base):
    """A named use of a variant by an organisation, checked by ``check --deployment``."""

    __tablename__ = "deployments"
    __table_args__ = (CheckConstraint(_USE_SQL, name="use"),)

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="RESTRICT"), index=True
    )
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    use: Mapped[str] = mapped_column(String(16))
    public_name: Mapped[str | None] = mapped_column(String(255))
    purposes: Mapped[json_list]
    # each {"kind": "notice-file", "by": OS user, "at": ISO timestamp}
    attestations: Mapped[json_list]
    end_user: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[utc_timestamp]
    created_by: Mapped[str | None] = mapped_column(String(255))


class CheckRecord(Base):
    """One ``modelreg check``: inputs, findings, verdict, policy digests, when and who."""

    __tablename__ = "check_log"
    __table_args__ = (Index("ix_check_log_variant_name", "variant_name", "checked_at"),)

    id: Mapped[intpk]
    checked_at: Mapped[utc_timestamp]
    os_user: Mapped[str | None] = mapped_column(String(255))
    variant_name: Mapped[name_str]
    org_name: Mapped[name_str]
    use: Mapped[str] = mapped_column(String(16))
    deployment_name: Mapped[str | None] = mapped_column(String(255))
    verdict: Mapped[str] = mapped_column(String(16))
    inputs: Mapped[json_dict]
    findings: Mapped[json_list]
    policy_digests: Mapped[json_dict]
