from django.urls import path

from abri.claims import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("<str:number>/", views.claim_detail, name="detail"),
]
