"""Back-office URLs (French paths). Other staff areas mount their own modules under /backoffice/."""

from django.urls import path

from abri.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("connexion/", views.login_view, name="login"),
    path("connexion/verification/", views.verify_view, name="verify"),
    path("connexion/code-demo/", views.demo_code_view, name="demo_code"),
    path("connexion/application/", views.enrol_view, name="enrol"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("clients/<str:customer_number>/", views.customer_detail, name="customer"),
    path("clients/<str:customer_number>/documents/<int:pk>/", views.customer_document_download,
         name="customer_document"),
    path("clients/<str:customer_number>/deverrouiller/", views.customer_unlock_view, name="customer_unlock"),
    path("clients/<str:customer_number>/reinitialiser-code/", views.customer_pin_reset_view,
         name="customer_pin_reset"),
]
