from django.urls import path

from abri.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("<str:number>/", views.contract_detail, name="detail"),
]
