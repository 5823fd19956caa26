"""servicehall's URLs plus the baseline: a call that is one SKIP LOCKED update and nothing else
(no authentication, no rules, no board event), served by the same gunicorn in the same run."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from servicehall.urls import urlpatterns as servicehall_urls

BARE_CALL = """
UPDATE queueing_ticket SET state = 'called', window_id = %(window)s, called_at = now(),
       calls = calls + 1
WHERE id = (
  SELECT id FROM queueing_ticket
  WHERE queue_id = %(queue)s AND state = 'waiting' AND day = %(day)s
  ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
)
RETURNING id, label
"""


@csrf_exempt
def bare_call(request, window_id, queue_id):
    with connection.cursor() as cur:
        cur.execute(
            BARE_CALL, {"window": window_id, "queue": queue_id, "day": timezone.localdate()}
        )
        row = cur.fetchone()
    return JsonResponse({"ticket": {"id": row[0], "label": row[1]} if row else None})


# beside the API, which servicehall resolves first
urlpatterns = [
    path("bench/bare-call/<int:window_id>/<int:queue_id>/", bare_call),
    *servicehall_urls,
]
