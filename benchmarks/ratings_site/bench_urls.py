"""servicehall's URLs plus the baseline: a rating that is one plain INSERT into a simple table
(bench_bare_rating, created by bench_ratings.py) and nothing else — no device credential, no rules,
no signature, no idempotency — served by the same gunicorn in the same run."""

import json

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from servicehall.urls import urlpatterns as servicehall_urls

BARE_RATING = """
INSERT INTO bench_bare_rating (ticket_id, overall, idempotency_key, created_at)
VALUES (%s, %s, %s, now())
RETURNING id
"""


@csrf_exempt
def bare_rating(request):
    data = json.loads(request.body)
    with connection.cursor() as cur:
        cur.execute(BARE_RATING, [data["ticket_id"], data["overall"], data["idempotency_key"]])
        row = cur.fetchone()
    return JsonResponse({"id": row[0], "created": True}, status=201)


# beside the API, which servicehall resolves first
urlpatterns = [
    path("bench/bare-rating/", bare_rating),
    *servicehall_urls,
]
