import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the event server (Server-Sent Events for display boards) with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("EVENTS_PORT", "8001")))

    def handle(self, *args, host, port, **options):
        import uvicorn

        uvicorn.run(
            "servicehall.web.events:app",
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
        )
