"""Signals sent by contracts, for the apps above that must react in the same transaction (ADR 0008).

`contract_changed` is sent inside the transaction of every contract status change
(`contract_transition`) and amendment (`amendment_apply`), after the change is written: receivers see
the new state, and whatever they write commits or rolls back with it. Receivers must be idempotent
(a change may be retried) and quick (no rendering, no network: enqueue tasks instead).

Arguments: `contract` (the Contract, already updated), `change` ("status" or "amended"), `reason`
(a French sentence for people, e.g. « Contrat modifié par l'avenant AVT-2026-00000001 »), `actor`
(the user who made the change, None for the system), and for a status change `from_status`, `to_status`.
"""

from django.dispatch import Signal

contract_changed = Signal()
