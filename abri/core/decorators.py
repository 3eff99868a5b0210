"""View decorators: customer-only pages."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from abri.core.htmx import is_htmx, login_redirect


def customer_required(view):
    """Only a logged-in customer reaches the view; `request.customer` is set."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not getattr(user, "is_customer", False):
            if is_htmx(request):  # a fragment asked after logging out: the whole page goes to the login
                return login_redirect(request)
            return redirect_to_login(request.get_full_path())
        request.customer = user.customer
        return view(request, *args, **kwargs)

    return wrapper
