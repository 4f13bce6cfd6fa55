"""``mau-threshold`` (§2): the corporate family's monthly active users in the calendar month
before the version's release date must not exceed the threshold, unless Meta granted a
license. Members of the family without a record for that month count 0; a family with no
record at all for it is ``review``."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding, fmt_int

RULE_ID = "mau-threshold"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.end_user:
        return finding(spec, lic, "n/a", "end user of an integrated product (§1.b.ii)")
    org = ctx.org
    grants = org.grants.get(policy.id, ())
    if grants:
        holder, ref = grants[0]
        return finding(
            spec, lic, "pass", f"license from Meta for {policy.id} held by {holder} ({ref})"
        )
    month = policy.measured_month
    threshold = int(spec.params["threshold"])
    records = org.mau.get(month or "", {})
    family = ", ".join(org.family)
    if not records:
        return finding(
            spec,
            lic,
            "review",
            f"no MAU recorded for {month} (the month before the {policy.id} release date "
            f"{policy.release_date}) for any of {family}",
        )
    total = sum(records.values())
    parts = " + ".join(f"{name} {fmt_int(n)}" for name, n in sorted(records.items()))
    missing = [m for m in org.family if m not in records]
    zero = f"; no record (counted 0): {', '.join(missing)}" if missing else ""
    figures = f"family MAU in {month} = {fmt_int(total)} ({parts}{zero})"
    if total > threshold:
        return finding(
            spec,
            lic,
            "fail",
            f"{figures} > {fmt_int(threshold)} and no license from Meta for {policy.id}",
        )
    return finding(spec, lic, "pass", f"{figures} <= {fmt_int(threshold)}")
