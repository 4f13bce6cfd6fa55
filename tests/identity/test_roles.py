"""The permission rules as plain functions: roles, namespaces, scopes, who may grant what."""

from __future__ import annotations

import pytest

from registry.catalog.variants import namespace_of
from registry.errors import InvalidInputError, PermissionDeniedError
from registry.identity.roles import ROLES, Principal, check_grant, check_namespace, check_scopes


def who(roles: dict[str, str], scopes: tuple[str, ...] = ("read", "write", "approve", "admin")):
    return Principal(user_id=1, name="alice", roles=roles, scopes=frozenset(scopes))


def test_namespace_is_the_part_before_the_first_slash() -> None:
    assert namespace_of("acme/llama-ft") == "acme"
    assert namespace_of("acme/sub/x") == "acme"
    assert namespace_of("plain") is None
    assert namespace_of("/odd") is None


def test_roles_are_ordered_and_global_counts_everywhere() -> None:
    p = who({"": "contributor"})
    assert p.can("viewer", "acme") and p.can("contributor", "acme") and p.can("contributor")
    assert not p.can("approver", "acme")
    ns = who({"acme": "approver"})
    assert ns.can("approver", "acme") and not ns.can("viewer", "other")
    assert not ns.can("viewer")  # a namespace role is not a global one
    assert ns.can("viewer", anywhere=True)
    both = who({"": "viewer", "acme": "admin"})
    assert both.role_in("acme") == "admin" and both.role_in("beta") == "viewer"


def test_denial_names_the_missing_role_or_scope() -> None:
    with pytest.raises(PermissionDeniedError, match="needs the approver role for namespace 'acme'"):
        who({"": "contributor"}).require("approver", "acme")
    with pytest.raises(PermissionDeniedError, match="alice has no role"):
        who({}).require("viewer")
    with pytest.raises(PermissionDeniedError, match="lacks the 'write' scope"):
        who({"": "admin"}, ("read",)).require("contributor")


def test_grant_rules() -> None:
    admin = who({"": "admin"})
    check_grant(admin, "bob", "approver", "")  # fine
    check_grant(None, "bob", "admin", "")  # the operator on a direct database
    with pytest.raises(PermissionDeniedError, match="own roles"):
        check_grant(admin, "alice", "viewer", "")
    ns_admin = who({"acme": "admin"})
    check_grant(ns_admin, "bob", "contributor", "acme")
    with pytest.raises(PermissionDeniedError):
        check_grant(ns_admin, "bob", "viewer", "")  # cannot grant globally
    with pytest.raises(PermissionDeniedError):
        check_grant(ns_admin, "bob", "viewer", "beta")
    with pytest.raises(PermissionDeniedError):
        check_grant(who({"": "approver"}), "bob", "viewer", "")  # not an admin
    with pytest.raises(PermissionDeniedError, match="scope"):
        check_grant(who({"": "admin"}, ("read", "write")), "bob", "viewer", "")


def test_validation() -> None:
    assert check_scopes(None) == ["read", "write", "approve", "admin"]
    assert check_scopes(["write,read"]) == ["read", "write"]
    with pytest.raises(InvalidInputError):
        check_scopes(["root"])
    assert check_namespace(None) == ""
    for bad in ("", "a/b", "x\ty"):
        with pytest.raises(InvalidInputError):
            check_namespace(bad)
    assert ROLES == ("viewer", "contributor", "approver", "admin")
