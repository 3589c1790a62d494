"""Writes tests/data/store/version-1.db with the code of main at the time (SCHEMA_VERSION 1)."""
import sys
from datetime import UTC, datetime, timedelta
from aggregator import pipeline
from aggregator.models import RawItem, Source, FetchResult
from aggregator.store.database import Store
from aggregator.understand.taxonomy import load_taxonomy

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
store = Store(sys.argv[1])
store.sync_sources([
    Source(id="viamedis", name="Viamedis", type="feed", url="https://viamedis.example/feed", category="payer"),
    Source(id="echo", name="Écho officine", type="feed", url="https://echo-officine.example/feed", category="press"),
])
def raw(n, title, body, url=None, hours=0):
    return RawItem(guid=f"g{n}", url=url or f"https://echo-officine.example/a/{n}", title=title,
                   content=f"<p>{body}</p>", published=NOW - timedelta(hours=hours))
with store.transaction():
    store.record_fetch("echo", FetchResult(url="https://echo-officine.example/feed", final_url="https://echo-officine.example/feed", etag="\"v1\"", status=200, content=b"x", elapsed=0.2), NOW)
    store.record_fetch("viamedis", FetchResult(url="https://viamedis.example/feed", final_url="https://viamedis.example/feed", status=503, error="HTTP 503", elapsed=0.1), NOW)
    store.record_source("echo", NOW)
    store.record_source("viamedis", NOW, "HTTP 503")
    items = [
        raw(1, "Viamedis : panne du portail de tiers payant", "Le portail Viamedis est indisponible depuis ce matin, les pharmaciens doivent facturer en mode dégradé.", hours=5),
        raw(2, "Nouvelle convention pharmaceutique signée", "Les syndicats ont signé l'avenant tarifaire.", hours=4),
        raw(3, "Almerys : cyberattaque en cours", "Almerys annonce une cyberattaque, le service est interrompu. Appelez le 0805 62 00 10.", hours=3),
    ]
    store.save_entries("echo", items, [i.url for i in items], NOW)
    copy = [raw(9, "Viamedis : panne du portail", "Repris de l'Écho.", url="https://echo-officine.example/a/1", hours=2)]
    store.save_entries("viamedis", copy, [copy[0].url], NOW)
pipeline.understand(store, load_taxonomy(None), pipeline.RunReport())
with store.transaction():
    later = NOW + timedelta(hours=2)
    edited = [raw(1, "Viamedis : service rétabli", "Le portail Viamedis fonctionne de nouveau.", hours=5),
              raw(4, "Rappel : campagne de vaccination", "Ouverture de la campagne.", hours=1)]
    store.save_entries("echo", edited, [i.url for i in edited], later)
store.close()
