"""Factories for customers and staff."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from abri.accounts.models import Customer
from abri.accounts.numbers import with_check_character

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: with_check_character(f"TST{n:05d}"))
    is_customer = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "246813")
        if create:
            obj.save(update_fields=["password"])


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    user = factory.SubFactory(UserFactory)
    customer_number = factory.SelfAttribute("user.username")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = date(1985, 6, 15)
    email = factory.LazyAttribute(lambda o: f"{o.customer_number.lower()}@exemple.fr")
    phone = "+33600000001"
    address_line = "1 rue de la Paix"
    postcode = "75002"
    city = "Paris"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}@abri.example")
    email = factory.SelfAttribute("username")
    is_staff = True
    is_customer = False
    staff_role = "advisor"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "mot-de-passe-solide-42")
        if create:
            obj.save(update_fields=["password"])
