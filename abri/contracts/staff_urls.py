"""Back-office contract pages, mounted at /backoffice/contrats/."""

from django.urls import path

from abri.contracts import staff_views as views

app_name = "backoffice_contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("tarifs/", views.tariffs, name="tariffs"),
    path("<str:number>/", views.contract_detail, name="detail"),
    path("<str:number>/modifier/", views.contract_change, name="change"),
]
