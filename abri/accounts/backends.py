"""Authentication backends: customers by number + PIN, staff by e-mail + password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from abri.accounts.numbers import normalize_customer_number


def login_unknown_number_cost(pin: str) -> None:
    from abri.accounts.services import login_unknown_number_cost as cost

    cost(pin)

User = get_user_model()


class CustomerPinBackend(ModelBackend):
    """Customer number + 6-digit PIN. The portal policy (delays, lock) runs before this."""

    def authenticate(self, request, customer_number=None, pin=None, **kwargs):
        if customer_number is None or pin is None:
            return None
        number = normalize_customer_number(customer_number)
        try:
            user = User.objects.get(username=number, is_customer=True)
        except User.DoesNotExist:
            # Same cost as a real check so that timing does not reveal unknown numbers.
            login_unknown_number_cost(pin)
            return None
        if not user.has_usable_password():  # not activated yet: same cost, same answer
            login_unknown_number_cost(pin)
            return None
        if user.check_password(pin) and self.user_can_authenticate(user):
            return user
        return None


class StaffEmailBackend(ModelBackend):
    """Staff: e-mail + password (TOTP is checked by the back-office login view)."""

    def authenticate(self, request, email=None, password=None, **kwargs):
        if email is None or password is None:
            return None
        try:
            user = User.objects.get(email__iexact=email.strip(), is_staff=True, is_customer=False)
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
