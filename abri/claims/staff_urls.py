"""Back-office claim pages, mounted at /backoffice/sinistres/."""

from django.urls import path

from abri.claims import staff_views as views

app_name = "backoffice_claims"
urlpatterns = [
    path("", views.queue, name="list"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/attribuer/", views.assign, name="assign"),
    path("<str:number>/etape/", views.transition, name="transition"),
    path("<str:number>/expert/", views.appoint_expert, name="expert"),
    path("<str:number>/visite/", views.plan_visit, name="visit"),
    path("<str:number>/rapport/", views.upload_report, name="report"),
    path("<str:number>/indemnisation/", views.settlement, name="settlement"),
    path("<str:number>/paiement/", views.record_payment, name="payment"),
    path("<str:number>/refus/", views.refuse, name="refuse"),
    path("<str:number>/message/", views.message, name="message"),
    path("<str:number>/fichiers/<uuid:key>/", views.evidence_file, name="evidence"),
]
