from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "louyu.party"
    label = "party"
    verbose_name = _("Party committee")

    def ready(self) -> None:
        from louyu.accounts.models import Role
        from louyu.accounts.scopes import scope_kind_register
        from louyu.party.models import PartyOrganization

        # A party role lets its holder see the organization's building community.
        scope_kind_register(
            model="party.partyorganization",
            roles={Role.PARTY_OFFICER, Role.BRANCH_SECRETARY, Role.PARTY_MEMBER},
            nodes=lambda ids: PartyOrganization.objects.filter(pk__in=ids).values_list(
                "community_id", flat=True
            ),
        )
