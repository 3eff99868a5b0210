"""Creating staff accounts from the command line, with Django's password validators."""

import pytest
from django.core.management import CommandError, call_command

from abri.accounts.models import User


@pytest.mark.django_db
def test_creates_a_staff_member_in_the_group_of_the_role(monkeypatch):
    monkeypatch.setenv("ABRI_STAFF_PASSWORD", "une-phrase-de-passe-longue")
    call_command("staff_create", email="Claire.Dubois@Assureur.fr", role="claims_handler", first_name="Claire")
    user = User.objects.get(username="claire.dubois@assureur.fr")
    assert user.is_staff and not user.is_customer and not user.is_superuser
    assert [g.name for g in user.groups.all()] == ["Gestionnaires sinistres"]
    assert user.has_perm("claims.change_claim") and not user.has_perm("accounts.change_customer")
    assert user.check_password("une-phrase-de-passe-longue")


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["court-11car", "123456789012", "password1234"])
def test_refuses_weak_passwords(monkeypatch, password):
    monkeypatch.setenv("ABRI_STAFF_PASSWORD", password)
    with pytest.raises(CommandError):
        call_command("staff_create", email="agent@assureur.fr", role="advisor")
    assert not User.objects.filter(username="agent@assureur.fr").exists()


@pytest.mark.django_db
def test_never_turns_a_customer_into_staff(monkeypatch, alice):
    alice.user.username = "alice@exemple.fr"
    alice.user.save()
    monkeypatch.setenv("ABRI_STAFF_PASSWORD", "une-phrase-de-passe-longue")
    with pytest.raises(CommandError):
        call_command("staff_create", email="alice@exemple.fr", role="administrator")
