from django.urls import path

from abri.accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/verification/", views.second_factor_view, name="second_factor"),
    path("connexion/verification/renvoyer/", views.second_factor_resend, name="second_factor_resend"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("session/prolonger/", views.keep_alive_view, name="keep_alive"),
    path("activation/", views.activation_view, name="activation"),
    path("activation/code/", views.activation_code_view, name="activation_code"),
    path("activation/code-secret/", views.activation_pin_view, name="activation_pin"),
    path("activation/terminee/", views.activation_done_view, name="activation_done"),
    path("identifiants-oublies/", views.recovery_home_view, name="recovery"),
    path("identifiants-oublies/code-secret/", views.recovery_pin_view, name="recovery_pin"),
    path("identifiants-oublies/code/", views.recovery_code_view, name="recovery_code"),
    path("identifiants-oublies/lien/<str:challenge>/", views.recovery_link_view, name="recovery_link"),
    path("identifiants-oublies/nouveau-code-secret/", views.recovery_new_pin_view, name="recovery_new_pin"),
    path("identifiants-oublies/numero-client/", views.recovery_number_view, name="recovery_number"),
    path("mon-compte/", views.account_view, name="account"),
    path("mon-compte/coordonnees/", views.contact_details_view, name="contact_details"),
    path("securite/", views.security_view, name="security"),
    path("securite/confirmation/", views.step_up_view, name="step_up"),
    path("securite/sessions/<int:session_id>/terminer/", views.session_end_view, name="session_end"),
    path("securite/sessions/terminer-les-autres/", views.sessions_end_others_view, name="sessions_end_others"),
    path("securite/appareils/<int:device_id>/retirer/", views.device_revoke_view, name="device_revoke"),
    path("securite/applications/<int:token_id>/deconnecter/", views.api_token_end_view, name="api_token_end"),
    path("securite/code-secret/", views.change_pin_view, name="change_pin"),
    path("securite/application/", views.totp_enrol_view, name="totp_enrol"),
    path("securite/application/retirer/", views.totp_remove_view, name="totp_remove"),
    path("securite/codes-de-secours/", views.recovery_codes_view, name="recovery_codes"),
]
