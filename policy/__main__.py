"""The telnyx-coverage policy pack: ``pulumi preview --policy-pack policy/``.

Only builds the pack (its constructor serves the analyzer and blocks); the policies live in
``telnyx_policies`` so they can be imported and tested without it.
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from telnyx_policies import PACK_NAME, build_policies

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)
