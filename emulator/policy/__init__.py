"""Policy layer: moratorium rules, decisions, an account's tag views, the policy clock, the audit log; pure."""

from __future__ import annotations

from emulator.policy.audit_log import AuditLog, audit_path, read_audit
from emulator.policy.clock import PolicyClock, parse_instant
from emulator.policy.decision import Decision, covers, evaluate
from emulator.policy.rules import (
    EXAMPLE_POLICY_TOML,
    RECOGNITION_OPERATIONS,
    PolicyError,
    Rule,
    builtin_policy,
    load_policy,
    parse_policy,
)

__all__ = [
    "EXAMPLE_POLICY_TOML",
    "RECOGNITION_OPERATIONS",
    "AuditLog",
    "Decision",
    "PolicyClock",
    "PolicyError",
    "Rule",
    "audit_path",
    "builtin_policy",
    "covers",
    "evaluate",
    "load_policy",
    "parse_instant",
    "parse_policy",
    "read_audit",
]
