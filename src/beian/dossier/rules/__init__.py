"""Pre-submission check rules, one per module, registered with :func:`rule`."""

from beian.dossier.rules._registry import RULES, Rule, load_rules, relay, rule

__all__ = ["RULES", "Rule", "load_rules", "relay", "rule"]
