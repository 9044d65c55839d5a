import { ruleTable } from '../support/rule-tester.js';

ruleTable('print-logging', {
  language: 'py',
  invalid: [
    {
      name: 'Django view',
      path: 'billing/views.py',
      code: `from django.http import JsonResponse

def stripe_webhook(request):
    print("got event", request.headers.get("Stripe-Event-Id"))
    return JsonResponse({"ok": True})
`,
      lines: [4],
      message: /imports django/,
    },
    {
      name: 'FastAPI router with a module logger: suggestion',
      path: 'app/routers/orders.py',
      code: `import logging
from fastapi import APIRouter

logger = logging.getLogger(__name__)
router = APIRouter()

@router.post("/orders")
async def create_order(order: OrderIn):
    print(f"creating order {order.sku}")
    return await orders.create(order)
`,
      lines: [9],
      suggestion: '    logger.info(f"creating order {order.sku}")',
    },
    {
      name: 'Celery task',
      path: 'notifications/tasks.py',
      code: `from celery import shared_task

@shared_task(bind=True, max_retries=3)
def send_digest(self, user_id):
    user = User.objects.get(pk=user_id)
    print("sending digest to", user.pk)
    mail_digest(user)
`,
      lines: [6],
    },
    {
      name: 'Flask blueprint error path',
      path: 'app/api/payments.py',
      code: `from flask import Blueprint, jsonify

bp = Blueprint("payments", __name__)

@bp.post("/refund")
def refund():
    try:
        do_refund()
    except StripeError as exc:
        print("refund failed:", exc)
        return jsonify(error="refund failed"), 502
    return jsonify(ok=True)
`,
      lines: [10],
    },
    {
      name: 'SQLAlchemy code in a services/ package',
      path: 'src/shop/services/orders.py',
      code: `from sqlalchemy import select
from sqlalchemy.orm import Session

def find_order(session: Session, order_id: int):
    print("query order", order_id)
    return session.scalars(select(Order).where(Order.id == order_id)).first()
`,
      lines: [5],
    },
    {
      name: 'DRF viewset method',
      path: 'shop/api.py',
      code: `from rest_framework import viewsets

class OrderViewSet(viewsets.ModelViewSet):
    def perform_create(self, serializer):
        order = serializer.save(owner=self.request.user)
        print(order.pk)
`,
      lines: [6],
    },
    {
      name: 'a FastAPI main.py with a __main__ block: the handler print is still flagged',
      path: 'app/main.py',
      code: `import uvicorn
from fastapi import FastAPI

app = FastAPI()

@app.get("/health")
def health():
    print("health")
    return {"ok": True}

if __name__ == "__main__":
    print("starting")
    uvicorn.run(app)
`,
      lines: [8],
    },
  ],
  valid: [
    {
      name: 'output the caller asked for with verbosity',
      path: 'billing/services.py',
      code: `from django.db import connection

def reset_sequences(verbosity=1):
    with connection.cursor() as cursor:
        if verbosity >= 2:
            print("Resetting sequence")
        cursor.execute("SELECT 1")
`,
    },
    {
      name: 'Django management command',
      path: 'shop/management/commands/backfill_totals.py',
      code: `from django.core.management.base import BaseCommand

class Command(BaseCommand):
    def handle(self, *args, **options):
        print("backfilling")
`,
    },
    {
      name: 'script with a shebang',
      path: 'ops/rotate_keys.py',
      code: `#!/usr/bin/env python3
import boto3
print("rotating")
`,
    },
    {
      name: 'click CLI module',
      path: 'app/cli.py',
      code: `import click
from app.db import session

@click.command()
def seed():
    print("seeding")
`,
    },
    {
      name: 'argparse tool inside the package',
      path: 'app/tools/export_csv.py',
      code: `import argparse
from sqlalchemy import create_engine

def main():
    parser = argparse.ArgumentParser()
    print("exporting")
`,
    },
    {
      name: '__main__ block and the main() it calls',
      path: 'app/worker.py',
      code: `from celery import Celery

app = Celery("shop")

def main():
    print("starting worker")
    app.worker_main()

if __name__ == "__main__":
    print("boot")
    main()
`,
    },
    {
      name: 'manage.py',
      path: 'manage.py',
      code: `import os
import django
def main():
    print("usage")
`,
    },
    {
      name: 'setup.py',
      path: 'setup.py',
      code: `from setuptools import setup
print("building")
setup(name="shop")
`,
    },
    {
      name: 'a plain library module with no app evidence',
      path: 'shop_utils/money.py',
      code: `def cents(amount):
    print("deprecated")
    return int(amount * 100)
`,
    },
    {
      name: 'a library module built on SQLAlchemy (no app framework, no app path)',
      path: 'src/shop_db/repository.py',
      code: `from sqlalchemy import select

def find_order(session, order_id):
    print("query order", order_id)
    return session.scalars(select(Order).where(Order.id == order_id)).first()
`,
    },
    {
      name: 'Django settings print a startup warning (logging is not configured yet)',
      path: 'shop/settings.py',
      code: `from django.core.exceptions import ImproperlyConfigured
try:
    from .local_settings import *
except ImportError:
    print("Could not import local_settings, using defaults!", file=sys.stderr)
`,
    },
    {
      name: 'print to a file handle writes a file, not a log',
      path: 'shop/views.py',
      code: `from django.http import HttpResponse

def export(request):
    with open("/tmp/export.csv", "w") as fh:
        for row in rows():
            print(row, file=fh)
    return HttpResponse("ok")
`,
    },
    {
      name: 'a migration',
      path: 'shop/migrations/0042_backfill.py',
      code: `from django.db import migrations

def forwards(apps, schema_editor):
    print("backfilling totals")
`,
    },
    {
      name: 'logger calls are fine',
      path: 'billing/views.py',
      code: `import logging
from django.http import JsonResponse
logger = logging.getLogger(__name__)

def stripe_webhook(request):
    logger.info("stripe event received")
    return JsonResponse({"ok": True})
`,
    },
  ],
});
