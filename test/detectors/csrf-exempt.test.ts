import { ruleTable } from '../support/rule-tester.js';

ruleTable('csrf-exempt', {
  language: 'py',
  invalid: [
    {
      name: 'function view: login_required + POST',
      path: 'accounts/views.py',
      code: `from django.contrib.auth.decorators import login_required
from django.views.decorators.csrf import csrf_exempt
from django.http import JsonResponse

@csrf_exempt
@login_required
def update_email(request):
    if request.method == "POST":
        request.user.email = request.POST["email"]
        request.user.save()
    return JsonResponse({"ok": True})
`,
      lines: [5],
      message: /`update_email` is exempt from CSRF/,
    },
    {
      name: 'class-based view exempted through method_decorator on the class',
      path: 'billing/views.py',
      code: `from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

@method_decorator(csrf_exempt, name="dispatch")
class CancelSubscriptionView(LoginRequiredMixin, View):
    def post(self, request):
        sub = request.user.organization.subscription
        sub.cancel_at_period_end = True
        sub.save()
        return redirect("billing")
`,
      lines: [6],
    },
    {
      name: 'method_decorator on dispatch',
      path: 'teams/views.py',
      code: `class InviteMemberView(View):
    @method_decorator(csrf_exempt)
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)

    def post(self, request):
        Invitation.objects.create(team=request.user.team, email=request.POST["email"])
        return HttpResponse(status=201)
`,
      lines: [2],
    },
    {
      name: 'JSON endpoint reading request.body for the session user',
      path: 'api/views.py',
      code: `import json

@csrf_exempt
@require_POST
def save_preferences(request):
    data = json.loads(request.body)
    Preference.objects.update_or_create(user=request.user, defaults=data)
    return JsonResponse({"saved": True})
`,
      lines: [3],
    },
    {
      name: 'a login view without CSRF (login CSRF)',
      path: 'accounts/views.py',
      code: `from django.contrib.auth import authenticate, login

@csrf_exempt
def sign_in(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is not None:
        login(request, user)
    return redirect("/")
`,
      lines: [3],
    },
    {
      name: 'Flask-WTF csrf.exempt on a Flask-Login view',
      path: 'app/routes.py',
      code: `from flask_login import current_user, login_required

@bp.route("/settings/delete", methods=["POST"])
@csrf.exempt
@login_required
def delete_account():
    db.session.delete(current_user)
    db.session.commit()
    return redirect(url_for("main.index"))
`,
      lines: [4],
    },
    {
      name: 'method_decorator with a list',
      path: 'projects/views.py',
      code: `@method_decorator([csrf_exempt, login_required], name="dispatch")
class ArchiveProjectView(View):
    def post(self, request, pk):
        Project.objects.filter(pk=pk, owner=request.user).update(archived=True)
        return redirect("projects")
`,
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'Stripe webhook that verifies the signature',
      path: 'billing/webhooks.py',
      code: `@csrf_exempt
@require_POST
def stripe_webhook(request):
    sig = request.META.get("HTTP_STRIPE_SIGNATURE")
    event = stripe.Webhook.construct_event(request.body, sig, settings.STRIPE_WEBHOOK_SECRET)
    Order.objects.filter(session_id=event.data.object.id).update(paid=True)
    return HttpResponse(status=200)
`,
    },
    {
      name: 'GitHub webhook with HMAC and compare_digest',
      path: 'integrations/views.py',
      code: `@csrf_exempt
def github_hook(request):
    expected = "sha256=" + hmac.new(settings.GH_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponseForbidden()
    Repo.objects.filter(full_name=json.loads(request.body)["repository"]["full_name"]).update(synced=False)
    return HttpResponse()
`,
    },
    {
      name: 'DRF APIView: DRF enforces CSRF for session auth itself',
      path: 'api/views.py',
      code: `@method_decorator(csrf_exempt, name="dispatch")
class ProfileView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        request.user.profile.bio = request.data["bio"]
        request.user.profile.save()
        return Response(status=204)
`,
    },
    {
      name: 'api_view function',
      path: 'api/views.py',
      code: `@csrf_exempt
@api_view(["POST"])
def rename(request):
    request.user.first_name = request.data["first_name"]
    request.user.save()
    return Response()
`,
    },
    {
      name: 'token-authenticated endpoint with no session',
      path: 'ingest/views.py',
      code: `@csrf_exempt
@require_POST
def ingest(request):
    key = ApiKey.objects.get(key=request.headers["X-Api-Key"])
    Event.objects.create(project=key.project, payload=json.loads(request.body))
    return JsonResponse({"ok": True})
`,
    },
    {
      name: 'read-only view for a signed-in user',
      path: 'reports/views.py',
      code: `@csrf_exempt
@login_required
def report(request):
    rows = Invoice.objects.filter(org=request.user.org).values("id", "total")
    return JsonResponse({"rows": list(rows)})
`,
    },
    {
      name: 'a view without the exemption',
      path: 'accounts/views.py',
      code: `@login_required
@require_POST
def update_email(request):
    request.user.email = request.POST["email"]
    request.user.save()
    return redirect("profile")
`,
    },
    {
      name: 'Svix-verified Clerk webhook',
      path: 'users/webhooks.py',
      code: `@csrf_exempt
def clerk_webhook(request):
    wh = Webhook(settings.CLERK_WEBHOOK_SECRET)
    event = wh.verify(request.body, {k: v for k, v in request.headers.items()})
    User.objects.filter(clerk_id=event["data"]["id"]).delete()
    return HttpResponse()
`,
    },
  ],
});
